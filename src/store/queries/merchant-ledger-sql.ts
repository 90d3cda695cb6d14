// The merchant's ledger as the payout reads see it (merchant-balance.ts, merchant-payout-coverage.ts):
// one row per succeeded transaction — its payment events folded per txn_id by the rule of
// merchant-transactions.ts (status, amount, fee and currency of the latest event; a final
// status beats pending on a tie) — captured at its latest payment event, with the refunds naming
// it in its currency summed beside it. SQL only, for the two modules that read it.

import type { BackendKind } from '../backend.ts';
import { PAYMENT_TYPES, TYPE_CODE } from '../../events/contract.ts';
import { KIND_PENDING, STATUS_CODE } from '../../events/rollup-kinds.ts';
import { sqlInt } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

const DIALECT = {
  duckdb: {
    latest: `(occurred_at, status <> ${KIND_PENDING}, event_id)`,
    argMax: (v: string, by: string) => `arg_max(${v}, ${by})`,
    alias: (a: string) => ` AS ${a}`,
  },
  clickhouse: {
    latest: `tuple(occurred_at, status != ${KIND_PENDING}, event_id)`,
    argMax: (v: string, by: string) => `argMax(${v}, ${by})`,
    alias: (a: string) => ` AS ${a}`,
  },
} satisfies Record<BackendKind, unknown>;

/**
 * Columns: l_id (txn_id), l_captured (epoch ms), l_currency, l_amount, l_fee, l_refunded (minor
 * units), l_net = l_amount − l_fee − l_refunded (may be negative: a refund does not return the fee).
 */
export function ledgerSql(kind: BackendKind, merchantKey: number): string {
  const d = DIALECT[kind];
  const merchant = `merchant_key = ${sqlInt(merchantKey)} AND ${committedRows(kind)}`;
  return `SELECT l_id, l_captured, l_currency, l_amount, l_fee, coalesce(r_amount, 0) AS l_refunded,
      l_amount - l_fee - coalesce(r_amount, 0) AS l_net
    FROM (
      SELECT entity_id AS l_id, max(occurred_at) AS l_captured, ${d.argMax('status', d.latest)} AS l_status,
        ${d.argMax('amount_minor', d.latest)} AS l_amount, ${d.argMax('fee_minor', d.latest)} AS l_fee,
        ${d.argMax('currency_key', d.latest)} AS l_currency
      FROM raw_events WHERE ${merchant} AND type < ${PAYMENT_TYPES.length} GROUP BY entity_id
    )${d.alias('l_txn')}
    LEFT JOIN (
      SELECT ifNull(txn_id, '') AS r_txn, currency_key AS r_currency, sum(amount_minor) AS r_amount
      FROM raw_events WHERE ${merchant} AND type = ${TYPE_CODE.refund_created} GROUP BY r_txn, r_currency
    )${d.alias('l_refunds')} ON l_id = r_txn AND l_currency = r_currency
    WHERE l_status = ${STATUS_CODE.succeeded}`;
}
