// What the export runner's queued heartbeat protects. A job waiting in a live process's queue
// writes no row of its own; without a heartbeat, once STALE_MS passes it would read as failed
// ("interrupted", as if its process had died) and stop counting towards the merchant's cap of
// active exports — so the merchant could queue more, and be told a job failed that then runs.
// With it, a job that waits longer than STALE_MS still reads queued, still counts, and runs.
//
// The runner here is a second one over the real app's stores (DuckDB, PGlite, the disk file
// store), one job at a time, its first job held at the file store until the test lets it go; its
// heartbeat is shortened, and the test waits for a beat to land (no timing is asserted).

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { txnEvents } from './merchant-events.ts';
import { openFileStore } from '../../src/files/open-file-store.ts';
import type { FileStore } from '../../src/files/file-store.ts';
import { createLogger } from '../../src/log.ts';
import { createExportRunner, insertExportJob, MAX_ACTIVE_PER_MERCHANT, STALE_MS, type ExportJobSpec, type ExportRunner } from '../../src/merchant/export/export-jobs.ts';

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
const updatedAt = async (id: string) =>
  (await t.platform.state.query<{ updated_at: Date }>('SELECT updated_at FROM merchant_exports WHERE id = $1', [id]))[0].updated_at.getTime();

describe('the export runner\'s queued heartbeat', () => {
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

  test('a job queued longer than STALE_MS in a live process still reads queued, counts towards the cap, and runs', { timeout: 30_000 }, async () => {
    const held = await insert();
    const waiting = [await insert(), await insert()];
    runner.enqueue(held); // runs, and waits at the file store
    for (const id of waiting) runner.enqueue(id); // wait in the queue: one job at a time
    while ((await status(held)).status !== 'running') await sleep(5);

    clock += STALE_MS + 60_000;
    // The next beats write the new time on the queued jobs' rows.
    for (const id of waiting) while (await updatedAt(id) !== clock) await sleep(5);

    for (const id of waiting) {
      const s = await status(id);
      assert.deepEqual([s.status, s.error], ['queued', null], 'not failed as interrupted while its process lives');
    }
    // The held job's row was last written when it started (a running job beats as its rows come):
    // it reads interrupted and counts no more. The two waiting ones do count: one more place.
    assert.equal((await status(held)).status, 'failed');
    await insert();
    await assert.rejects(insert(), { code: 'too_many_exports' }, `${MAX_ACTIVE_PER_MERCHANT} active: the cap holds`);

    release();
    await runner.idle();
    for (const id of waiting) assert.equal((await status(id)).status, 'ready', 'the waiting jobs ran once their turn came');
  });
});
