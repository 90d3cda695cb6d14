// Property: whatever the stream — duplicates, re-encoded copies, conflicts, reordering, late
// events, several currencies and offsets, batches of any size, concurrent submissions, restarts
// — every rollup at every granularity equals the aggregate recomputed from the events, and the
// query layer's day and hour buckets in any time zone equal the reference bucketed with luxon. On both
// analytics store backends: embedded DuckDB and a real ClickHouse server.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { openTempPlatform, type TempPlatform } from '../support/temp-platform.ts';
import { mulberry32, randomStream } from '../support/random-stream.ts';
import { acceptedEvents, contributions, rollupOf } from '../support/reference-rollups.ts';
import { readRollup } from '../support/read-rollups.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';

const START = Date.parse('2026-10-25T00:00:00Z'); // spans the Europe/US DST changes
const SPAN = 10 * 86_400_000;
const NOW = START + SPAN + 86_400_000 * 2;

let server: ClickHouseServer;
before(async () => { server = await startClickHouse(); });
after(async () => { await server?.stop(); });

type Backend = 'duckdb' | 'clickhouse';

async function ingestAll(dir: string, events: Array<Record<string, unknown>>, seed: number, backend: Backend): Promise<TempPlatform> {
  const rnd = mulberry32(seed ^ 0x5eed);
  const clickhouse = backend === 'clickhouse' ? { url: server.url, database: await server.createDatabase('prop') } : undefined;
  let p = await openTempPlatform({ dir, now: () => NOW, clickhouse });
  let i = 0;
  while (i < events.length) {
    // Mostly small batches; some large enough (≥ 512 lines) to go through the parse worker.
    const size = rnd() < 0.15 ? 600 + Math.floor(rnd() * 400) : 1 + Math.floor(rnd() * 120);
    const slices = [];
    const concurrent = rnd() < 0.3 ? 3 : 1;
    for (let k = 0; k < concurrent && i < events.length; k++) {
      // Some batches go as NDJSON lines, others as parsed objects.
      const slice = events.slice(i, i + size);
      slices.push(rnd() < 0.5 ? slice : slice.map((e) => JSON.stringify(e)));
      i += size;
    }
    await Promise.all(slices.map((items) => p.engine.submit({ source: 'test', items })));
    if (rnd() < 0.05) {
      await p.close();
      p = await openTempPlatform({ dir, now: () => NOW, clickhouse }); // restart: state rebuilt from raw
    }
  }
  return p;
}

for (const [backend, numRuns] of [['duckdb', 12], ['clickhouse', 6]] as const) test(`${backend}: rollups reconcile with the events at every granularity, whatever the stream`, async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 1, max: 2 ** 31 - 1 }), async (seed) => {
      const { events, conflicts } = randomStream({ seed, txns: 120, start: START, spanMs: SPAN });
      const dir = mkdtempSync(join(tmpdir(), 'molam-prop-'));
      const p = await ingestAll(dir, events, seed, backend);
      try {
        const expected = contributions(events);
        for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
          assert.deepEqual(await readRollup(p.store, table), rollupOf(expected, period), `rollup_${table}, seed ${seed}`);
        }
        assert.equal((await p.store.counts()).rawEvents, acceptedEvents(events).length);
        assert.equal((await p.store.deadLetters({ code: 'duplicate_conflict', limit: 100_000 })).length, conflicts);

        // Hours too: a UTC or Lagos hour is an hour row's own minute (rollup-aggregate's bucketSql).
        for (const [tz, granularity] of ['UTC', 'Africa/Lagos', 'Asia/Kolkata', 'America/New_York']
          .flatMap((z) => [[z, 'day'], [z, 'hour']] as const)) {
          const from = START - 86_400_000;
          const to = START + SPAN + 86_400_000;
          const result = await p.query({ from, to, tz, granularity, metrics: ['tx_count', 'succeeded_count', 'refund_count'] });
          const want = new Map<string, { tx: number; ok: number; refunds: number }>();
          // The query counts [from, to) only: a refund may come after the stream's last day.
          const inRange = expected.filter((c) => c.minute * 60000 >= from && c.minute * 60000 < to);
          for (const c of inRange) {
            const day = DateTime.fromMillis(c.minute * 60000, { zone: tz }).startOf(granularity).toMillis();
            const w = want.get(String(day)) ?? { tx: 0, ok: 0, refunds: 0 };
            if (c.kind <= 3) w.tx++;
            if (c.kind === 2) w.ok++;
            if (c.kind === 4) w.refunds++;
            want.set(String(day), w);
          }
          for (const row of result.rows) {
            const w = want.get(String(Date.parse(row.bucket!))) ?? { tx: 0, ok: 0, refunds: 0 };
            assert.deepEqual(
              [row.metrics.tx_count, row.metrics.succeeded_count, row.metrics.refund_count],
              [w.tx, w.ok, w.refunds], `${tz} ${granularity} ${row.bucket} seed ${seed}`,
            );
          }
          const total = result.rows.reduce((s, r) => s + (r.metrics.tx_count ?? 0), 0);
          assert.equal(total, inRange.filter((c) => c.kind <= 3).length, `${tz} ${granularity} total, seed ${seed}`);
        }
      } finally {
        await p.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }),
    { numRuns },
  );
});
