// The reconciliation of rollups with raw events (store/queries/rollup-verify.ts, ops/verify-rollups.ts)
// on both backends: after ingest (payments changing status across minutes and hours, optional
// keys filled late, resends, refunds, payouts) every cell of every table agrees; a rollup row
// tampered with afterwards is found — that table, that bucket, that cell only, with both values.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { openDuckDbBackend } from '../../src/store/duckdb/open-duckdb-backend.ts';
import { openClickHouseBackend } from '../../src/store/clickhouse/open-clickhouse-backend.ts';
import { analyticsStore } from '../../src/store/open-analytics-store.ts';
import type { StoreBackend } from '../../src/store/backend.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { createEngine, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import { verifyRollups } from '../../src/ops/verify-rollups.ts';

const HOUR = 3_600_000;
const NOW = Date.parse('2026-03-20T12:00:00Z');
const START = Date.parse('2026-03-18T00:00:00Z');
const POLICY = { rawDays: 90, minuteDays: 180, hourDays: 365 };

interface Side { name: string; backend: StoreBackend; store: AnalyticsStore; engine: Engine }
let server: ClickHouseServer;
let dir: string;
const sides: Side[] = [];

/** Deterministic events over two days: no two final statuses of one transaction share an instant. */
function makeEvents(): Array<Record<string, string>> {
  const out: Array<Record<string, string>> = [];
  const at = (ms: number) => new Date(ms).toISOString();
  for (let i = 0; i < 120; i++) {
    const t0 = START + i * 23 * 60_000 + (i % 7) * 1000;
    const merchant = `m_${i % 3}`;
    const base = { txn_id: `t${i}`, merchant_id: merchant, currency: i % 4 === 0 ? 'NGN' : 'XOF', country: i % 4 === 0 ? 'NG' : 'SN' };
    const amount = i % 4 === 0 ? `${i}.25` : String(500 + i);
    out.push({ event_id: `c${i}`, type: 'wallet_txn_created', status: 'pending', occurred_at: at(t0), amount, ...base, ...(i % 5 ? { city: 'Dakar' } : {}) });
    if (i % 3 !== 2) {
      // Settles minutes to hours later, sometimes in another hour or day; the method arrives late.
      const type = i % 6 === 1 ? 'wallet_txn_failed' : 'wallet_txn_succeeded';
      out.push({ event_id: `s${i}`, type, occurred_at: at(t0 + (1 + (i % 9)) * 11 * 60_000), amount, fee: i % 4 === 0 ? '0.25' : '5', payment_method: 'wallet', ...base });
    }
    if (i % 10 === 0) out.push({ ...out[out.length - 1] }); // a resend: counted once
    if (i % 8 === 3) out.push({ event_id: `r${i}`, type: 'refund_created', refund_id: `r${i}`, occurred_at: at(t0 + 2 * HOUR), amount: '100', ...base });
    if (i % 30 === 5) out.push({ event_id: `p${i}`, type: 'payout_created', payout_id: `p${i}`, occurred_at: at(t0 + HOUR), amount: '1000', ...base });
  }
  return out;
}

