// Compaction of the custom event rollups on a real ClickHouse 18.16: tracked events sent through
// the real engine in many batches leave per-batch rows in custom_rollup_stats/bins/users and in
// their totals (custom_totals_*); folding the month (as compaction while ingesting does) leaves
// fewer rows where they fold (days, totals; minute rows, which would hardly fold, as they were),
// and every statistic — counts, exact money sums, min, max, p50/p95/p99, distinct users, at the
// day, hour and minute grains — answers the same as before (float sums to 12 digits: ClickHouse
// does not fix the order it adds floats in, compacted or not).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openClickHouseBackend } from '../../../src/store/clickhouse/open-clickhouse-backend.ts';
import { analyticsStore } from '../../../src/store/open-analytics-store.ts';
import { compactRollups, CUSTOM_ROLLUP_TABLES } from '../../../src/store/clickhouse/compact-rollups.ts';
import { CLICKHOUSE_TOTALS_TABLES } from '../../../src/store/clickhouse/custom-totals.ts';

const TABLES = [...CUSTOM_ROLLUP_TABLES, ...CLICKHOUSE_TOTALS_TABLES];
import { connect } from '../../../src/store/clickhouse/connection.ts';
import type { AnalyticsStore } from '../../../src/store/analytics-store.ts';
import type { StoreBackend } from '../../../src/store/backend.ts';
import { createEngine, type Engine } from '../../../src/ingest/engine.ts';
import { createLogger } from '../../../src/log.ts';
import { trackEvents } from '../../../src/custom-events/track-events.ts';
import { openCustomEventsFixture, trackDeps, type CustomEventsFixture } from '../../support/custom-events.ts';
import { customEventStats, type StatsAnswer, type StatsRequest } from '../../../src/custom-events/custom-event-stats.ts';
import { frameNdjson } from '../../../src/ingest/frame-events.ts';
import { createPrng } from '../../../src/generator/prng.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const NOW = START + 31 * DAY;
const TYPE = 'fill.measured';

let fx: CustomEventsFixture;
let database: string;
let backend: StoreBackend;
let store: AnalyticsStore;
let engine: Engine;

before(async () => {
  fx = await openCustomEventsFixture('custom-compact', NOW, {
    name: TYPE,
    properties: [
      { name: 'venue', type: 'string', role: 'dimension' },
      { name: 'latency', type: 'number', role: 'measure', unit: 'ms' },
      { name: 'pnl', type: 'number', role: 'measure', unit: 'minor_units:XOF' },
    ],
  });
  backend = await openClickHouseBackend({ url: fx.server.url, database: (database = await fx.server.createDatabase('custom_compact')) });
  store = analyticsStore(backend);
  engine = await createEngine({ store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 90, maxBatchEvents: 1000, parseWorkers: 0 });
  const deps = trackDeps(fx.state, engine, NOW);
  const rng = createPrng('custom-compaction');
  // 30 bodies one after the other: 30 batches, each spread over the month (keys repeat across batches).
  for (let b = 0; b < 30; b++) {
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({
      event_type: TYPE, event_id: `e${b}-${i}`, user_id: `u${rng.int(0, 499)}`, timestamp: new Date(START + Math.floor(rng.float() * 30 * DAY)).toISOString(),
      properties: { venue: rng.pick(['xnas', 'xlon', 'xpar']), latency: Math.exp(2 + rng.normal()), pnl: rng.int(-5_000_000, 5_000_000) * 1_000_003 },
    }));
    const results = await trackEvents(deps, frameNdjson(Buffer.from(lines.join('\n'))));
    assert.ok(results.every((r) => r.status === 'accepted'));
  }
}, { timeout: 120_000 });

after(async () => {
  await engine?.close();
  await store?.close();
  await fx?.close();
});

const ask = (r: Partial<StatsRequest>) => customEventStats({ store, state: fx.state, maxBuckets: 100_000 }, {
  name: TYPE, measure: null, interval: 'all', from: START, to: START + 30 * DAY, tz: 'UTC', groupBy: null, filters: {}, merchantId: null, ...r,
});
/** Float sums to 12 digits (their order of addition is not fixed); everything else exactly. */
const comparable = (a: StatsAnswer) => ({
  ...a, items: a.items.map((i) => ({ ...i, sum: typeof i.sum === 'number' ? Number(i.sum.toPrecision(12)) : i.sum, avg: typeof i.avg === 'number' ? Number(i.avg.toPrecision(12)) : i.avg })),
});
/** Rows per table and grain ('table/grain'). */
async function rows(): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const table of TABLES) {
    for (const r of await backend.select(`SELECT grain, count() AS n FROM ${table} GROUP BY grain`)) out[`${table}/${r.grain}`] = Number(r.n);
  }
  return out;
}

