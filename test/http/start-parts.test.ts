// Build, then start: building the app starts nothing; startParts starts the parts it is given,
// each of which then works; its stop function, or closing the app, stops them. The evidence needs
// no clock: the setInterval calls made (Node's own, watched and passed through), whether the
// Socket.IO handshake is answered, whether the REST live window follows ingest, and what the
// started parts eventually do (an alert opens, retention reports), bounded by the test timeout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { openPlatform } from '../../src/platform.ts';
import { partsFor, startParts } from '../../src/start-parts.ts';
import { openTempApp } from '../support/temp-app.ts';
import { TEST_SECRET, bearer, mintToken } from '../support/tokens.ts';
import { liveClient } from '../support/live-client.ts';

let n = 0;
const event = () => {
  const id = `bs_${++n}`;
  return { event_id: id, type: 'wallet_txn_created', status: 'succeeded', txn_id: id, merchant_id: 'm_bs', amount: '5', currency: 'USD', country: 'SN', occurred_at: new Date(Date.now() - 60_000).toISOString() };
};

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
}

/** The engine.io handshake: answered by Socket.IO (its open packet), or not (the app's 404). */
async function handshake(base: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`${base}/socket.io/?EIO=4&transport=polling`);
  return { status: res.status, body: await res.text() };
}

/** Waits until `check` holds; the test's timeout bounds the wait. */
async function eventually(check: () => Promise<boolean> | boolean): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

