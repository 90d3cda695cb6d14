// The reference for the merchant transaction listing: how it was answered before the transactions
// table (issue 13's first slice), kept for the tests to compare the table's pages against.
//
// One merchant's transactions, as the merchant portal listed them: the payment events sharing a
// txn_id folded into one row, by the counting rules of docs/metrics.md — created at the earliest
// occurred_at, status, amount and fee from the latest event (greatest occurred_at; on a tie a
// final status beats pending), method, provider and city from the latest event or else the
// creation event. Filters apply to the folded row; the page is a keyset page over (sort key,
// txn_id), so ties on the sort key never lose or repeat a row and no OFFSET is ever scanned.
//
// The last tie-break differs from the rollups' on purpose: between two final statuses at the
// same millisecond the ingest engine compares a hash of event_id, which SQL cannot compute;
// here the greater event_id wins. Only a producer sending both `succeeded` and `failed` for one
// transaction at the same instant can tell the two apart.
//
// Which transactions a query folds: those with a payment event in the creation range (every
// transaction created in it has its creation event there), then all of their payment events,
// whatever their time (a transaction created before the range but updated in it is folded whole
// and then left out by its creation time). A page by creation time looks at a short window below
// (or above) the cursor first and widens it only while the page is not full, so a page of a busy
// merchant folds a day of transactions, not its whole history.

import type { StoreBackend, Row, BackendKind } from '../../../src/store/backend.ts';
import { PAYMENT_TYPES } from '../../../src/events/contract.ts';
import { KIND_PENDING } from '../../../src/events/rollup-kinds.ts';
import { sqlInt, sqlString } from '../../../src/store/sql-literal.ts';
import type { TransactionPageQuery, TransactionRow } from '../../../src/store/queries/merchant-transactions.ts';
import { committedRows } from '../../../src/store/queries/committed-rows.ts';

const PAYMENT_TYPE_COUNT = PAYMENT_TYPES.length; // payment type codes come first
const DAY_MS = 86_400_000;
/** The first window of a page by creation time, and how fast it widens while the page is not full. */
const FIRST_WINDOW_MS = DAY_MS;
const WIDEN_FACTOR = 8;

/** The aggregate functions of each dialect; `latest` orders events, a final status beating pending on a tie. */
const DIALECT = {
  duckdb: {
    latest: `(occurred_at, status <> ${KIND_PENDING}, event_id)`,
    earliest: '(occurred_at, event_id)',
    argMax: (v: string, by: string) => `arg_max(${v}, ${by})`,
    argMin: (v: string, by: string) => `arg_min(${v}, ${by})`,
    argMaxIf: (v: string, by: string, cond: string) => `arg_max(${v}, ${by}) FILTER (WHERE ${cond})`,
    count: 'count(*)',
  },
  clickhouse: {
    latest: `tuple(occurred_at, status != ${KIND_PENDING}, event_id)`,
    earliest: 'tuple(occurred_at, event_id)',
    argMax: (v: string, by: string) => `argMax(${v}, ${by})`,
    argMin: (v: string, by: string) => `argMin(${v}, ${by})`,
    argMaxIf: (v: string, by: string, cond: string) => `argMaxIf(${v}, ${by}, ${cond})`,
    count: 'count()',
  },
} satisfies Record<BackendKind, unknown>;

/** Output names are t_*: ClickHouse lets an alias shadow a column of the same name in the whole query. */
function foldSql(kind: BackendKind, q: TransactionPageQuery, from: number, to: number): string {
  const d = DIALECT[kind];
  const merchant = `merchant_key = ${sqlInt(q.merchantKey)} AND type < ${PAYMENT_TYPE_COUNT} AND ${committedRows(kind)}`;
  const candidates = [merchant, `occurred_at >= ${sqlInt(from)}`, `occurred_at < ${sqlInt(to)}`];
  if (q.txnId !== null) candidates.push(`entity_id = ${sqlString(q.txnId, kind)}`);
  if (q.search !== null) {
    const s = sqlString(q.search, kind);
    candidates.push(`(entity_id = ${s} OR customer_id = ${s})`);
  }
  // Latest event's value, or the creation event's when the latest has none (key 0 = absent).
  const latestOrFirst = (col: string) => `CASE WHEN ${d.argMax(col, d.latest)} <> 0 THEN ${d.argMax(col, d.latest)} ELSE ${d.argMin(col, d.earliest)} END`;
  return `SELECT entity_id AS t_id, min(occurred_at) AS t_created, max(occurred_at) AS t_updated,
      ${d.argMax('status', d.latest)} AS t_status, ${d.argMax('amount_minor', d.latest)} AS t_amount,
      ${d.argMax('fee_minor', d.latest)} AS t_fee, ${d.argMax('currency_key', d.latest)} AS t_currency,
      ${d.argMax('country_key', d.latest)} AS t_country, ${latestOrFirst('city_key')} AS t_city,
      ${latestOrFirst('method_key')} AS t_method, ${latestOrFirst('provider_key')} AS t_provider,
      ${d.argMaxIf('customer_id', d.latest, 'customer_id IS NOT NULL')} AS t_customer,
      ${d.argMax('failure_reason', d.latest)} AS t_failure, ${d.count} AS t_events
    FROM raw_events
    WHERE ${merchant} AND entity_id IN (SELECT entity_id FROM raw_events WHERE ${candidates.join(' AND ')})
    GROUP BY entity_id`;
}

