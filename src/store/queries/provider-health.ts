// Provider health for the routing mesh (src/mesh, docs/mesh.md "Provider health"): the payments
// created in a window [from, to), folded per transaction (merchant_key, txn_id) by the rule of
// merchant-transactions.ts (status, amount, currency and country of the latest event — a final
// status beats pending on a tie —; method and provider of the latest event or else the creation
// event), then counted per provider × country × currency × method and per half of the window
// (half 0: created before the middle, half 1: at or after it, for the trend): attempted,
// succeeded, failed, the failures per reason, the attempted volume (minor units) and the time
// to settle — the sum, over succeeded payments, of their first succeeded event's time minus
// their creation time (its mean is the sum over `succeeded`). Payments without a provider are
// left out. Keys stay keys: the caller translates them (src/mesh/provider-health.ts).

import type { StoreBackend, BackendKind, Row } from '../backend.ts';
import { PAYMENT_TYPES } from '../../events/contract.ts';
import { KIND_PENDING, STATUS_CODE } from '../../events/rollup-kinds.ts';
import { sqlInt } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export interface ProviderHealthQuery {
  /** Payments created in [from, to), epoch ms; the halves split at floor((from + to) / 2). */
  from: number;
  to: number;
}

/** One half of the window of one segment. */
export interface HealthHalf {
  attempted: number;
  succeeded: number;
  failed: number;
  /** Failed payments per failure_reason ('' = none given). */
  failureReasons: Record<string, number>;
  /** Sum of the attempted payments' amounts, minor units of the currency. */
  volumeMinor: bigint;
  /** Sum over the succeeded payments of (first succeeded event − creation), ms. */
  settleMsSum: number;
}

export interface ProviderHealthRow {
  providerKey: number;
  countryKey: number;
  currencyKey: number;
  methodKey: number;
  /** [first half, second half]. */
  halves: [HealthHalf, HealthHalf];
}

/** Each dialect's aggregate functions; `latest` orders events, a final status beating pending on a tie. */
export const FOLD_DIALECT = {
  duckdb: {
    latest: `(occurred_at, status <> ${KIND_PENDING}, event_id)`,
    earliest: '(occurred_at, event_id)',
    argMax: (v: string, by: string) => `arg_max(${v}, ${by})`,
    argMin: (v: string, by: string) => `arg_min(${v}, ${by})`,
    minIf: (v: string, c: string) => `min(${v}) FILTER (WHERE ${c})`,
    count: 'count(*)',
    countIf: (c: string) => `count(*) FILTER (WHERE ${c})`,
    sum: (v: string) => `sum(${v})`,
    sumIf: (v: string, c: string) => `coalesce(sum(${v}) FILTER (WHERE ${c}), 0)`,
    ifNull: (v: string, d: string) => `coalesce(${v}, ${d})`,
    alias: ' AS p',
  },
  clickhouse: {
    latest: `tuple(occurred_at, status != ${KIND_PENDING}, event_id)`,
    earliest: 'tuple(occurred_at, event_id)',
    argMax: (v: string, by: string) => `argMax(${v}, ${by})`,
    argMin: (v: string, by: string) => `argMin(${v}, ${by})`,
    minIf: (v: string, c: string) => `minIf(${v}, ${c})`,
    count: 'count()',
    countIf: (c: string) => `countIf(${c})`,
    // Exact sums: ClickHouse's sum of Int64 wraps, Decimal128's does not (docs/clickhouse.md).
    sum: (v: string) => `sum(toDecimal128(${v}, 0))`,
    sumIf: (v: string, c: string) => `sumIf(toDecimal128(${v}, 0), ${c})`,
    ifNull: (v: string, d: string) => `ifNull(${v}, ${d})`,
    alias: '',
  },
} satisfies Record<BackendKind, unknown>;

/**
 * The payments created in [from, to), one row each (columns p_*; aliases are unique in the whole
 * query: ClickHouse lets an alias shadow a column everywhere). `where` narrows the raw events
 * read (e.g. one currency): a predicate over raw_events columns.
 */