test('building starts nothing; started, each part works; closing the app stops them', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-parts-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'info', JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '0', ALERT_EVAL_INTERVAL: '1' });
  const logged: Array<{ msg?: string }> = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { logged.push(JSON.parse(line)); } });
  const platform = await openPlatform(config, log);
  const token = await mintToken({ sub: 'ops', roles: ['analytics:ops', 'events:write'] });
  const api = (app: FastifyInstance, method: 'GET' | 'POST', url: string, payload?: unknown) =>
    app.inject({ method, url, headers: bearer(token), ...(payload === undefined ? {} : { payload: payload as object }) });
  const intervals = t.mock.method(globalThis, 'setInterval');
  const app = await buildApp({ config, engine: platform.engine, store: platform.store, state: platform.state, regions: platform.regions, log });
  try {
    await app.ready();
    const base = await listen(app);
    assert.equal(intervals.mock.callCount(), 0, 'building set no interval timer: no scheduler, no reload, no retention');
    const before = await handshake(base);
    assert.equal(before.status, 404, 'no Socket.IO server answers');
    assert.equal(JSON.parse(before.body).code, 'not_found');
    const refused = await api(app, 'POST', '/api/v1/events', [event()]);
    assert.equal(refused.statusCode, 503, 'HTTP ingest is a source, not started');
    assert.equal(refused.json().code, 'ingest_stopped');
    assert.equal(refused.headers['retry-after'], '1');
    assert.equal((await platform.engine.submit({ source: 'test', items: [event()] }))[0].status, 'accepted');
    assert.equal((await api(app, 'GET', '/api/analytics/live')).json().totals.tx_count, 0, 'the live window neither loaded nor follows commits');
    const rule = await api(app, 'POST', '/api/analytics/alerts/rules', {
      name: 'any traffic', metric: 'tx_count', window_minutes: 60, condition: { type: 'threshold', op: '>', value: 0 },
    });
    assert.equal(rule.statusCode, 201, rule.body);
    assert.ok(!logged.some((l) => l.msg === 'retention applied'));

    await startParts(app, partsFor(config)); // as main.ts does: no Kafka brokers, no demo here
    const every = intervals.mock.calls.map((c) => c.arguments[1]);
    for (const ms of [1000, 2000, 600_000, config.RETENTION_INTERVAL_MINUTES * 60_000]) {
      assert.ok(every.includes(ms), `an interval of ${ms} ms (alert evaluation, delivery, FX reload, retention): ${every}`);
    }
    assert.equal((await api(app, 'GET', '/api/analytics/live')).json().totals.tx_count, 1, 'live-feed: the window loaded the last hour');
    const after = await handshake(base);
    assert.equal(after.status, 200);
    assert.match(after.body, /^0\{"sid":/, 'live: Socket.IO answers the handshake');
    const client = await liveClient(base, token);
    assert.equal((await client.subscribe('global')).ok, true);
    assert.equal((await api(app, 'POST', '/api/v1/events', [event()])).json().accepted, 1);
    // live: the commit reaches the subscriber; alerts: the scheduler opens an alert; retention: its first run reports.
    await eventually(async () => { await client.settle(); return client.totals.get('global')?.tx_count === 2; });
    await eventually(async () => (await api(app, 'GET', `/api/analytics/alerts?rule_id=${rule.json().id}`)).json().items.length === 1);
    await eventually(() => logged.some((l) => l.msg === 'retention applied'));
    // Closing with a client still connected: Socket.IO stops before Fastify waits for connections
    // (else this close never resolves, and the test times out).
    await app.close();
    assert.equal(client.socket.connected, false);
  } finally {
    await app.close();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('HTTP ingest stopped: new requests get 503 ingest_stopped; one in flight is answered first', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-parts-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '0' });
  const platform = await openPlatform(config, pino({ level: 'silent' }));
  const app = await buildApp({ config, engine: platform.engine, store: platform.store, state: platform.state, regions: platform.regions, log: pino({ level: 'silent' }) });
  const token = await mintToken({ sub: 'ops', roles: ['analytics:ops', 'events:write'] });
  const post = () => app.inject({ method: 'POST', url: '/api/v1/events', headers: bearer(token), payload: [event()] });
  try {
    const stop = await startParts(app, ['ingest-http']);
    assert.equal((await post()).json().accepted, 1);
    const inFlight = post();
    // The request is handed to the engine synchronously once its body is read; stop waits for it.
    await new Promise((r) => setImmediate(r));
    await stop();
    const answered = await inFlight;
    assert.ok(answered.statusCode === 200 || answered.json().code === 'ingest_stopped', answered.body);
    const after = await post();
    assert.equal(after.statusCode, 503);
    assert.equal(after.json().code, 'ingest_stopped');
    const stored = (await platform.store.loadMeta()).rawEvents;
    assert.equal(stored, answered.statusCode === 200 ? 2 : 1, 'what was answered 200 is stored, nothing else');
  } finally {
    await app.close();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('startParts refuses a part without what it works from; its stop function stops what it started', { timeout: 60_000 }, async () => {
  const t = await openTempApp();
  try {
    await assert.rejects(startParts(t.app, ['live']), /the part live needs live-feed started too/);
    await assert.rejects(startParts(t.app, ['fx-reload']), /the part fx-reload needs live-feed started too/);
    await assert.rejects(startParts(t.app, ['nope' as never]), /no part named "nope"/);
    const base = await listen(t.app);
    const stop = await startParts(t.app, ['live-feed', 'live']);
    assert.equal((await handshake(base)).status, 200);
    assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: [event()] })).json().accepted, 1);
    assert.equal((await t.inject({ method: 'GET', url: '/api/analytics/live' })).json().totals.tx_count, 1);

    await stop();
    assert.equal((await handshake(base)).status, 404, 'stopped, Socket.IO is detached from the HTTP server');
    assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: [event()] })).json().accepted, 1);
    assert.equal((await t.inject({ method: 'GET', url: '/api/analytics/live' })).json().totals.tx_count, 1, 'stopped, the window follows no commit');
    assert.equal((await t.inject({ method: 'GET', url: '/api/analytics/kpis' })).statusCode, 200, 'the app serves on');
    await assert.rejects(startParts(t.app, ['live-feed']), /the part live-feed was started already/);
  } finally {
    await t.close();
  }
});
