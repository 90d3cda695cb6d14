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
// first and widens it only while the page is not full: a range read of the table's order. A page
// by amount is a top-N read: the range's rows in amount order (no grouping), of which only each
// key's latest is kept, read wider only while the page is not full (pageByAmount). What
// the table does not hold — the count of payment events, the latest customer_id named, the
// failure_reason of the latest failed event (given when the status is failed) — is folded from the raw events of the page's transactions
// only, read by spans of event time in one scan (every payment event of a transaction lies
// between its creation and its update time). A search by customer looks for the transactions whose
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
/** A page by amount first reads this many rows a row of the page (a transaction has a row per batch that changed it), plus CANDIDATES_MIN. */
const CANDIDATES_PER_ROW = 4;
const CANDIDATES_MIN = 16;
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

/** The table's rows keyed in the creation window that the page may show (merchant, range, committed, id or search). */
function rowsWhere(kind: BackendKind, q: TransactionPageQuery, from: number, to: number): string {
  const merchant = `merchant_key = ${sqlInt(q.merchantKey)}`;
  const where = [merchant, `created_at >= ${sqlInt(from)}`, `created_at < ${sqlInt(to)}`, committedRows(kind)];
  if (q.txnId !== null) where.push(`txn_id = ${sqlString(q.txnId, kind)}`);
  if (q.search !== null) {
    const s = sqlString(q.search, kind);
    where.push(`(txn_id = ${s} OR txn_id IN (SELECT entity_id FROM raw_events WHERE ${merchant} AND type < ${PAYMENT_TYPE_COUNT}
      AND customer_id = ${s} AND occurred_at >= ${sqlInt(from)} AND ${committedRows(kind)}))`);
  }
  return where.join(' AND ');
}

/** The state columns, named t_*: ClickHouse lets an alias shadow a column of the same name in the whole query. */
const STATE_COLUMNS = [
  ['updated_at', 't_updated'], ['status', 't_status'], ['amount_minor', 't_amount'], ['fee_minor', 't_fee'],
  ['currency_key', 't_currency'], ['country_key', 't_country'], ['city_key', 't_city'], ['method_key', 't_method'],
  ['provider_key', 't_provider'], ['removed', 't_removed'],
] as const;

/** Each transaction's latest row among those keyed in the creation window. */
function stateSql(kind: BackendKind, q: TransactionPageQuery, from: number, to: number): string {
  const d = DIALECT[kind];
  const cols = STATE_COLUMNS.map(([c, t]) => `${d.argMax(c, 'batch_id')} AS ${t}`).join(', ');
  return `SELECT txn_id AS t_id, created_at AS t_created, ${cols}
    FROM merchant_transactions WHERE ${rowsWhere(kind, q, from, to)}
    GROUP BY created_at, txn_id`;
}

/** Every row keyed in the range, each with its batch (t_batch): a candidate for the page, the latest of its key or not. */
function rowsSql(kind: BackendKind, q: TransactionPageQuery): string {
  const cols = STATE_COLUMNS.map(([c, t]) => `${c} AS ${t}`).join(', ');
  return `SELECT txn_id AS t_id, created_at AS t_created, ${cols}, batch_id AS t_batch
    FROM merchant_transactions WHERE ${rowsWhere(kind, q, q.from, q.to)}`;
}

/** The rows of `source` (named t_*) that pass the page's filters and follow its cursor, in page order. */
function pageSql(kind: BackendKind, q: TransactionPageQuery, source: string, limit: number): string {
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
  return `SELECT * FROM (${source})${DIALECT[kind].alias}
    WHERE ${where.join(' AND ')} ORDER BY ${key} ${dir}, t_id ${dir} LIMIT ${sqlInt(limit)}`;
}

/** The greatest committed batch of each of the rows' keys, removals included. */
function latestBatchSql(kind: BackendKind, merchantKey: number, rows: Row[]): string {
  const created = [...new Set(rows.map((r) => sqlInt(BigInt(r.t_created as bigint))))];
  const ids = [...new Set(rows.map((r) => sqlString(String(r.t_id), kind)))];
  return `SELECT created_at AS t_created, txn_id AS t_id, max(batch_id) AS t_batch FROM merchant_transactions
    WHERE merchant_key = ${sqlInt(merchantKey)} AND ${committedRows(kind)}
      AND created_at IN (${created.join(', ')}) AND txn_id IN (${ids.join(', ')})
    GROUP BY created_at, txn_id`;
}

/** Spans of event time holding the page's transactions' events (nearby spans merged). */
function spansOf(rows: Row[]): Array<{ from: number; to: number }> {
  const sorted = rows.map((r) => ({ from: Number(r.t_created), to: Number(r.t_updated) })).sort((x, y) => x.from - y.from);
  const out: Array<{ from: number; to: number }> = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.from - last.to <= MERGE_GAP_MS) last.to = Math.max(last.to, r.to);
    else out.push({ ...r });
  }
  return out;
}

