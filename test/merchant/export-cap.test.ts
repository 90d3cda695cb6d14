// The cap of a merchant's active exports (MAX_ACTIVE_PER_MERCHANT, queued or running) under
// concurrency: many requests at once, from replicas each with its own pool of connections, queue
// exactly that many jobs and refuse every other one with too_many_exports. The count and the
// insert are one step under the merchant's lock (insertExportJob): without it, requests that
// counted before any of them inserted would all pass.
//
// On PostgreSQL this is the real test: three stores on one schema (three replicas), five
// connections each, all requests sent together. On PGlite (one connection) it checks the same
// answer while the requests interleave in the event loop.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pgliteBackend, postgresBackend, postgresReachable, type Backend } from '../support/state-backends.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';
import { AppError } from '../../src/errors.ts';
import { insertExportJob, MAX_ACTIVE_PER_MERCHANT, type ExportJobSpec } from '../../src/merchant/export/export-jobs.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const NOW = Date.parse('2026-04-10T09:00:00Z');
const REQUESTS = 60;
const SPEC: ExportJobSpec = { kind: 'transactions', format: 'csv', lang: 'en', from: Date.parse('2026-04-01T00:00:00Z'), to: Date.parse('2026-05-01T00:00:00Z') };

for (const make of [pgliteBackend, postgresBackend]) {
  const backend: Backend = make();
  describe(`the per-merchant export cap under ${REQUESTS} concurrent requests, state store on ${backend.name}`, {
    skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable', timeout: 120_000,
  }, () => {
    const replicas: StateStore[] = [];
    before(async () => {
      const shared = randomBytes(4).toString('hex');
      for (let i = 0; i < (backend.name === 'postgres' ? 3 : 1); i++) replicas.push(await backend.open(shared));
    });
    after(async () => {
      for (const s of replicas) await s.close();
      await backend.cleanup();
    });

    for (const round of [1, 2, 3]) {
      test(`round ${round}: exactly ${MAX_ACTIVE_PER_MERCHANT} jobs queued per merchant, the others refused`, async () => {
        const merchants = [`m_${round}_a`, `m_${round}_b`];
        const answers = await Promise.allSettled(Array.from({ length: REQUESTS }, (_, i) => {
          const merchant = merchants[i % merchants.length];
          return replicas[i % replicas.length].transaction((q) => insertExportJob(q, merchant, `u${i}@${merchant}`, SPEC, NOW));
        }));
        const refused = answers.filter((a) => a.status === 'rejected');
        for (const r of refused) {
          assert.ok(r.reason instanceof AppError && r.reason.code === 'too_many_exports', String(r.reason));
        }
        assert.equal(answers.length - refused.length, MAX_ACTIVE_PER_MERCHANT * merchants.length);
        const rows = await replicas[0].query<{ merchant_id: string; n: number | string }>(
          `SELECT merchant_id, count(*) AS n FROM merchant_exports WHERE merchant_id = ANY($1) AND status = 'queued' GROUP BY merchant_id ORDER BY merchant_id`, [merchants]);
        assert.deepEqual(rows.map((r) => [r.merchant_id, Number(r.n)]), merchants.map((m) => [m, MAX_ACTIVE_PER_MERCHANT]));
      });
    }
  });
}
