// Reconciliation of a rollup table with the raw events it was built from, over a range of
// buckets: what each cell should hold, recomputed here in SQL from raw_events by the counting
// rules of docs/metrics.md, against what the table holds; the cells that differ come back.
// `verify` (src/ops/verify-rollups.ts) reads it — the runbook's "incorrect aggregate values".
//
// Recomputed cells: a payment transaction counts once, in the minute of its earliest event, with
// the kind (status), amount, fee and keys of its latest event (on a tie a final status beats
// pending; city, method and provider from the creation event when the latest has none); refunds,
// disputes, payouts and settlements count once each, in their own minute. Which transactions:
// those with a payment event in the range, folded with all their events (a transaction created
// before the range but updated in it is folded whole, then left out by its creation minute).
//
// TRICKY: the ingest engine breaks a tie between two final statuses at the same millisecond by
// a hash of event_id that SQL cannot compute; here the greater event_id wins (as in
// merchant-transactions.ts). Only a producer sending `succeeded` and `failed` for one
// transaction at the same instant can see a difference that is not one.
// TRICKY: raw events expire before rollups (RAW_RETENTION_DAYS): a range whose transactions
// began before the oldest raw event kept cannot be recomputed; the caller keeps ranges inside.

import type { BackendKind, StoreBackend } from '../backend.ts';
import type { DimensionKeys } from '../analytics-store.ts';
import type { RollupTable } from '../query-shapes.ts';
import { PAYMENT_TYPES, TYPE_CODE } from '../../events/contract.ts';
import { KIND_DISPUTE, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND } from '../../events/rollup-kinds.ts';
import { sqlInt } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';
import { BY_CURRENCY_CUT, BY_CURRENCY_SOURCE, byCurrencyOf, type ByCurrencyTable } from '../clickhouse/by-currency.ts';

export interface RollupVerifyQuery {
  table: RollupTable;
  /** Buckets whose start minute (epoch minutes) is in [fromMinute, toMinute); aligned by the caller. */
  fromMinute: number;
  toMinute: number;
}

/** One cell where the table and the raw events disagree (a cell absent on one side holds zeros). */
export interface RollupDifference extends DimensionKeys {
  /** The bucket's start, epoch minutes. */
  minute: number;
  kind: number;
  expected: { cnt: bigint; amountMinor: bigint; feeMinor: bigint };
  stored: { cnt: bigint; amountMinor: bigint; feeMinor: bigint };
}

/** Cells compared, and those that differ (at most `limit`). */
export interface RollupVerifyAnswer {
  cells: number;
  differences: RollupDifference[];
}

export const BUCKET_MINUTES: Record<RollupTable, number> = { minute: 1, hour: 60, day: 1440 };
const TABLES: Record<RollupTable, string> = { minute: 'rollup_minute', hour: 'rollup_hour', day: 'rollup_day' };
const PAYMENT_TYPE_COUNT = PAYMENT_TYPES.length; // payment type codes come first
const EVENT_KIND: Array<[number, number]> = [
  [TYPE_CODE.refund_created, KIND_REFUND], [TYPE_CODE.dispute_created, KIND_DISPUTE],
  [TYPE_CODE.payout_created, KIND_PAYOUT], [TYPE_CODE['payout.settled'], KIND_PAYOUT_SETTLED],
];

const DIALECT = {
  duckdb: {
    latest: `(occurred_at, status <> ${KIND_PENDING}, event_id)`,
    earliest: '(occurred_at, event_id)',
    argMax: (v: string, by: string) => `arg_max(${v}, ${by})`,
    argMin: (v: string, by: string) => `arg_min(${v}, ${by})`,
    i64: (v: string) => `CAST(${v} AS BIGINT)`,
    sum: (v: string) => `CAST(sum(${v}) AS HUGEINT)`,
    alias: ' AS x',
  },
  clickhouse: {
    latest: `tuple(occurred_at, status != ${KIND_PENDING}, event_id)`,
    earliest: 'tuple(occurred_at, event_id)',
    argMax: (v: string, by: string) => `argMax(${v}, ${by})`,
    argMin: (v: string, by: string) => `argMin(${v}, ${by})`,
    i64: (v: string) => `toInt64(${v})`,
    sum: (v: string) => `sum(toDecimal128(${v}, 0))`,
    alias: '',
  },
} satisfies Record<BackendKind, unknown>;