/**
 * What the table does not hold, folded from the raw payment events of the page's transactions:
 * one read of the spans of event time holding them (a page by amount scatters its rows over the
 * years), an OR of ranges that both engines prune by (DuckDB's zone maps, ClickHouse's order
 * key). A transaction's payment events all lie in its own span, so none is read twice.
 */
function detailSql(kind: BackendKind, merchantKey: number, rows: Row[]): string {
  const d = DIALECT[kind];
  const spans = spansOf(rows).map((s) => `(occurred_at >= ${sqlInt(s.from)} AND occurred_at <= ${sqlInt(s.to)})`);
  return `SELECT entity_id AS t_id, ${d.count} AS t_events,
      ${d.argMaxIf('customer_id', d.latest, 'customer_id IS NOT NULL')} AS t_customer,
      ${d.argMaxIf('failure_reason', d.latest, `status = ${KIND_FAILED}`)} AS t_failure
    FROM raw_events
    WHERE merchant_key = ${sqlInt(merchantKey)} AND type < ${PAYMENT_TYPE_COUNT} AND ${committedRows(kind)}
      AND (${spans.join(' OR ')}) AND entity_id IN (${rows.map((r) => sqlString(String(r.t_id), kind)).join(', ')})
    GROUP BY entity_id`;
}

const keyOf = (r: Row) => `${String(r.t_created)} ${String(r.t_id)}`;
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
 * The creation windows of a page by creation time, in page order: a window next to the cursor,
 * widened while the page is not full; one pass over the range for one transaction or a search.
 */
function* windows(q: TransactionPageQuery): Generator<[number, number]> {
  let from = q.from;
  let to = q.to;
  if (q.after) {
    // Rows after the cursor were created at or beyond its time (the cursor predicate does the rest).
    const at = Number(q.after.key);
    if (q.descending) to = Math.min(to, at + 1);
    else from = Math.max(from, at);
  }
  if (q.txnId !== null || q.search !== null) {
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

async function pageByCreation(b: StoreBackend, q: TransactionPageQuery): Promise<Row[]> {
  const rows: Row[] = [];
  for (const [from, to] of windows(q)) {
    for (const r of await b.select(pageSql(b.kind, q, stateSql(b.kind, q, from, to), q.limit - rows.length))) rows.push(r);
    if (rows.length >= q.limit) break;
  }
  return rows;
}

/**
 * A page by amount, a top-N read: the first rows in page order among all the range's rows (each
 * row judged by its own values, which for a key's latest row are the transaction's state), then
 * of those only each key's latest (a superseded row, or one a removal hides, drops out). The
 * latest rows that pass are exactly the page's transactions, in order, up to the last row read —
 * except that rows sharing the last one's (amount, txn_id) may continue past the read: those wait
 * for a wider read, eightfold, until the page is full or the range is read out.
 */
async function pageByAmount(b: StoreBackend, q: TransactionPageQuery): Promise<Row[]> {
  for (let read = q.limit * CANDIDATES_PER_ROW + CANDIDATES_MIN; ; read *= WIDEN_FACTOR) {
    const rows = await b.select(pageSql(b.kind, q, rowsSql(b.kind, q), read));
    if (rows.length === 0) return [];
    const latest = new Map((await b.select(latestBatchSql(b.kind, q.merchantKey, rows))).map((r) => [keyOf(r), Number(r.t_batch)]));
    const readOut = rows.length < read;
    const last = rows[rows.length - 1];
    const page: Row[] = [];
    for (const r of rows) {
      if (!readOut && String(r.t_id) === String(last.t_id) && BigInt(r.t_amount as bigint) === BigInt(last.t_amount as bigint)) break;
      // A key's latest row once: a cut-short migration may have written it twice (ClickHouse).
      if (latest.get(keyOf(r)) !== Number(r.t_batch)) continue;
      latest.delete(keyOf(r));
      page.push(r);
      if (page.length === q.limit) return page;
    }
    if (readOut) return page;
  }
}

export async function merchantTransactionPage(b: StoreBackend, q: TransactionPageQuery): Promise<TransactionRow[]> {
  const rows = q.sort === 'amount' ? await pageByAmount(b, q) : await pageByCreation(b, q);
  if (rows.length === 0) return [];
  const details = await b.select(detailSql(b.kind, q.merchantKey, rows));
  const byId = new Map(details.map((d) => [String(d.t_id), d]));
  return rows.map((r) => rowOf(r, byId.get(String(r.t_id))));
}