const inList = (col: string, keys: number[]) => (keys.length ? `${col} IN (${keys.map(sqlInt).join(', ')})` : '1 = 0');

function pageSql(kind: BackendKind, q: TransactionPageQuery, from: number, to: number, limit: number): string {
  const key = q.sort === 'created' ? 't_created' : 't_amount';
  const where = [`t_created >= ${sqlInt(from)}`, `t_created < ${sqlInt(to)}`];
  if (q.statuses) where.push(inList('t_status', q.statuses));
  if (q.currencyKeys) where.push(inList('t_currency', q.currencyKeys));
  if (q.methodKeys) where.push(inList('t_method', q.methodKeys));
  if (q.providerKeys) where.push(inList('t_provider', q.providerKeys));
  if (q.amountMin !== null) where.push(`t_amount >= ${sqlInt(q.amountMin)}`);
  if (q.amountMax !== null) where.push(`t_amount <= ${sqlInt(q.amountMax)}`);
  if (q.after) {
    const op = q.descending ? '<' : '>';
    const k = sqlInt(q.after.key);
    where.push(`(${key} ${op} ${k} OR (${key} = ${k} AND t_id ${op} ${sqlString(q.after.txnId, kind)}))`);
  }
  const dir = q.descending ? 'DESC' : 'ASC';
  return `SELECT * FROM (${foldSql(kind, q, from, to)})${kind === 'duckdb' ? ' AS t' : ''}
    WHERE ${where.join(' AND ')} ORDER BY ${key} ${dir}, t_id ${dir} LIMIT ${sqlInt(limit)}`;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function rowOf(r: Row): TransactionRow {
  return {
    txnId: String(r.t_id),
    createdAt: Number(r.t_created),
    updatedAt: Number(r.t_updated),
    status: Number(r.t_status),
    amountMinor: BigInt(r.t_amount as bigint),
    feeMinor: BigInt(r.t_fee as bigint),
    currencyKey: Number(r.t_currency),
    countryKey: Number(r.t_country),
    cityKey: Number(r.t_city),
    methodKey: Number(r.t_method),
    providerKey: Number(r.t_provider),
    customerId: str(r.t_customer),
    failureReason: str(r.t_failure),
    events: Number(r.t_events),
  };
}

/**
 * The creation windows a page reads, in page order: the whole range for a page by amount (the
 * order is not by time) or for one transaction; by creation time, a window next to the cursor,
 * widened while the page is not full.
 */
function* windows(q: TransactionPageQuery): Generator<[number, number]> {
  let from = q.from;
  let to = q.to;
  if (q.sort === 'created' && q.after) {
    // Rows after the cursor were created at or beyond its time (the cursor predicate does the rest).
    const at = Number(q.after.key);
    if (q.descending) to = Math.min(to, at + 1);
    else from = Math.max(from, at);
  }
  // One transaction, or an order that is not by time: one pass over the range.
  if (q.sort !== 'created' || q.txnId !== null) {
    yield [from, to];
    return;
  }
  let width = FIRST_WINDOW_MS;
  while (from < to) {
    if (q.descending) {
      const lo = Math.max(from, to - width);
      yield [lo, to];
      to = lo;
    } else {
      const hi = Math.min(to, from + width);
      yield [from, hi];
      from = hi;
    }
    width *= WIDEN_FACTOR;
  }
}

export async function foldedTransactionPage(b: StoreBackend, q: TransactionPageQuery): Promise<TransactionRow[]> {
  const out: TransactionRow[] = [];
  for (const [from, to] of windows(q)) {
    const rows = await b.select(pageSql(b.kind, q, from, to, q.limit - out.length));
    for (const r of rows) out.push(rowOf(r));
    if (out.length >= q.limit) break;
  }
  return out;
}
