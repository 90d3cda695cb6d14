// One merchant's transactions, as the merchant portal lists them, from merchant_transactions:
// the rows the ingest writes for each transaction a batch changes (src/ingest/txn-rows.ts), its
// state by the counting rules of docs/metrics.md — created at the earliest occurred_at; status,
// amount, fee, currency and country from the latest event (greatest occurred_at; on a tie a final
// status beats pending, then the ingest's hash of event_id), method, provider and city from the
// latest event or else the creation event — the same state the rollups count. A row is keyed
// (merchant, created_at, txn_id) and versioned by batch id: per key the greatest batch's row
// holds, and a `removed` one means the transaction moved to another key (an earlier event came
// late). Filters apply to that state; the page is a keyset page over (sort key, txn_id), so ties
// on the sort key never lose or repeat a row and no OFFSET is ever scanned.
//
// A page by creation time reads a short window of creation times below (or above) the cursor
// first and widens it only while the page is not full: a range read of the table's order. What
// the table does not hold — the count of payment events, the latest customer_id named, the
// failure_reason of the latest failed event (given when the status is failed) — is folded from the raw events of the page's transactions
// only, read by spans of event time (every payment event of a transaction lies between its
// creation and its update time). A search by customer looks for the transactions whose
// payment events name it among the merchant's raw events since the range's start.

import type { StoreBackend, Row, BackendKind } from '../backend.ts';
import { PAYMENT_TYPES } from '../../events/contract.ts';
import { KIND_FAILED, KIND_PENDING } from '../../events/rollup-kinds.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export type TransactionSort = 'created' | 'amount';

export interface TransactionPageQuery {
  merchantKey: number;
  /** Transactions created in [from, to), epoch milliseconds. */
  from: number;
  to: number;
  /** Payment status codes (1 pending, 2 succeeded, 3 failed); null: any. */
  statuses: number[] | null;
  currencyKeys: number[] | null;
  methodKeys: number[] | null;
  providerKeys: number[] | null;
  /** The transaction's amount in minor units of its currency, inclusive bounds. */
  amountMin: bigint | null;
  amountMax: bigint | null;
  /** Exactly this transaction. */
  txnId: string | null;
  /** A transaction whose id is this, or one of whose events names this customer_id. */
  search: string | null;
  sort: TransactionSort;
  descending: boolean;
  /** Rows strictly after this (sort key, txn_id) in the page order. */
  after: { key: bigint; txnId: string } | null;
  limit: number;
}

export interface TransactionRow {
  txnId: string;
  createdAt: number;
  updatedAt: number;
  status: number;
  amountMinor: bigint;
  feeMinor: bigint;
  currencyKey: number;
  countryKey: number;
  cityKey: number;
  methodKey: number;
  providerKey: number;
  customerId: string | null;
  failureReason: string | null;
  /** Payment events folded into the row. */
  events: number;
}

const PAYMENT_TYPE_COUNT = PAYMENT_TYPES.length; // payment type codes come first
const DAY_MS = 86_400_000;
/** The first window of a page by creation time, and how fast it widens while the page is not full. */
const FIRST_WINDOW_MS = DAY_MS;
const WIDEN_FACTOR = 8;
/** Spans of the page's transactions closer than this are read as one. */
const MERGE_GAP_MS = 3_600_000;

/** The aggregate functions of each dialect; `latest` orders events, a final status beating pending on a tie. */
const DIALECT = {
  duckdb: {
    latest: `(occurred_at, status <> ${KIND_PENDING}, event_id)`,
    argMax: (v: string, by: string) => `arg_max(${v}, ${by})`,
    argMaxIf: (v: string, by: string, cond: string) => `arg_max(${v}, ${by}) FILTER (WHERE ${cond})`,
    count: 'count(*)',
    alias: ' AS t',
  },
  clickhouse: {
    latest: `tuple(occurred_at, status != ${KIND_PENDING}, event_id)`,
    argMax: (v: string, by: string) => `argMax(${v}, ${by})`,
    argMaxIf: (v: string, by: string, cond: string) => `argMaxIf(${v}, ${by}, ${cond})`,
    count: 'count()',
    alias: '',
  },
} satisfies Record<BackendKind, unknown>;

const inList = (col: string, keys: number[]) => (keys.length ? `${col} IN (${keys.map(sqlInt).join(', ')})` : '1 = 0');

