// One merchant's disputes, as the merchant portal lists them (or every merchant's, for the
// dispute deadline reminders: src/merchant/dispute-deadlines.ts): its `dispute_created` events folded
// per dispute_id (a producer may resend a dispute under another event_id). The dispute is what its
// earliest event says (occurred_at, then event_id, breaking ties): created at, transaction,
// amount, currency, reason. A keyset page over (created_at, dispute_id), newest first, so ties on
// the creation time never lose or repeat a row and no OFFSET is ever scanned.
//
// Which events a query folds: all of the merchant's dispute events (a resend after the range
// still counts in `events`); disputes are few next to payments, so no narrower window is needed.

import type { StoreBackend, Row, BackendKind } from '../backend.ts';
import { TYPE_CODE } from '../../events/contract.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export interface DisputePageQuery {
  /** The merchant's key; null: every merchant (each dispute folded within its merchant). */
  merchantKey: number | null;
  /** Disputes created in [from, to), epoch milliseconds. */
  from: number;
  to: number;
  /** Exactly this dispute. */
  disputeId: string | null;
  /** Rows strictly after this (created_at, dispute_id, merchant key: every merchant's), newest first. */
  after: { createdAt: number; disputeId: string; merchantKey?: number } | null;
  limit: number;
}

export interface DisputeRow {
  merchantKey: number;
  disputeId: string;
  txnId: string | null;
  createdAt: number;
  amountMinor: bigint;
  currencyKey: number;
  reason: string | null;
  /** dispute_created events folded into the row. */
  events: number;
}

const DIALECT = {
  duckdb: { earliest: '(occurred_at, event_id)', argMin: (v: string, by: string) => `arg_min(${v}, ${by})`, count: 'count(*)' },
  clickhouse: { earliest: 'tuple(occurred_at, event_id)', argMin: (v: string, by: string) => `argMin(${v}, ${by})`, count: 'count()' },
} satisfies Record<BackendKind, unknown>;

/** Output names are d_*: ClickHouse lets an alias shadow a column of the same name in the whole query. */
function pageSql(kind: BackendKind, q: DisputePageQuery): string {
  const d = DIALECT[kind];
  const where = [`type = ${TYPE_CODE.dispute_created}`, committedRows(kind)];
  if (q.merchantKey !== null) where.unshift(`merchant_key = ${sqlInt(q.merchantKey)}`);
  if (q.disputeId !== null) where.push(`entity_id = ${sqlString(q.disputeId, kind)}`);
  const outer = [`d_created >= ${sqlInt(q.from)}`, `d_created < ${sqlInt(q.to)}`];
  if (q.after) {
    const at = sqlInt(q.after.createdAt);
    const id = sqlString(q.after.disputeId, kind);
    const sameId = q.after.merchantKey === undefined ? '' : ` OR (d_id = ${id} AND d_merchant < ${sqlInt(q.after.merchantKey)})`;
    outer.push(`(d_created < ${at} OR (d_created = ${at} AND (d_id < ${id}${sameId})))`);
  }
  return `SELECT * FROM (
      SELECT merchant_key AS d_merchant, entity_id AS d_id, min(occurred_at) AS d_created, ${d.argMin('txn_id', d.earliest)} AS d_txn,
        ${d.argMin('amount_minor', d.earliest)} AS d_amount, ${d.argMin('currency_key', d.earliest)} AS d_currency,
        ${d.argMin('reason', d.earliest)} AS d_reason, ${d.count} AS d_events
      FROM raw_events WHERE ${where.join(' AND ')} GROUP BY merchant_key, entity_id
    )${kind === 'duckdb' ? ' AS d' : ''}
    WHERE ${outer.join(' AND ')} ORDER BY d_created DESC, d_id DESC, d_merchant DESC LIMIT ${sqlInt(q.limit)}`;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function rowOf(r: Row): DisputeRow {
  return {
    merchantKey: Number(r.d_merchant),
    disputeId: String(r.d_id),
    txnId: str(r.d_txn),
    createdAt: Number(r.d_created),
    amountMinor: BigInt(r.d_amount as bigint),
    currencyKey: Number(r.d_currency),
    reason: str(r.d_reason),
    events: Number(r.d_events),
  };
}

export async function merchantDisputePage(b: StoreBackend, q: DisputePageQuery): Promise<DisputeRow[]> {
  if (q.limit <= 0 || q.from >= q.to) return [];
  return (await b.select(pageSql(b.kind, q))).map(rowOf);
}
