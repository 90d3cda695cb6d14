// One merchant's payouts, as the merchant portal lists them: its payout events (`payout_created`,
// `payout.settled`) folded per payout_id. A payout is created at its earliest event; its amount
// and currency are those of its earliest `payout_created` event (or, with none, of its earliest
// event: a payout the stream knows only from its settlement); it is settled from its earliest
// `payout.settled` event on. Besides each row, `paidBefore`: what the merchant's earlier payouts
// of the same currency add up to (a running sum over (created_at, payout_id)), so a payout's place
// in the FIFO allocation of the merchant's transactions (merchant-payout-coverage.ts) is known
// without reading every payout. A keyset page over (created_at, payout_id), newest first, no OFFSET.
//
// TRICKY: ClickHouse 18.16 has no window functions (docs/clickhouse.md), so the running sum is not
// SQL: a second statement sums, per currency, the payouts before the page's oldest row, and the
// page adds its own rows up from there (they are consecutive in that order).
//
// Which events a query folds: all of the merchant's payout events (payouts are a few a day at
// most, next to many payments).

import type { StoreBackend, Row, BackendKind } from '../backend.ts';
import { TYPE_CODE } from '../../events/contract.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export interface PayoutPageQuery {
  merchantKey: number;
  /** Exactly this payout. */
  payoutId: string | null;
  /** Rows strictly after this (created_at, payout_id), newest first. */
  after: { createdAt: number; payoutId: string } | null;
  limit: number;
}

export interface PayoutRow {
  payoutId: string;
  createdAt: number;
  /** Its earliest payout.settled event; null while it has none. */
  settledAt: number | null;
  amountMinor: bigint;
  currencyKey: number;
  /** The amounts of the merchant's payouts of this currency created before it (created_at, then payout_id). */
  paidBeforeMinor: bigint;
  /** Payout events folded into the row. */
  events: number;
}

const CREATED = TYPE_CODE.payout_created;
const SETTLED = TYPE_CODE['payout.settled'];

const DIALECT = {
  duckdb: {
    // payout_created's code is below payout.settled's: the earliest created event comes first.
    first: '(type, occurred_at, event_id)',
    argMin: (v: string, by: string) => `arg_min(${v}, ${by})`,
    count: 'count(*)',
    settledCount: `count(*) FILTER (WHERE type = ${SETTLED})`,
    settledAt: `min(occurred_at) FILTER (WHERE type = ${SETTLED})`,
    alias: (a: string) => ` AS ${a}`,
  },
  clickhouse: {
    first: 'tuple(type, occurred_at, event_id)',
    argMin: (v: string, by: string) => `argMin(${v}, ${by})`,
    count: 'count()',
    settledCount: `countIf(type = ${SETTLED})`,
    // TRICKY: minIf over no row is 0, not NULL: p_settled_n tells the two apart.
    settledAt: `minIf(occurred_at, type = ${SETTLED})`,
    alias: () => '',
  },
} satisfies Record<BackendKind, unknown>;

/** Every payout of the merchant, folded; output names are p_* (ClickHouse aliases shadow columns). */
export function foldedPayoutsSql(kind: BackendKind, merchantKey: number): string {
  const d = DIALECT[kind];
  const where = [`merchant_key = ${sqlInt(merchantKey)}`, `type IN (${CREATED}, ${SETTLED})`, committedRows(kind)];
  return `SELECT entity_id AS p_id, min(occurred_at) AS p_created, ${d.argMin('amount_minor', d.first)} AS p_amount,
      ${d.argMin('currency_key', d.first)} AS p_currency, ${d.settledAt} AS p_settled, ${d.settledCount} AS p_settled_n, ${d.count} AS p_events
    FROM raw_events WHERE ${where.join(' AND ')} GROUP BY entity_id`;
}

const before = (kind: BackendKind, at: { createdAt: number; payoutId: string }) => {
  const t = sqlInt(at.createdAt);
  return `(p_created < ${t} OR (p_created = ${t} AND p_id < ${sqlString(at.payoutId, kind)}))`;
};

function pageSql(kind: BackendKind, q: PayoutPageQuery): string {
  const outer: string[] = [];
  if (q.payoutId !== null) outer.push(`p_id = ${sqlString(q.payoutId, kind)}`);
  if (q.after) outer.push(before(kind, q.after));
  return `SELECT * FROM (${foldedPayoutsSql(kind, q.merchantKey)})${DIALECT[kind].alias('p_all')}
    ${outer.length ? `WHERE ${outer.join(' AND ')}` : ''} ORDER BY p_created DESC, p_id DESC LIMIT ${sqlInt(q.limit)}`;
}

/** Per currency, the amounts of the payouts before this one. */
function paidBeforeSql(kind: BackendKind, merchantKey: number, at: { createdAt: number; payoutId: string }): string {
  const sum = kind === 'duckdb' ? 'sum(p_amount)' : 'sum(toDecimal128(p_amount, 0))';
  return `SELECT p_currency AS s_currency, ${sum} AS s_paid FROM (${foldedPayoutsSql(kind, merchantKey)})${DIALECT[kind].alias('p_all')}
    WHERE ${before(kind, at)} GROUP BY p_currency`;
}

function rowOf(r: Row): Omit<PayoutRow, 'paidBeforeMinor'> {
  const settled = Number(r.p_settled_n) > 0;
  return {
    payoutId: String(r.p_id),
    createdAt: Number(r.p_created),
    settledAt: settled ? Number(r.p_settled) : null,
    amountMinor: BigInt(r.p_amount as bigint),
    currencyKey: Number(r.p_currency),
    events: Number(r.p_events),
  };
}

export async function merchantPayoutPage(b: StoreBackend, q: PayoutPageQuery): Promise<PayoutRow[]> {
  if (q.limit <= 0) return [];
  const rows = (await b.select(pageSql(b.kind, q))).map(rowOf);
  if (rows.length === 0) return [];
  const oldest = rows[rows.length - 1];
  const paid = new Map<number, bigint>();
  for (const r of await b.select(paidBeforeSql(b.kind, q.merchantKey, oldest))) paid.set(Number(r.s_currency), BigInt(String(r.s_paid)));
  // Oldest first, each row's running sum, then back to newest first.
  const out: PayoutRow[] = [];
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i];
    const before = paid.get(r.currencyKey) ?? 0n;
    out.push({ ...r, paidBeforeMinor: before });
    paid.set(r.currencyKey, before + r.amountMinor);
  }
  return out.reverse();
}