export function foldedPaymentsSql(kind: BackendKind, from: number, to: number, where = '1 = 1'): string {
  const d = FOLD_DIALECT[kind];
  const payments = `type < ${PAYMENT_TYPES.length} AND ${committedRows(kind)} AND ${where}`;
  const latestOrFirst = (col: string) => `CASE WHEN ${d.argMax(col, d.latest)} <> 0 THEN ${d.argMax(col, d.latest)} ELSE ${d.argMin(col, d.earliest)} END`;
  const fold = `SELECT min(occurred_at) AS p_created, ${d.minIf('occurred_at', `status = ${STATUS_CODE.succeeded}`)} AS p_settled,
      ${d.argMax('status', d.latest)} AS p_status, ${d.argMax('amount_minor', d.latest)} AS p_amount,
      ${d.argMax('fee_minor', d.latest)} AS p_fee, ${d.argMax('currency_key', d.latest)} AS p_currency,
      ${d.argMax('country_key', d.latest)} AS p_country, ${latestOrFirst('method_key')} AS p_method,
      ${latestOrFirst('provider_key')} AS p_provider, ${d.argMax('failure_reason', d.latest)} AS p_failure
    FROM raw_events
    WHERE ${payments} AND entity_id IN (
      SELECT entity_id FROM raw_events WHERE ${payments} AND occurred_at >= ${sqlInt(from)} AND occurred_at < ${sqlInt(to)})
    GROUP BY merchant_key, entity_id`;
  return `SELECT * FROM (${fold})${d.alias} WHERE p_created >= ${sqlInt(from)} AND p_created < ${sqlInt(to)} AND p_provider <> 0`;
}

function healthSql(kind: BackendKind, q: ProviderHealthQuery): string {
  const d = FOLD_DIALECT[kind];
  const mid = Math.floor((q.from + q.to) / 2);
  const ok = `p_status = ${STATUS_CODE.succeeded}`;
  const failed = `p_status = ${STATUS_CODE.failed}`;
  return `SELECT p_provider AS h_provider, p_country AS h_country, p_currency AS h_currency, p_method AS h_method,
      CASE WHEN p_created < ${sqlInt(mid)} THEN 0 ELSE 1 END AS h_half,
      CASE WHEN ${failed} THEN ${d.ifNull('p_failure', "''")} ELSE '' END AS h_reason,
      ${d.count} AS h_attempted, ${d.countIf(ok)} AS h_succeeded, ${d.countIf(failed)} AS h_failed,
      ${d.sum('p_amount')} AS h_volume, ${d.sumIf('p_settled - p_created', ok)} AS h_settle
    FROM (${foldedPaymentsSql(kind, q.from, q.to)})${kind === 'duckdb' ? ' AS h' : ''}
    GROUP BY h_provider, h_country, h_currency, h_method, h_half, h_reason`;
}

const emptyHalf = (): HealthHalf => ({ attempted: 0, succeeded: 0, failed: 0, failureReasons: {}, volumeMinor: 0n, settleMsSum: 0 });

/** Decimal128 sums arrive as text, HUGEINT ones as bigint. */
const big = (v: unknown) => BigInt(String(v ?? 0));

export async function providerHealth(b: StoreBackend, q: ProviderHealthQuery): Promise<ProviderHealthRow[]> {
  const rows = new Map<string, ProviderHealthRow>();
  for (const r of await b.select(healthSql(b.kind, q)) as Row[]) {
    const keys = [r.h_provider, r.h_country, r.h_currency, r.h_method].map(Number);
    const id = keys.join(':');
    let row = rows.get(id);
    if (!row) {
      rows.set(id, row = {
        providerKey: keys[0], countryKey: keys[1], currencyKey: keys[2], methodKey: keys[3], halves: [emptyHalf(), emptyHalf()],
      });
    }
    const h = row.halves[Number(r.h_half)];
    h.attempted += Number(r.h_attempted);
    h.succeeded += Number(r.h_succeeded);
    h.failed += Number(r.h_failed);
    h.volumeMinor += big(r.h_volume);
    h.settleMsSum += Number(big(r.h_settle));
    if (Number(r.h_failed) > 0) h.failureReasons[String(r.h_reason)] = (h.failureReasons[String(r.h_reason)] ?? 0) + Number(r.h_failed);
  }
  return [...rows.values()].sort((a, b) => a.providerKey - b.providerKey || a.countryKey - b.countryKey
    || a.currencyKey - b.currencyKey || a.methodKey - b.methodKey);
}