/** Expected and stored cells side by side, one row per key; names are v_* (ClickHouse aliases shadow columns). */
function verifySql(kind: BackendKind, q: RollupVerifyQuery): string {
  const d = DIALECT[kind];
  const period = BUCKET_MINUTES[q.table];
  const fromMs = q.fromMinute * 60_000;
  const toMs = q.toMinute * 60_000;
  const committed = committedRows(kind);
  const bucket = (minute: string) => `${d.i64(minute)} - (${d.i64(minute)} % ${period})`;
  const latestOrFirst = (col: string) => `CASE WHEN ${d.argMax(col, d.latest)} <> 0 THEN ${d.argMax(col, d.latest)} ELSE ${d.argMin(col, d.earliest)} END`;
  const payments = `type < ${PAYMENT_TYPE_COUNT} AND ${committed}`;
  const folded = `SELECT intDiv_min AS f_minute, f_merchant, f_country, f_city, f_currency, f_method, f_provider, f_kind, f_amount, f_fee FROM (
      SELECT ${kind === 'duckdb' ? 'min(occurred_at) // 60000' : 'intDiv(min(occurred_at), 60000)'} AS intDiv_min,
        ${d.argMax('merchant_key', d.latest)} AS f_merchant, ${d.argMax('country_key', d.latest)} AS f_country,
        ${latestOrFirst('city_key')} AS f_city, ${d.argMax('currency_key', d.latest)} AS f_currency,
        ${latestOrFirst('method_key')} AS f_method, ${latestOrFirst('provider_key')} AS f_provider,
        ${d.argMax('status', d.latest)} AS f_kind, ${d.argMax('amount_minor', d.latest)} AS f_amount, ${d.argMax('fee_minor', d.latest)} AS f_fee
      FROM raw_events
      WHERE ${payments} AND entity_id IN (
        SELECT entity_id FROM raw_events WHERE ${payments} AND occurred_at >= ${sqlInt(fromMs)} AND occurred_at < ${sqlInt(toMs)})
      GROUP BY entity_id)${d.alias}
    WHERE intDiv_min >= ${sqlInt(q.fromMinute)} AND intDiv_min < ${sqlInt(q.toMinute)}`;
  const kindOf = `CASE ${EVENT_KIND.map(([t, k]) => `WHEN type = ${t} THEN ${k}`).join(' ')} ELSE 0 END`;
  const others = `SELECT ${kind === 'duckdb' ? 'occurred_at // 60000' : 'intDiv(occurred_at, 60000)'} AS f_minute, merchant_key AS f_merchant,
      country_key AS f_country, city_key AS f_city, currency_key AS f_currency, method_key AS f_method, provider_key AS f_provider,
      ${kindOf} AS f_kind, amount_minor AS f_amount, fee_minor AS f_fee
    FROM raw_events
    WHERE type IN (${EVENT_KIND.map(([t]) => t).join(', ')}) AND ${committed}
      AND occurred_at >= ${sqlInt(fromMs)} AND occurred_at < ${sqlInt(toMs)}`;
  const keys = ['merchant', 'country', 'city', 'currency', 'method', 'provider', 'kind'];
  const named = (values: string[]) => values.map((v, i) => `${v} AS ${NAMES[i]}`).join(', ');
  const expected = `SELECT ${named([bucket('f_minute'), ...keys.map((k) => d.i64(`f_${k}`)),
    d.i64('1'), d.i64('f_amount'), d.i64('f_fee'), d.i64('0'), d.i64('0'), d.i64('0')])}
    FROM (${folded} UNION ALL ${others})${d.alias}`;
  const stored = `SELECT ${named([d.i64('minute'), ...['merchant_key', 'country_key', 'city_key', 'currency_key', 'method_key', 'provider_key', 'kind'].map(d.i64),
    d.i64('0'), d.i64('0'), d.i64('0'), d.i64('cnt'), d.i64('amount_minor'), d.i64('fee_minor')])}
    FROM ${TABLES[q.table]}
    WHERE ${committed} AND minute >= ${sqlInt(q.fromMinute)} AND minute < ${sqlInt(q.toMinute)}`;
  const group = NAMES.slice(0, 8).join(', ');
  return `SELECT ${group}, ${NAMES.slice(8).map((s) => `${d.sum(s)} AS t_${s}`).join(', ')}
    FROM (${expected} UNION ALL ${stored})${d.alias}
    GROUP BY ${group}`;
}

/** The columns of both sides of the union, in order. */
const NAMES = ['v_minute', 'v_merchant', 'v_country', 'v_city', 'v_currency', 'v_method', 'v_provider', 'v_kind',
  'e_cnt', 'e_amount', 'e_fee', 's_cnt', 's_amount', 's_fee'];

export async function rollupVerify(b: StoreBackend, q: RollupVerifyQuery): Promise<RollupVerifyAnswer> {
  return compared(await b.select(verifySql(b.kind, q)));
}

