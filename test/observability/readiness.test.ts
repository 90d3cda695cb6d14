// /ready follows each part: commits failing (disk full — the store's writes made to fail, as in
// test/engine/commit-failure.test.ts) and the state store down (the real PostgreSQL behind a
// forwarder the test cuts) make it 503 naming the part; both come back without a restart, the
// failed commits even with no ingest traffic at all (a probe write).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { startParts } from '../../src/start-parts.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { createEngine } from '../../src/ingest/engine.ts';
import { DEFAULT_REGIONS_FILE, loadRegions } from '../../src/reference/regions.ts';
import { openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { openTempApp } from '../support/temp-app.ts';
import { TEST_SECRET, bearer, mintToken } from '../support/tokens.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { startForwarder } from '../support/tcp-forwarder.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

let clock = Date.now();
const now = () => clock;
const ready = async (app: FastifyInstance) => {
  const res = await app.inject({ url: '/ready' });
  return { status: res.statusCode, body: res.json() as { code?: string; parts: Record<string, { status: string }> } };
};
const statuses = (b: { parts: Record<string, { status: string }> }) => Object.fromEntries(Object.entries(b.parts).map(([k, v]) => [k, v.status]));

test('commits failing for lack of disk: /ready is 503 ingest_failing, and ready again once writes go through', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-ready-'));
  const real = await openDuckDbStore({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
  let diskFull = false; // commits and other writes fail
  let scanBroken = false; // the state rebuild after a failed commit fails too (the engine keeps recovering)
  const full = () => new Error('injected: IO Error: No space left on device');
  const store: AnalyticsStore = {
    ...real,
    async commitBatch(b) { if (diskFull) throw full(); return real.commitBatch(b); },
    async probeWrite(at) { if (diskFull) throw full(); return real.probeWrite(at); },
    async scanState(visit, after) { if (scanBroken) throw new Error('injected: read error'); return real.scanState(visit, after); },
  };
  const log = createLogger('silent');
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '0' });
  const engine = await createEngine({ store, log, now, maxFutureMs: 300_000, rawRetentionDays: 90, maxBatchEvents: 1000, parseWorkers: 0 });
  const state = await openStateStore({ databaseUrl: '', dataDir: dir });
  const app = await buildApp({ config, engine, store, state, regions: loadRegions(readFileSync(DEFAULT_REGIONS_FILE, 'utf8')), log, now });
  await startParts(app, ['ingest-http']);
  const token = await mintToken({ sub: 'ingest', roles: ['events:write'] });
  let n = 0;
  const post = () => app.inject({
    method: 'POST', url: '/api/v1/events', headers: bearer(token),
    payload: [{ event_id: `e_${++n}`, type: 'wallet_txn_created', status: 'succeeded', txn_id: `t_${n}`, merchant_id: 'm', amount: '10', currency: 'USD', country: 'SN', occurred_at: new Date(clock - 60_000).toISOString() }],
  });
  try {
    assert.deepEqual(statuses((await ready(app)).body), { analytics: 'ready', ingest: 'ready', state: 'ready' });
    assert.equal((await post()).statusCode, 200);

    diskFull = true;
    scanBroken = true;
    assert.equal((await post()).statusCode, 503, 'the commit fails');
    const failing = await ready(app);
    assert.equal(failing.status, 503);
    assert.equal(failing.body.code, 'ingest_failing');
    assert.deepEqual(statuses(failing.body), { analytics: 'ready', ingest: 'failing', state: 'ready' });
    clock += 10_000;
    assert.equal((await ready(app)).body.code, 'ingest_failing', 'the probe write fails too while the disk is full');

    // Room again, and no ingest at all: the next probe write notices; the engine is still rebuilding.
    diskFull = false;
    assert.equal((await ready(app)).body.code, 'ingest_failing', 'probed at most every 5 s');
    clock += 10_000;
    const recovering = await ready(app);
    assert.equal(recovering.body.code, 'ingest_recovering', JSON.stringify(recovering.body));
    assert.deepEqual(statuses(recovering.body), { analytics: 'ready', ingest: 'recovering', state: 'ready' });
    scanBroken = false; // the engine's next rebuild attempt (it retries with backoff) succeeds
    let back;
    while ((back = await ready(app)).status === 503) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(statuses(back.body), { analytics: 'ready', ingest: 'ready', state: 'ready' });

    // A successful commit clears it as well (no probe due: the clock does not move).
    diskFull = true;
    assert.equal((await post()).statusCode, 503);
    assert.equal((await ready(app)).body.code, 'ingest_failing');
    diskFull = false;
    let res;
    // The engine rebuilds its state after a failed commit, refusing submissions meanwhile (503, retry).
    while ((res = await post()).statusCode === 503) await new Promise((r) => setTimeout(r, 20));
    assert.equal(res.statusCode, 200, res.body);
    assert.equal((await ready(app)).status, 200);
  } finally {
    await app.close();
    await engine.close();
    await real.close();
    await state.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the state store down: /ready is 503 state_unavailable naming it, and 200 again when it returns', { skip: !pgUp && 'PostgreSQL unreachable' }, async () => {
  const target = new URL(TEST_DATABASE_URL);
  const fwd = await startForwarder({ host: target.hostname, port: Number(target.port || 5432) });
  const via = new URL(TEST_DATABASE_URL);
  via.host = `127.0.0.1:${fwd.port}`;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const t = await openTempApp({ now, env: { DATABASE_URL: via.toString(), DATABASE_SCHEMA: schema } });
  try {
    assert.equal((await ready(t.app)).status, 200);
    await fwd.cut();
    clock += 10_000; // past the cached answer
    const down = await ready(t.app);
    assert.equal(down.status, 503);
    assert.equal(down.body.code, 'state_unavailable');
    assert.deepEqual(statuses(down.body), { analytics: 'ready', ingest: 'ready', state: 'unavailable' });
    await fwd.restore();
    clock += 10_000;
    assert.equal((await ready(t.app)).status, 200);
  } finally {
    await t.close();
    await fwd.close();
    await dropSchemas([schema]);
  }
});
