// The store contract, on both backends: the same events and FX rates sent to an embedded DuckDB
// store and to a real ClickHouse server give the same answer to every named query — the metric
// aggregates the API is made of (every metric, time zones with DST and half-hour offsets, every
// granularity, groups, filters, ranking with a limit, a single currency's exact local sums),
// raw event pages and stats, dead letters, FX tables, the live seed, rollup cells — and both
// equal the independent reference; compaction changes no answer; retention leaves both holding
// the same.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { randomStream } from '../support/random-stream.ts';
import { contributions, rollupOf } from '../support/reference-rollups.ts';
import { readRollup } from '../support/read-rollups.ts';
import { REGIONS } from '../support/temp-platform.ts';
import { openDuckDbBackend } from '../../src/store/duckdb/open-duckdb-backend.ts';
import { openClickHouseBackend } from '../../src/store/clickhouse/open-clickhouse-backend.ts';
import { analyticsStore } from '../../src/store/open-analytics-store.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { createEngine, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import { runQuery, type QuerySpec, type QueryResult } from '../../src/query/run-query.ts';
import { loadFxRates, parseFxCsv, type FxRate } from '../../src/fx/fx-rates.ts';
import { connect } from '../../src/store/clickhouse/connection.ts';
import { migrate } from '../../src/store/clickhouse/migrations.ts';
import { waitForMutations } from '../../src/store/clickhouse/recover.ts';
import { FX_LOOKUP_MIGRATION } from '../../src/store/queries/fx.ts';
import { BY_CURRENCY_MIGRATION, BY_CURRENCY_TABLES } from '../../src/store/clickhouse/by-currency.ts';
import { runRetention } from '../../src/retention/run-retention.ts';
import { METRICS } from '../../src/metrics/registry.ts';
import { currencyKey } from '../../src/reference/currencies.ts';
import { assertSame } from '../support/same-answer.ts';

const START = Date.parse('2026-09-20T00:00:00Z');
const NOW = START + 75 * 86_400_000;
const DAY = 86_400_000;

interface Side { name: string; store: AnalyticsStore; engine: Engine }
let server: ClickHouseServer;
let dir: string;
const sides: Side[] = [];
let events: Array<Record<string, unknown>>;
let fx: FxRate[];
let clickDatabase: string;

before(async () => {
  server = await startClickHouse();
  dir = mkdtempSync(join(tmpdir(), 'molam-same-'));
  const duck = analyticsStore(await openDuckDbBackend({ dataDir: dir, memoryLimit: '256MB', threads: 1 }));
  clickDatabase = await server.createDatabase('same');
  const click = analyticsStore(await openClickHouseBackend({ url: server.url, database: clickDatabase }));
  const stream = randomStream({ seed: 1911, txns: 1500, start: START, spanMs: 70 * DAY });
  // The first copy of an event id wins on both; conflicting copies are dead letters on both.
  events = stream.events;
  // The sample rates, none for KWD: unconverted counts are part of the answer.
  fx = parseFxCsv(readFileSync('reference/fx-rates.sample.csv', 'utf8'), NOW)
    .filter((r) => r.currency !== 'KWD');
  for (const [name, store] of [['duckdb', duck], ['clickhouse', click]] as const) {
    await loadFxRates(store, fx, 'sample', NOW);
    const engine = await createEngine({
      store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000,
      rawRetentionDays: 400, maxBatchEvents: 700, parseWorkers: 0,
    });
    // Each batch carries two sources' positions, as a Kafka batch carries one per partition.
    for (let i = 0; i < events.length; i += 700) {
      const positions = [{ source: 'same', position: String(i) }, { source: `same/${(i / 700) % 2}`, position: String(i) }];
      await engine.submit({ source: 'same', positions, items: events.slice(i, i + 700) });
    }
    await engine.flush();
    sides.push({ name, store, engine });
  }
});