/** The cells of expected (t_e_*) and stored (t_s_*) sums side by side: those that differ, sorted. */
function compared(rows: ReadonlyArray<Record<string, unknown>>): RollupVerifyAnswer {
  const n = (v: unknown) => BigInt(String(v));
  const differences: RollupDifference[] = [];
  let cells = 0;
  for (const r of rows) {
    const expected = { cnt: n(r.t_e_cnt), amountMinor: n(r.t_e_amount), feeMinor: n(r.t_e_fee) };
    const stored = { cnt: n(r.t_s_cnt), amountMinor: n(r.t_s_amount), feeMinor: n(r.t_s_fee) };
    const zero = (c: typeof expected) => c.cnt === 0n && c.amountMinor === 0n && c.feeMinor === 0n;
    if (zero(expected) && zero(stored)) continue; // a cell netted to nothing on both sides
    cells++;
    if (expected.cnt === stored.cnt && expected.amountMinor === stored.amountMinor && expected.feeMinor === stored.feeMinor) continue;
    differences.push({
      minute: Number(r.v_minute), merchantKey: Number(r.v_merchant), countryKey: Number(r.v_country), cityKey: Number(r.v_city),
      currencyKey: Number(r.v_currency), methodKey: Number(r.v_method), providerKey: Number(r.v_provider), kind: Number(r.v_kind),
      expected, stored,
    });
  }
  differences.sort((a, b) => a.minute - b.minute || a.merchantKey - b.merchantKey || a.kind - b.kind);
  return { cells, differences };
}

/**
 * ClickHouse's sums per currency of the hour or day rollups (clickhouse/by-currency.ts), which
 * network-wide answers read: each cell (bucket, currency, kind) against the sum of the rollup's
 * rows, over the same committed batches. Null where the backend has none (DuckDB, minute rows,
 * or a store whose migration 9 is not yet recorded). A difference's other keys are 0: all.
 */
export async function summaryVerify(b: StoreBackend, q: RollupVerifyQuery): Promise<RollupVerifyAnswer | null> {
  const summary = summaryOf(b, q.table);
  if (!summary) return null;
  const cut = await summaryCut(b);
  if (cut === null) return null;
  const rows = await b.select(summaryCellsSql(summary, cut, q.fromMinute, q.toMinute));
  return compared(rows.map((r) => ({ ...r, v_merchant: 0, v_country: 0, v_city: 0, v_method: 0, v_provider: 0 })));
}

/** The table of sums a backend keeps of a rollup table, if any. */
function summaryOf(b: StoreBackend, table: RollupTable): ByCurrencyTable | null {
  return b.kind === 'clickhouse' ? byCurrencyOf(table) : null;
}

/** The one cut both sides are read at; null before the sums are made (migration 9 unrecorded). */
async function summaryCut(b: StoreBackend): Promise<number | null> {
  const [facts] = await b.select(BY_CURRENCY_CUT);
  return Number(facts.made) === 0 ? null : Number(facts.last);
}

/**
 * Each cell (v_minute, v_currency, v_kind) of a table of sums over [fromMinute, toMinute), as its
 * source's rows sum it (t_e_cnt, t_e_amount, t_e_fee) and as it holds it (t_s_*), Decimal128,
 * over the batches up to `cut`. The sums' mend (clickhouse/mend-by-currency.ts) writes the gap.
 */
export function summaryCellsSql(summary: ByCurrencyTable, cut: number, fromMinute: number, toMinute: number): string {
  const where = `batch_id <= ${sqlInt(cut)} AND minute >= ${sqlInt(fromMinute)} AND minute < ${sqlInt(toMinute)}`;
  const side = (table: string, stored: boolean) => {
    const values = ['cnt', 'amount_minor', 'fee_minor'].map((c) => `toDecimal128(${c}, 0)`);
    const zeros = values.map(() => 'toDecimal128(0, 0)');
    const cells = stored ? [...zeros, ...values] : [...values, ...zeros];
    return `SELECT minute AS v_minute, currency_key AS v_currency, kind AS v_kind, ${cells.map((v, i) => `${v} AS ${NAMES[8 + i]}`).join(', ')}
      FROM ${table} WHERE ${where}`;
  };
  return `SELECT v_minute, v_currency, v_kind, ${NAMES.slice(8).map((n) => `sum(${n}) AS t_${n}`).join(', ')}
    FROM (${side(BY_CURRENCY_SOURCE[summary], false)} UNION ALL ${side(summary, true)})
    GROUP BY v_minute, v_currency, v_kind`;
}