before(async () => {
  server = await startClickHouse();
  dir = mkdtempSync(join(tmpdir(), 'molam-verify-'));
  const backends: Array<[string, StoreBackend]> = [
    ['duckdb', await openDuckDbBackend({ dataDir: dir, memoryLimit: '256MB', threads: 1 })],
    ['clickhouse', await openClickHouseBackend({ url: server.url, database: await server.createDatabase('verify') })],
  ];
  const events = makeEvents();
  for (const [name, backend] of backends) {
    const store = analyticsStore(backend);
    const engine = await createEngine({
      store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 400, maxBatchEvents: 37, parseWorkers: 0,
    });
    // In several submissions: transactions change status across batches.
    for (let i = 0; i < events.length; i += 50) await engine.submit({ source: 'verify', positions: [], items: events.slice(i, i + 50) });
    await engine.flush();
    sides.push({ name, backend, store, engine });
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

const range = { fromMs: START - HOUR, toMs: NOW, policy: POLICY, now: NOW };

test('after ingest, every cell of every rollup table agrees with the raw events, on both backends', async () => {
  for (const s of sides) {
    const report = await verifyRollups(s.store, range);
    assert.deepEqual(report.differences, [], s.name);
    assert.equal(report.ok, true);
    // ClickHouse's sums per currency of the hour and day rows are checked against those rows.
    assert.deepEqual(report.tables.map((t) => `${t.table}/${t.against}`), s.name === 'duckdb'
      ? ['minute/raw_events', 'hour/raw_events', 'day/raw_events']
      : ['minute/raw_events', 'hour/raw_events', 'hour/rollup', 'day/raw_events', 'day/rollup'], s.name);
    for (const t of report.tables) assert.ok(t.cells > 0, `${s.name} ${t.table}: cells compared`);
    // Whole day buckets only: the day table starts at the first midnight after `from`.
    assert.equal(report.tables.find((t) => t.table === 'day')!.from, '2026-03-18T00:00:00.000Z');
  }
});

test('a tampered rollup row is found: its table, bucket and cell, with both values, on both backends', async () => {
  for (const s of sides) {
    const [cell] = (await s.store.rollupCells('hour')).filter((c) => c.kind === 2).sort((a, b) => a.minute - b.minute);
    const where = `minute = ${cell.minute} AND merchant_key = ${cell.merchantKey} AND kind = 2 AND currency_key = ${cell.currencyKey}`
      + ` AND country_key = ${cell.countryKey} AND city_key = ${cell.cityKey} AND method_key = ${cell.methodKey} AND provider_key = ${cell.providerKey}`;
    // An extra delta row of +7 minor units in the tampered cell (a row of a committed batch on ClickHouse).
    await s.backend.exec([s.name === 'duckdb'
      ? `INSERT INTO rollup_hour SELECT minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind, 0, 7, 0 FROM rollup_hour WHERE ${where} LIMIT 1`
      : `INSERT INTO rollup_hour SELECT minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind, 0, 7, 0, batch_id FROM rollup_hour WHERE ${where} LIMIT 1`]);
    const report = await verifyRollups(s.store, range);
    assert.equal(report.ok, false, s.name);
    // On ClickHouse the row went through the materialized view too: the sums per currency agree with the rows.
    assert.deepEqual(report.tables.filter((t) => t.against === 'raw_events').map((t) => [t.table, t.differences]), [['minute', 0], ['hour', 1], ['day', 0]], s.name);
    assert.ok(report.tables.filter((t) => t.against === 'rollup').every((t) => t.differences === 0), s.name);
    const [d] = report.differences;
    const [cnt, amount, fee] = [cell.cnt, cell.amountMinor, cell.feeMinor];
    assert.deepEqual(
      { table: d.table, bucket: d.bucket, kind: d.kind, expected: d.expected, stored: d.stored },
      { table: 'hour', bucket: new Date(cell.minute * 60_000).toISOString(), kind: 'succeeded', expected: `${cnt}/${amount}/${fee}`, stored: `${cnt}/${amount + 7n}/${fee}` },
      s.name,
    );
    assert.match(d.merchant, /^m_\d$/);
    // A range that leaves the bucket out finds nothing.
    const later = await verifyRollups(s.store, { ...range, fromMs: (cell.minute + 60) * 60_000, tables: ['hour'] });
    assert.equal(later.ok, true, `${s.name}: outside the range`);
  }
});

test('ClickHouse: a sum per currency that disagrees with its rollup rows is found, with both values; a store before them has nothing to check', async () => {
  const s = sides.find((side) => side.name === 'clickhouse')!;
  const [cell] = (await s.store.rollupCells('day')).filter((c) => c.kind === 2 && c.currencyKey > 0).sort((a, b) => a.minute - b.minute);
  const [{ batch }] = await s.backend.select('SELECT max(batch_id) AS batch FROM ingest_batches');
  // A committed row in the sums only (no view fires for a direct insert): 1 count and 9 minor units more.
  await s.backend.exec([`INSERT INTO rollup_day_by_currency (minute, currency_key, kind, cnt, amount_minor, fee_minor, batch_id)
    VALUES (${cell.minute}, ${cell.currencyKey}, 2, 1, 9, 0, ${batch})`]);
  const report = await verifyRollups(s.store, range);
  assert.equal(report.ok, false);
  assert.deepEqual(report.tables.map((t) => [`${t.table}/${t.against}`, t.differences]),
    [['minute/raw_events', 0], ['hour/raw_events', 1], ['hour/rollup', 0], ['day/raw_events', 0], ['day/rollup', 1]]);
  const d = report.differences.find((x) => x.against === 'rollup')!;
  const [whole] = await s.backend.select(`SELECT toString(sum(toDecimal128(cnt, 0))) AS c, toString(sum(toDecimal128(amount_minor, 0))) AS a,
    toString(sum(toDecimal128(fee_minor, 0))) AS f FROM rollup_day WHERE minute = ${cell.minute} AND currency_key = ${cell.currencyKey} AND kind = 2`);
  assert.deepEqual({ ...d }, {
    table: 'day', against: 'rollup', bucket: new Date(cell.minute * 60_000).toISOString(), merchant: '', country: '', city: '',
    currency: d.currency, method: '', provider: '', kind: 'succeeded',
    expected: `${whole.c}/${whole.a}/${whole.f}`, stored: `${BigInt(String(whole.c)) + 1n}/${BigInt(String(whole.a)) + 9n}/${whole.f}`,
  });
  assert.match(d.currency, /^(XOF|NGN)$/);
  // Before migration 9 is recorded, readers do not use the sums, and verify does not check them.
  await s.backend.exec(['ALTER TABLE schema_migrations DELETE WHERE version = 9']);
  const before9 = await verifyRollups(s.store, range);
  assert.deepEqual(before9.tables.map((t) => t.against), ['raw_events', 'raw_events', 'raw_events']);
});
