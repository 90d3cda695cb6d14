// Which transactions a payout covers: the merchant's paid-out amounts allocated to its succeeded
// transactions first in, first out. In one currency, the transactions in capture order
// (captured_at, then txn_id) lay their net amounts (amount − fee − refunds, a negative one
// counted as 0: a transaction that returned more than it brought covers nothing) end to end on
// one line from 0; the payouts in creation order do the same with their amounts. A payout covers
// the stretch [paidBefore, paidBefore + amount) of that line: every transaction overlapping it,
// for the overlapping part — so a transaction may be split between two payouts, and the parts a
// payout covers add up to its amount unless the line ends first (transactions beyond raw
// retention, or money paid out that no transaction of the stream brought).

import type { StoreBackend, BackendKind } from '../backend.ts';
import { sqlInt } from '../sql-literal.ts';
import { ledgerSql } from './merchant-ledger-sql.ts';

export interface CoverageQuery {
  merchantKey: number;
  currencyKey: number;
  /** The stretch of the line, minor units: [from, to). */
  from: bigint;
  to: bigint;
}

export interface CoverageRow {
  txnId: string;
  capturedAt: number;
  amountMinor: bigint;
  feeMinor: bigint;
  refundedMinor: bigint;
  /** max(0, amount − fee − refunds). */
  netMinor: bigint;
  /** Where the transaction starts on the line: what transactions before it brought. */
  startMinor: bigint;
}

const lineWhere = (q: CoverageQuery) => `l_currency = ${sqlInt(q.currencyKey)} AND l_net > 0`;
const overlaps = (q: CoverageQuery) => `c_start < ${sqlInt(q.to)} AND c_start + c_net > ${sqlInt(q.from)}`;

const COVERAGE_SQL = {
  duckdb: (q: CoverageQuery) => `SELECT * FROM (
      SELECT l_id AS c_id, l_captured AS c_captured, l_amount AS c_amount, l_fee AS c_fee, l_refunded AS c_refunded, l_net AS c_net,
        sum(l_net) OVER (ORDER BY l_captured, l_id ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - l_net AS c_start
      FROM (${ledgerSql('duckdb', q.merchantKey)}) AS c_ledger WHERE ${lineWhere(q)}
    ) AS c_line
    WHERE ${overlaps(q)} ORDER BY c_captured, c_id`,
  // TRICKY: no window functions on 18.16: the line is one sorted array, its running sum arrayCumSum.
  clickhouse: (q: CoverageQuery) => `SELECT tupleElement(c_row, 2) AS c_id, tupleElement(c_row, 1) AS c_captured,
      tupleElement(c_row, 3) AS c_amount, tupleElement(c_row, 4) AS c_fee, tupleElement(c_row, 5) AS c_refunded,
      tupleElement(c_row, 6) AS c_net, c_start
    FROM (
      SELECT arraySort(groupArray(tuple(l_captured, l_id, l_amount, l_fee, l_refunded, l_net))) AS c_rows,
        arrayMap(r -> tupleElement(r, 6), c_rows) AS c_nets,
        arrayMap((e, n) -> e - n, arrayCumSum(c_nets), c_nets) AS c_starts
      FROM (${ledgerSql('clickhouse', q.merchantKey)}) AS c_ledger WHERE ${lineWhere(q)}
    )
    ARRAY JOIN c_rows AS c_row, c_starts AS c_start
    WHERE ${overlaps(q)} ORDER BY c_captured, c_id`,
} satisfies Record<BackendKind, (q: CoverageQuery) => string>;

export async function merchantPayoutCoverage(b: StoreBackend, q: CoverageQuery): Promise<CoverageRow[]> {
  if (q.from >= q.to) return [];
  return (await b.select(COVERAGE_SQL[b.kind](q))).map((r) => ({
    txnId: String(r.c_id),
    capturedAt: Number(r.c_captured),
    amountMinor: BigInt(r.c_amount as bigint),
    feeMinor: BigInt(r.c_fee as bigint),
    refundedMinor: BigInt(r.c_refunded as bigint),
    netMinor: BigInt(r.c_net as bigint),
    startMinor: BigInt(r.c_start as bigint),
  }));
}