after(async () => {
  for (const s of sides) {
    await s.engine.close();
    await s.store.close();
  }
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function query(s: Side, spec: Partial<QuerySpec>): Promise<QueryResult> {
  return runQuery(
    {
      store: s.store, now: () => NOW, dict: s.engine.state.dict, regions: REGIONS,
      limits: { minuteDays: 180, hourDays: 365, maxBuckets: 10_000, maxMinuteSpanDays: 31 },
    },
    { metrics: [], dimensions: [], filters: {}, granularity: 'all', tz: 'UTC', from: START, to: NOW, ...spec } as QuerySpec,
  );
}


const SPECS: Record<string, Partial<QuerySpec>> = {
  'every metric, whole range': { metrics: METRICS.map((m) => m.name) },
  'daily series, Paris (a DST change inside), filled': { metrics: ['tx_count', 'success_rate', 'gross_volume_usd'], granularity: 'day', tz: 'Europe/Paris', fill: true },
  'hourly by currency in Kathmandu (+05:45), two days': {
    metrics: ['tx_count', 'refund_volume_usd', 'net_volume_usd'], dimensions: ['currency'], granularity: 'hour', tz: 'Asia/Kathmandu',
    from: START + 30 * DAY - 37 * 60_000, to: START + 32 * DAY - 11 * 60_000,
  },
  'weekly by country and status in New York': { metrics: ['tx_count', 'avg_ticket_usd'], dimensions: ['country', 'status'], granularity: 'week', tz: 'America/New_York' },
  'monthly by region and type in Lagos': { metrics: ['tx_count', 'chargeback_rate', 'payout_volume_usd'], dimensions: ['region', 'type'], granularity: 'month', tz: 'Africa/Lagos' },
  'top 5 merchants by gross volume': { metrics: ['gross_volume_usd', 'tx_count'], dimensions: ['merchant_id'], orderBy: { metric: 'gross_volume_usd', desc: true }, limit: 5 },
  'one currency: exact local sums, by provider and method': {
    metrics: ['gross_volume_usd', 'fees_usd', 'refund_volume_usd', 'net_volume_usd', 'avg_ticket_usd'], dimensions: ['provider', 'payment_method'], filters: { currency: ['XOF'] },
  },
  'filtered by merchants and a type group, by city, per day in UTC': {
    metrics: ['tx_count', 'failed_count', 'refund_rate'], dimensions: ['city'], granularity: 'day',
    filters: { merchant_id: ['m_dakar', 'm_lagos', 'nobody'], type: ['payment', 'refund'] },
  },
  'a currency without rates: unconverted counts': { metrics: ['gross_volume_usd'], filters: { currency: ['KWD'] } },
};

for (const [name, spec] of Object.entries(SPECS)) {
  test(`same answer on both backends: ${name}`, async () => {
    const [a, b] = await Promise.all(sides.map((s) => query(s, spec)));
    assert.ok(a.rows.length > 0 || name.startsWith('a currency'), `${name}: some rows`);
    assertSame(b, a, name);
  });
}

test('the unconverted count covers every group, also those a limit leaves out', async () => {
  for (const s of sides) {
    const all = await query(s, { metrics: ['tx_count'], dimensions: ['merchant_id'] });
    const top = await query(s, { metrics: ['tx_count'], dimensions: ['merchant_id'], orderBy: { metric: 'tx_count', desc: true }, limit: 1 });
    assert.equal(top.rows.length, 1);
    assert.ok(all.unconverted > 0, `${s.name}: KWD events are unconverted`);
    assert.equal(top.unconverted, all.unconverted, s.name);
  }
});

test('both backends hold exactly the reference rollups', async () => {
  const expected = contributions(events);
  for (const s of sides) {
    for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
      assert.deepEqual(await readRollup(s.store, table), rollupOf(expected, period), `${s.name} rollup_${table}`);
    }
  }
});

test('same raw event pages, stats, dead letters, FX tables, live seed and counts', async () => {
  const [a, b] = sides.map((s) => s.store);
  const range = { from: START, to: NOW, filters: [{ column: 'currency_key' as const, keys: [currencyKey('XOF')!, currencyKey('NGN')!] }] };
  const page1 = await a.rawEventPage({ ...range, limit: 50 });
  assertSame(await b.rawEventPage({ ...range, limit: 50 }), page1, 'page 1');
  const before = { occurredAt: page1[49].occurredAt, eventId: page1[49].eventId };
  assertSame(await b.rawEventPage({ ...range, before, limit: 50 }), await a.rawEventPage({ ...range, before, limit: 50 }), 'page 2');
  const txn = page1[0].type < 4 ? page1[0].entityId : page1[0].txnId!;
  assertSame(await b.rawEventPage({ ...range, filters: [], txnId: txn, limit: 100 }), await a.rawEventPage({ ...range, filters: [], txnId: txn, limit: 100 }), 'by txn');
  const sortGroups = (x: Awaited<ReturnType<AnalyticsStore['rawEventStats']>>) => ({ ...x, groups: [...x.groups].sort((p, q) => p.type - q.type || p.kind - q.kind) });
  assertSame(sortGroups(await b.rawEventStats(range)), sortGroups(await a.rawEventStats(range)), 'stats');
  assertSame(await b.rawEventById(page1[7].eventId), await a.rawEventById(page1[7].eventId), 'by id');
  assert.equal(await b.rawEventById("nope' OR 1=1 --\\"), null);
  assertSame(await b.deadLetters({ limit: 1000 }), await a.deadLetters({ limit: 1000 }), 'dead letters');
  assertSame(await b.fxRates({ currency: 'XOF', from: '2026-10-01', to: '2026-10-31', limit: 100 }),
    await a.fxRates({ currency: 'XOF', from: '2026-10-01', to: '2026-10-31', limit: 100 }), 'fx rates');
  const today = Math.floor(NOW / DAY);
  const byKey = (rows: Array<{ currencyKey: number; day: number }>) => [...rows].sort((p, q) => p.currencyKey - q.currencyKey || p.day - q.day);
  assertSame(byKey(await b.fxEffective(today - 60, today + 2)), byKey(await a.fxEffective(today - 60, today + 2)), 'fx effective');
  const seed = async (s: AnalyticsStore) => {
    const x = await s.liveSeed(Math.floor(NOW / 60_000) - 3 * 1440);
    const rows = Array.from({ length: x.count }, (_, i) => [x.minute[i], x.merchantKey[i], x.countryKey[i], x.cityKey[i], x.currencyKey[i], x.kind[i], x.cnt[i], String(x.amountMinor[i])].join('|'));
    return rows.sort();
  };
  assertSame(await seed(b), await seed(a), 'live seed');
  const counts = await a.counts();
  assertSame({ ...(await b.counts()), rollupRows: null }, { ...counts, rollupRows: null }, 'counts');
  assert.equal(counts.rawEvents, counts.distinctEventIds);
  assertSame((await b.loadMeta()).lastBatchId, (await a.loadMeta()).lastBatchId, 'batches');
  const last = Math.floor((events.length - 1) / 700) * 700;
  for (const side of [a, b]) {
    assert.equal(await side.sourcePosition('same'), String(last));
    assert.equal(await side.sourcePosition(`same/${(last / 700) % 2}`), String(last));
    assert.equal(await side.sourcePosition(`same/${(last / 700 + 1) % 2}`), String(last - 700));
    assert.equal(await side.sourcePosition('same/2'), null);
  }
});

test('compaction folds ClickHouse\'s per-batch rollup rows, and every answer stays the same', async () => {
  const click = sides[1].store;
  const before = (await click.counts()).rollupRows;
  const report = await click.compactRollups();
  const after = (await click.counts()).rollupRows;
  assert.ok(report.partitions > 0 && report.rowsAfter < report.rowsBefore, JSON.stringify(report));
  assert.ok(after.minute + after.hour + after.day < before.minute + before.hour + before.day, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  assert.deepEqual(await click.compactRollups(), { partitions: 0, rowsBefore: 0, rowsAfter: 0 }, 'nothing left to fold');
  for (const [name, spec] of Object.entries(SPECS)) {
    const [a, b] = await Promise.all(sides.map((s) => query(s, spec)));
    assertSame(b, a, `compacted: ${name}`);
  }
  const expected = contributions(events);
  for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
    assert.deepEqual(await readRollup(click, table), rollupOf(expected, period), `compacted rollup_${table}`);
  }
});

test('retention leaves both backends with the same rows and the same day totals', async () => {
  const policy = { rawDays: 40, minuteDays: 45, hourDays: 60 };
  const totals = await Promise.all(sides.map((s) => query(s, { metrics: ['tx_count', 'gross_volume_usd'], granularity: 'day' })));
  for (const s of sides) await runRetention(s.store, s.engine, policy, NOW);
  const [a, b] = sides.map((s) => s.store);
  for (const t of ['minute', 'hour', 'day'] as const) {
    const key = (c: { minute: number; merchantKey: number; countryKey: number; cityKey: number; currencyKey: number; methodKey: number; providerKey: number; kind: number }) =>
      [c.minute, c.merchantKey, c.countryKey, c.cityKey, c.currencyKey, c.methodKey, c.providerKey, c.kind].join('|');
    const cells = async (s: AnalyticsStore) => (await s.rollupCells(t)).map((c) => `${key(c)}=${c.cnt}/${c.amountMinor}/${c.feeMinor}`).sort();
    const [x, y] = await Promise.all([cells(a), cells(b)]);
    assert.deepEqual(y, x, `rollup_${t} after retention`);
  }
  const cutMinute = Math.floor(NOW / DAY - policy.minuteDays) * 1440;
  assert.ok((await b.rollupCells('minute')).every((c) => c.minute >= cutMinute), 'old minutes gone');
  assert.equal((await b.counts()).rawEvents, (await a.counts()).rawEvents);
  const after = await Promise.all(sides.map((s) => query(s, { metrics: ['tx_count', 'gross_volume_usd'], granularity: 'day' })));
  assertSame(after, totals, 'day totals unchanged by retention');
});

test('an FX reload changes both backends\' answers alike at once; a ClickHouse reader before the lookup tables joins instead', async () => {
  const spec: Partial<QuerySpec> = { metrics: ['gross_volume_usd', 'fees_usd', 'tx_count'], dimensions: ['currency'] };
  const ngn = (r: QueryResult) => r.rows.find((row) => row.dims.currency === 'NGN')!.metrics.gross_volume_usd!;
  const before = await Promise.all(sides.map((s) => query(s, spec)));
  // NGN at twice its rates, as a correction would load them: every answer moves at once.
  const doubled = fx.filter((r) => r.currency === 'NGN').map((r) => ({ ...r, usd_per_unit: (Number(r.usd_per_unit) * 2).toFixed(12) }));
  for (const s of sides) await loadFxRates(s.store, doubled, 'corrected', NOW + 1); // a later load wins
  const after = await Promise.all(sides.map((s) => query(s, spec)));
  assertSame(after[1], after[0], 'after the reload');
  assert.ok(Math.abs(ngn(after[1]) / ngn(before[1]) - 2) < 1e-9, `NGN doubled: ${ngn(before[1])} -> ${ngn(after[1])}`);

  // A reader beside a writer that has not yet made the lookup tables (migration 8) joins fx_effective.
  const ch = await connect({ url: server.url, database: clickDatabase });
  const lookups = async () => (await ch.select("SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'fx_usd_v')")).columns[0] ?? [];
  const unmigrate = async () => {
    await ch.command(`ALTER TABLE schema_migrations DELETE WHERE version = ${FX_LOOKUP_MIGRATION}`);
    await waitForMutations(ch, ['schema_migrations']);
    for (const name of await lookups()) await ch.command(`DROP TABLE ${String(name)}`);
  };
  const reader = { ...sides[1], store: analyticsStore(await openClickHouseBackend({ url: server.url, database: clickDatabase, reader: true })) };
  try {
    await unmigrate();
    assertSame(await query(reader, spec), after[0], 'a reader before the lookup tables');
    await migrate(ch);
    assert.equal((await lookups()).length, 1, 'the migration makes the newest version\'s table');
    assertSame(await query(reader, spec), after[0], 'the same reader once they are made');
    // …which it now reads: without it, its answer fails.
    for (const name of await lookups()) await ch.command(`DROP TABLE ${String(name)}`);
    await assert.rejects(query(reader, spec), /fx_usd_v/);
    await unmigrate();
    await migrate(ch);
    assertSame(await query(sides[1], spec), after[0], 'the writer, after the migration ran again');
  } finally {
    await reader.store.close();
    await ch.close();
  }
});

test('ClickHouse answers network-wide questions from the sums per currency, once made; a reader before them reads the rollups', async () => {
  const network: Partial<QuerySpec> = { metrics: ['tx_count', 'gross_volume_usd', 'success_rate'], dimensions: ['currency'], granularity: 'day' };
  const merchant: Partial<QuerySpec> = { ...network, filters: { merchant_id: ['m_dakar'] } };
  const expected = await Promise.all([network, merchant].map((spec) => query(sides[0], spec)));
  assert.ok(expected.every((r) => r.rows.length > 0), 'both have rows');
  assertSame(await query(sides[1], network), expected[0], 'network-wide');
  assertSame(await query(sides[1], merchant), expected[1], 'one merchant');
  // Minute rows at its edges, and hour and day rows between: the rollup rows beside the sums.
  const edges: Partial<QuerySpec> = { metrics: METRICS.map((m) => m.name), from: START + 10 * DAY + 13 * 60_000, to: START + 40 * DAY + 17 * 60_000 };
  const [duck, click] = await Promise.all(sides.map((s) => query(s, edges)));
  assert.deepEqual(click.tables, ['minute', 'hour', 'day']);
  assertSame(click, duck, 'minute, hour and day rows together');
  const ch = await connect({ url: server.url, database: clickDatabase });
  const reader = { ...sides[1], store: analyticsStore(await openClickHouseBackend({ url: server.url, database: clickDatabase, reader: true })) };
  try {
    // Emptied, they change the network-wide answer only: that one is read from them.
    for (const t of BY_CURRENCY_TABLES) await ch.command(`TRUNCATE TABLE ${t}`);
    assert.equal((await query(sides[1], network)).rows.length, 0, 'read from the emptied sums');
    assertSame(await query(sides[1], merchant), expected[1], 'one merchant: from the rollups');
    // A reader beside a writer that has not made them yet (migration 9) reads the rollups.
    await ch.command(`ALTER TABLE schema_migrations DELETE WHERE version = ${BY_CURRENCY_MIGRATION}`);
    await waitForMutations(ch, ['schema_migrations']);
    assertSame(await query(reader, network), expected[0], 'a reader before migration 9');
    // The migration fills them from the rollups (folded by the compaction above, or not).
    await migrate(ch);
    assertSame(await query(reader, network), expected[0], 'the same reader once they are made');
    assertSame(await query(sides[1], network), expected[0], 'the writer');
  } finally {
    await reader.store.close();
    await ch.close();
  }
});
