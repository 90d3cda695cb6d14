// A background export whose worker stalled or died: with no heartbeat for STALE_MS it reads failed
// (`interrupted`) — not a moment before — and the sweep (markStalledExports, run by the retention
// part) marks it so in the state store; a runner that comes back after that neither beats it nor
// makes it ready, and its file is removed. The runner here is a second one over the real app's
// stores (DuckDB, PGlite, the disk file store), its job held at the file store until the test lets
// it go; the clock is the test's (no timing is asserted).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { txnEvents } from './merchant-events.ts';
import { openFileStore } from '../../src/files/open-file-store.ts';
import type { FileStore } from '../../src/files/file-store.ts';
import { createLogger } from '../../src/log.ts';
import { createExportRunner, insertExportJob, markStalledExports, STALE_MS, type ExportJobSpec, type ExportRunner } from '../../src/merchant/export/export-jobs.ts';

const NOW = Date.parse('2026-04-10T09:00:00Z');
let clock = NOW;
const SPEC: ExportJobSpec = { kind: 'transactions', format: 'csv', lang: 'en', from: Date.parse('2026-04-01T00:00:00Z'), to: Date.parse('2026-05-01T00:00:00Z') };

let t: TempApp;
let files: FileStore;
let runner: ExportRunner;
let release: () => void;
let headers: Record<string, string>;

const insert = () => t.platform.state.transaction((q) => insertExportJob(q, 'm_a', 'ana@m_a', SPEC, clock));
const status = async (id: string) => (await t.app.inject({ url: `/api/merchant/exports/${id}`, headers })).json() as { status: string; error: string | null };
const row = async (id: string) =>
  (await t.platform.state.query<{ status: string; error: string | null; file_key: string | null }>('SELECT status, error, file_key FROM merchant_exports WHERE id = $1', [id]))[0];
/** A job left `running` by a worker that last beat at `at`. */
const running = async (at: number) => {
  const id = await insert();
  await t.platform.state.query(`UPDATE merchant_exports SET status = 'running', updated_at = $2 WHERE id = $1`, [id, new Date(at)]);
  return id;
};

describe('a stalled background export', () => {
  before(async () => {
    t = await openTempApp({ now: () => clock });
    const events = txnEvents({ merchant: 'm_a', txn: 'tx_1', at: '2026-04-01T10:00:00Z', status: 'succeeded', amount: '5000' });
    assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: events })).json().accepted, events.length);
    headers = bearer(await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a' }));
    files = await openFileStore(t.config);
    const gate = new Promise<void>((resolve) => { release = resolve; });
    const { store, state, engine, regions } = t.platform;
    runner = createExportRunner({
      exportDeps: { store, state, now: () => clock, responseDays: 7, dims: { regions, get dict() { return engine.state.dict; } } },
      state, files: async () => { await gate; return files; }, log: createLogger('silent'), concurrency: 1, now: () => clock, heartbeatMs: 5,
    });
  });
  after(async () => {
    release();
    await runner.close();
    await files.close();
    await t.close();
  });

  test('reads interrupted once STALE_MS passed without a heartbeat, and the sweep marks exactly those', async () => {
    const dead = await running(clock - STALE_MS - 1);
    const alive = await running(clock - STALE_MS);
    assert.deepEqual(await status(dead), { ...(await status(dead)), status: 'failed', error: 'interrupted' });
    assert.equal((await status(alive)).status, 'running', 'exactly STALE_MS: not yet');
    assert.equal((await row(dead)).status, 'running', 'reads say interrupted before the sweep writes it');

    assert.deepEqual(await markStalledExports(t.platform.state, clock), [dead]);
    assert.deepEqual(await row(dead), { status: 'failed', error: 'interrupted', file_key: null });
    assert.equal((await row(alive)).status, 'running');
    assert.deepEqual(await markStalledExports(t.platform.state, clock), [], 'a second sweep finds nothing more');
    clock += 1;
    assert.deepEqual(await markStalledExports(t.platform.state, clock), [alive]);
  });

  test('a runner that comes back after its job was marked interrupted leaves it so, and keeps no file', { timeout: 30_000 }, async () => {
    const id = await insert();
    runner.enqueue(id); // runs, and waits at the file store
    while ((await row(id)).status !== 'running') await sleep(5);
    clock += STALE_MS + 1;
    assert.deepEqual(await markStalledExports(t.platform.state, clock), [id]);
    release();
    await runner.idle();
    assert.deepEqual(await row(id), { status: 'failed', error: 'interrupted', file_key: null });
    assert.deepEqual(await status(id), { ...(await status(id)), status: 'failed', error: 'interrupted' });
    assert.equal(await files.stat(`exports/${id}`), null, 'the late file is removed');
  });
});