/** Each transaction's latest row among those keyed in the creation window. Output names are t_*: ClickHouse lets an alias shadow a column of the same name in the whole query. */
function stateSql(kind: BackendKind, q: TransactionPageQuery, from: number, to: number): string {
  const d = DIALECT[kind];
  const merchant = `merchant_key = ${sqlInt(q.merchantKey)}`;
  const where = [merchant, `created_at >= ${sqlInt(from)}`, `created_at < ${sqlInt(to)}`, committedRows(kind)];
  if (q.txnId !== null) where.push(`txn_id = ${sqlString(q.txnId, kind)}`);
  if (q.search !== null) {
    const s = sqlString(q.search, kind);
    where.push(`(txn_id = ${s} OR txn_id IN (SELECT entity_id FROM raw_events WHERE ${merchant} AND type < ${PAYMENT_TYPE_COUNT}
      AND customer_id = ${s} AND occurred_at >= ${sqlInt(from)} AND ${committedRows(kind)}))`);
  }
  const last = (col: string) => d.argMax(col, 'batch_id');
  return `SELECT txn_id AS t_id, created_at AS t_created, ${last('updated_at')} AS t_updated, ${last('status')} AS t_status,
      ${last('amount_minor')} AS t_amount, ${last('fee_minor')} AS t_fee, ${last('currency_key')} AS t_currency,
      ${last('country_key')} AS t_country, ${last('city_key')} AS t_city, ${last('method_key')} AS t_method,
      ${last('provider_key')} AS t_provider, ${last('removed')} AS t_removed
    FROM merchant_transactions WHERE ${where.join(' AND ')}
    GROUP BY created_at, txn_id`;
}

function pageSql(kind: BackendKind, q: TransactionPageQuery, from: number, to: number, limit: number): string {
  const key = q.sort === 'created' ? 't_created' : 't_amount';
  const where = ['t_removed = 0'];
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
  return `SELECT * FROM (${stateSql(kind, q, from, to)})${DIALECT[kind].alias}
    WHERE ${where.join(' AND ')} ORDER BY ${key} ${dir}, t_id ${dir} LIMIT ${sqlInt(limit)}`;
}

/** Spans of event time holding the page's transactions' events, each with its transactions (nearby spans merged). */
function spansOf(rows: Row[]): Array<{ from: number; to: number; ids: string[] }> {
  const sorted = rows.map((r) => ({ from: Number(r.t_created), to: Number(r.t_updated), id: String(r.t_id) })).sort((x, y) => x.from - y.from);
  const out: Array<{ from: number; to: number; ids: string[] }> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from - last.to <= MERGE_GAP_MS) {
      last.to = Math.max(last.to, r.to);
      last.ids.push(r.id);
    } else {
      out.push({ from: r.from, to: r.to, ids: [r.id] });
    }
  }
  return out;
}

/**
 * What the table does not hold, folded from the raw payment events of the page's transactions:
 * one range read of event time per span (a page by amount scatters its rows over the years).
 */
function detailSql(kind: BackendKind, merchantKey: number, rows: Row[]): string {
  const d = DIALECT[kind];
  const parts = spansOf(rows).map((s) => `SELECT entity_id, occurred_at, status, event_id, customer_id, failure_reason FROM raw_events
    WHERE merchant_key = ${sqlInt(merchantKey)} AND type < ${PAYMENT_TYPE_COUNT} AND ${committedRows(kind)}
      AND occurred_at >= ${sqlInt(s.from)} AND occurred_at <= ${sqlInt(s.to)}
      AND entity_id IN (${s.ids.map((id) => sqlString(id, kind)).join(', ')})`);
  return `SELECT entity_id AS t_id, ${d.count} AS t_events,
      ${d.argMaxIf('customer_id', d.latest, 'customer_id IS NOT NULL')} AS t_customer,
      ${d.argMaxIf('failure_reason', d.latest, `status = ${KIND_FAILED}`)} AS t_failure
    FROM (${parts.join('\n    UNION ALL ')})${DIALECT[kind].alias}
    GROUP BY entity_id`;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function rowOf(r: Row, detail: Row | undefined): TransactionRow {
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
    customerId: str(detail?.t_customer),
    failureReason: Number(r.t_status) === KIND_FAILED ? str(detail?.t_failure) : null,
    events: Number(detail?.t_events ?? 0),
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
  // One transaction, a search (a few transactions, found among raw events), or an order that is
  // not by time: one pass over the range.
  if (q.sort !== 'created' || q.txnId !== null || q.search !== null) {
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

export async function merchantTransactionPage(b: StoreBackend, q: TransactionPageQuery): Promise<TransactionRow[]> {
  const rows: Row[] = [];
  for (const [from, to] of windows(q)) {
    for (const r of await b.select(pageSql(b.kind, q, from, to, q.limit - rows.length))) rows.push(r);
    if (rows.length >= q.limit) break;
  }
  if (rows.length === 0) return [];
  const details = await b.select(detailSql(b.kind, q.merchantKey, rows));
  const byId = new Map(details.map((d) => [String(d.t_id), d]));
  return rows.map((r) => rowOf(r, byId.get(String(r.t_id))));
}
