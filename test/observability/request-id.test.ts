// Request ids: a valid incoming x-request-id is kept, anything else replaced by a UUID; the id
// is on every request log line and echoed in the response; Authorization never reaches the logs.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { genReqId, registerRequestIdHeader } from '../../src/observability/request-id.ts';
import { createLogger } from '../../src/log.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function loggedApp() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(JSON.parse(String(chunk))); done(); } });
  const app = Fastify({ loggerInstance: createLogger('info', sink) as FastifyBaseLogger, genReqId, requestIdHeader: false });
  registerRequestIdHeader(app);
  app.get('/echo', async (req) => {
    req.log.info({ headers: req.headers }, 'headers as seen');
    req.log.info({ req: { headers: req.headers }, upstream: { authorization: req.headers.authorization } }, 'nested');
    return { ok: true };
  });
  app.get('/fail', async () => { throw new Error('boom'); });
  return { app, lines };
}

test('a valid x-request-id is kept, echoed, and on every request log line', async () => {
  const { app, lines } = await loggedApp();
  const res = await app.inject({ url: '/echo', headers: { 'x-request-id': 'abc-123_X.y' } });
  assert.equal(res.headers['x-request-id'], 'abc-123_X.y');
  const requestLines = lines.filter((l) => l.msg !== 'Server listening');
  assert.ok(requestLines.length >= 3);
  for (const l of requestLines) assert.equal(l.reqId, 'abc-123_X.y', JSON.stringify(l));
  await app.close();
});

test('an invalid or missing x-request-id gets a fresh UUID', async () => {
  const { app } = await loggedApp();
  for (const bad of [undefined, '', 'has space', 'semi;colon', 'x'.repeat(129), 'é']) {
    const res = await app.inject({ url: '/echo', headers: bad === undefined ? {} : { 'x-request-id': bad } });
    assert.match(String(res.headers['x-request-id']), UUID, String(bad));
  }
  const max = 'x'.repeat(128);
  assert.equal((await app.inject({ url: '/echo', headers: { 'x-request-id': max } })).headers['x-request-id'], max);
  await app.close();
});

test('errors and unknown routes echo the request id too', async () => {
  const { app } = await loggedApp();
  for (const url of ['/fail', '/nope']) {
    const res = await app.inject({ url, headers: { 'x-request-id': 'req-1' } });
    assert.ok(res.statusCode >= 400);
    assert.equal(res.headers['x-request-id'], 'req-1', url);
  }
  await app.close();
});

test('the Authorization header never reaches the logs', async () => {
  const { app, lines } = await loggedApp();
  await app.inject({ url: '/echo', headers: { authorization: 'Bearer secret-token-value' } });
  const text = JSON.stringify(lines);
  assert.doesNotMatch(text, /secret-token-value/);
  assert.match(text, /\[redacted\]/);
  await app.close();
});