test('folding the custom rollups takes out the rows that fold, joins each hour or day partition into one part, leaves minutes that would hardly fold as they were, and every answer the same', async () => {
  const kolkata = Date.parse('2026-01-10T00:00:00+05:30');
  const questions: Array<Partial<StatsRequest>> = [
    { measure: 'latency' }, { measure: 'pnl' }, // day rows
    { measure: 'latency', interval: '1d', tz: 'Asia/Kolkata', from: kolkata, to: kolkata + 3 * DAY }, // minute rows
    { measure: 'latency', interval: '1h', from: START, to: START + 2 * DAY, groupBy: 'venue' }, // hour rows
    { measure: 'pnl', interval: '15m', from: START, to: START + DAY, groupBy: 'venue' }, // money, minute rows
    { interval: '1d', groupBy: 'venue' }, // counts and distinct users per day
  ];
  const before = await Promise.all(questions.map(ask));
  assert.ok(before.every((a) => a.items.length > 0));
  const rowsBefore = await rows();
  // The month the batches wrote to, as compaction while ingesting folds it.
  const ch = await connect({ url: fx.server.url, database });
  const report = await compactRollups(ch, new Map(TABLES.map((t) => [t, new Set([202601])])));
  await ch.close();
  // A minute partition is folded only if that takes out at least a tenth of its rows: minutes
  // hardly fold (6,000 events over 43,200 minutes and three venues), so they are left as they
  // are. An hour or day partition is folded also when it is in several parts, however little
  // that takes out (one part each: fewer to read). Days fold (the 30 batches' events share them).
  const rowsAfter = await rows();
  assert.deepEqual(Object.keys(rowsAfter).sort(), Object.keys(rowsBefore).sort());
  let folded = 0;
  for (const [k, n] of Object.entries(rowsBefore)) {
    if (rowsAfter[k] !== n) folded++;
    if (k.endsWith('/1')) assert.equal(rowsAfter[k], n, `${k}: left as it was`);
    else assert.ok(rowsAfter[k] <= n, `${k}: ${n} → ${rowsAfter[k]}`);
  }
  for (const k of ['custom_rollup_stats/1440', 'custom_totals_stats/1440', 'custom_totals_bins/1440', 'custom_totals_stats/60']) {
    assert.ok(rowsAfter[k] < rowsBefore[k], `${k}: ${rowsBefore[k]} → ${rowsAfter[k]}`);
  }
  assert.ok(report.partitions >= folded, JSON.stringify(report));
  const severalParts = () => backend.select(`SELECT table, partition, count() AS n FROM system.parts WHERE database = currentDatabase()
    AND active AND table IN (${TABLES.map((t) => `'${t}'`).join(', ')}) AND NOT startsWith(partition, '(1,') GROUP BY table, partition HAVING n > 1`);
  assert.deepEqual(await severalParts(), [], 'one part per hour or day partition');
  const after = await Promise.all(questions.map(ask));
  questions.forEach((q, i) => assert.deepEqual(comparable(after[i]), comparable(before[i]), JSON.stringify(q)));
  // The full pass leaves the minute partitions as they were too, and all stays in one part.
  await store.compactRollups();
  const rowsFull = await rows();
  for (const [k, n] of Object.entries(rowsAfter)) {
    if (k.endsWith('/1')) assert.equal(rowsFull[k], n, `${k}: left as it was`);
    else assert.ok(rowsFull[k] <= n, `${k}: ${n} → ${rowsFull[k]}`);
  }
  assert.deepEqual(await severalParts(), [], 'one part per hour or day partition');
  const full = await Promise.all(questions.map(ask));
  questions.forEach((q, i) => assert.deepEqual(comparable(full[i]), comparable(before[i]), JSON.stringify(q)));
  assert.deepEqual(await store.compactRollups(), { partitions: 0, rowsBefore: 0, rowsAfter: 0 }, 'nothing left to fold');
});
