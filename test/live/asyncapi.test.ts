// The AsyncAPI document of the live WebSocket API against real messages over a real socket: the
// handshake refusal, subscribe and unsubscribe acks (both outcomes), a delta after an ingest,
// and the closing notice when the token expires — each validated against the served document,
// and every code in them one of the error catalogue.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Socket } from 'socket.io-client';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { mintToken } from '../support/tokens.ts';
import { connect, connected } from '../support/live-client.ts';
import { ERROR_STATUS } from '../../src/errors.ts';
import { schemaValidators } from '../support/openapi-contract.ts';

let t: TempApp;
let url: string;
let doc: { components: { schemas: Record<string, object>; messages: Record<string, { payload: { $ref: string } }> }; channels: { live: { messages: Record<string, { $ref: string }> } } };
const validator = schemaValidators(() => doc.components);

before(async () => {
  t = await openTempApp({ env: { LIVE_COALESCE_MS: '20' }, parts: ['live-feed', 'live'] });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
  const res = await t.app.inject({ url: '/docs/asyncapi.json' });
  assert.equal(res.statusCode, 200, 'public');
  doc = res.json();
});
after(async () => { await t.close(); });

/** Validates a real payload against the schema a message of the document names. */
function conforms(schemaName: string, payload: unknown): void {
  const validate = validator(doc.components.schemas[schemaName]);
  assert.ok(validate(payload), `${schemaName}: ${JSON.stringify(validate.errors)}\n${JSON.stringify(payload).slice(0, 400)}`);
  const code = (payload as { code?: string }).code;
  if (code !== undefined) assert.ok(Object.hasOwn(ERROR_STATUS, code), `${code} is in the error catalogue`);
}

const received = <T>(socket: Socket, event: string) => new Promise<T>((resolve) => socket.once(event, resolve));

test('every message of the channel names a schema of the document', () => {
  for (const ref of Object.values(doc.channels.live.messages)) {
    const message = doc.components.messages[ref.$ref.split('/').pop()!];
    assert.ok(message, ref.$ref);
    assert.ok(doc.components.schemas[message.payload.$ref.split('/').pop()!], message.payload.$ref);
  }
});

test('a handshake refusal carries a documented code', async () => {
  const socket = connect(url, undefined);
  try {
    const err = await received<Error & { data: unknown }>(socket, 'connect_error');
    conforms('connectError', err.data);
  } finally {
    socket.close();
  }
});

test('subscribe, unsubscribe and delta messages are as documented', async () => {
  const socket = connect(url, await mintToken({ roles: ['analytics:ops'] }));
  try {
    await connected(socket);
    const ok = await socket.emitWithAck('subscribe', 'global');
    assert.equal(ok.ok, true);
    conforms('subscribeAck', ok);
    const refused = await socket.emitWithAck('subscribe', 'nonsense');
    assert.equal(refused.ok, false);
    conforms('subscribeAck', refused);
    const notJoined = await socket.emitWithAck('unsubscribe', 'country:SN');
    assert.equal(notJoined.code, 'not_subscribed');
    conforms('unsubscribeAck', notJoined);

    const delta = received(socket, 'delta');
    const ingest = await t.inject({
      method: 'POST', url: '/api/v1/events',
      payload: { event_id: 'live_doc_1', type: 'wallet_txn_created', status: 'succeeded', txn_id: 'live_doc_1', merchant_id: 'm_1', amount: '10', currency: 'USD', country: 'SN', occurred_at: new Date().toISOString() },
    });
    assert.equal(ingest.statusCode, 200, ingest.body);
    conforms('delta', await delta);
    const left = await socket.emitWithAck('unsubscribe', 'global');
    assert.equal(left.ok, true);
    conforms('unsubscribeAck', left);
  } finally {
    socket.close();
  }
});

test('the closing notice when the token expires is as documented', async () => {
  const socket = connect(url, await mintToken({ roles: ['analytics:ops'], expiresIn: 1 }));
  try {
    const closing = received(socket, 'closing');
    await connected(socket);
    conforms('closing', await closing);
  } finally {
    socket.close();
  }
});
