// What a merchant's upcoming payout is made of, per currency: its succeeded transactions'
// captured amounts, their fees and refunds (merchant-ledger-sql.ts), what is held back — the net
// of those captured at or after a cutoff (the schedule's delay) — and what its payouts
// (merchant-payouts.ts, folded per payout_id) have already paid out. Exact sums in minor units.

import type { StoreBackend, BackendKind } from '../backend.ts';
import { sqlInt } from '../sql-literal.ts';
import { ledgerSql } from './merchant-ledger-sql.ts';
import { foldedPayoutsSql } from './merchant-payouts.ts';

export interface BalanceQuery {
  merchantKey: number;
  /** Transactions captured at or after this instant (epoch ms) are held back. */
  heldFrom: number;
}

export interface BalanceRow {
  currencyKey: number;
  capturedMinor: bigint;
  feesMinor: bigint;
  refundedMinor: bigint;
  /** Net (captured − fees − refunds) of the transactions captured at or after heldFrom. */
  heldMinor: bigint;
  paidOutMinor: bigint;
}

/** Exact sums: DuckDB's sum of BIGINT is a HUGEINT; ClickHouse's sum of Int64 wraps, Decimal128 does not (docs/clickhouse.md). */
const DIALECT = {
  duckdb: {
    sum: (v: string) => `sum(${v})`,
    sumIf: (v: string, c: string) => `coalesce(sum(${v}) FILTER (WHERE ${c}), 0)`,
  },
  clickhouse: {
    sum: (v: string) => `sum(toDecimal128(${v}, 0))`,
    sumIf: (v: string, c: string) => `sumIf(toDecimal128(${v}, 0), ${c})`,
  },
} satisfies Record<BackendKind, unknown>;

function ledgerTotalsSql(kind: BackendKind, q: BalanceQuery): string {
  const d = DIALECT[kind];
  return `SELECT l_currency AS b_currency, ${d.sum('l_amount')} AS b_captured, ${d.sum('l_fee')} AS b_fees,
      ${d.sum('l_refunded')} AS b_refunded, ${d.sumIf('l_net', `l_captured >= ${sqlInt(q.heldFrom)}`)} AS b_held
    FROM (${ledgerSql(kind, q.merchantKey)}) AS b_ledger GROUP BY l_currency`;
}

function paidOutSql(kind: BackendKind, q: BalanceQuery): string {
  return `SELECT p_currency AS b_currency, ${DIALECT[kind].sum('p_amount')} AS b_paid
    FROM (${foldedPayoutsSql(kind, q.merchantKey)}) AS b_payouts GROUP BY p_currency`;
}

/** Decimal128 sums arrive as text, HUGEINT ones as bigint. */
const big = (v: unknown) => BigInt(String(v ?? 0));

export async function merchantBalance(b: StoreBackend, q: BalanceQuery): Promise<BalanceRow[]> {
  const [totals, paid] = await Promise.all([b.select(ledgerTotalsSql(b.kind, q)), b.select(paidOutSql(b.kind, q))]);
  const rows = new Map<number, BalanceRow>();
  const rowOf = (key: number) => {
    let r = rows.get(key);
    if (!r) rows.set(key, r = { currencyKey: key, capturedMinor: 0n, feesMinor: 0n, refundedMinor: 0n, heldMinor: 0n, paidOutMinor: 0n });
    return r;
  };
  for (const t of totals) {
    Object.assign(rowOf(Number(t.b_currency)), {
      capturedMinor: big(t.b_captured), feesMinor: big(t.b_fees), refundedMinor: big(t.b_refunded), heldMinor: big(t.b_held),
    });
  }
  for (const p of paid) rowOf(Number(p.b_currency)).paidOutMinor = big(p.b_paid);
  return [...rows.values()].sort((a, b) => a.currencyKey - b.currencyKey);
}
