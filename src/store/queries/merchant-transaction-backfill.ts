// The merchant_transactions rows of a store that had raw events before the table existed: one
// row per transaction, folded from its committed payment events by the transaction index's rules
// (created at the earliest occurred_at; status, amount, fee, currency, country and merchant from
// the latest event — greatest occurred_at, a final status beating pending on a tie; city, method
// and provider from the latest event or else the creation event), versioned by the greatest batch
// id among its events, so that every later batch's row supersedes it. Run by the migrations that
// create the table (DuckDB 5, ClickHouse 6), before any batch is written.
//
// One difference from the ingest: between two final statuses at the same millisecond the index
// compares a hash of event_id, which SQL cannot compute; here the greater event_id wins. Only a
// producer sending both `succeeded` and `failed` for one transaction at one instant can tell,
// and the transaction's next event rewrites its row by the index's rule.

import type { BackendKind } from '../backend.ts';
import { PAYMENT_TYPES } from '../../events/contract.ts';
import { KIND_PENDING } from '../../events/rollup-kinds.ts';
import { COMMITTED } from '../clickhouse/committed.ts';

const PAYMENTS = PAYMENT_TYPES.length; // payment type codes come first

export const TRANSACTION_COLUMNS = [
  'merchant_key', 'created_at', 'txn_id', 'updated_at', 'status', 'amount_minor', 'fee_minor', 'currency_key',
  'country_key', 'city_key', 'method_key', 'provider_key', 'removed', 'batch_id',
] as const;

const DIALECT = {
  duckdb: {
    latest: `(occurred_at, status <> ${KIND_PENDING}, event_id)`,
    earliest: '(occurred_at, event_id)',
    argMax: (v: string, by: string) => `arg_max(${v}, ${by})`,
    argMin: (v: string, by: string) => `arg_min(${v}, ${by})`,
    committed: '1 = 1',
  },
  clickhouse: {
    latest: `tuple(occurred_at, status != ${KIND_PENDING}, event_id)`,
    earliest: 'tuple(occurred_at, event_id)',
    argMax: (v: string, by: string) => `argMax(${v}, ${by})`,
    argMin: (v: string, by: string) => `argMin(${v}, ${by})`,
    committed: COMMITTED,
  },
} satisfies Record<BackendKind, unknown>;

/** INSERT … SELECT of every transaction's row (the table is empty, or holds the same rows from a cut-short run). */
export function transactionBackfillSql(kind: BackendKind): string {
  const d = DIALECT[kind];
  const latest = (col: string) => d.argMax(col, d.latest);
  const latestOrFirst = (col: string) => `CASE WHEN ${latest(col)} <> 0 THEN ${latest(col)} ELSE ${d.argMin(col, d.earliest)} END`;
  return `INSERT INTO merchant_transactions (${TRANSACTION_COLUMNS.join(', ')})
    SELECT ${latest('merchant_key')}, min(occurred_at), entity_id, max(occurred_at), ${latest('status')},
      ${latest('amount_minor')}, ${latest('fee_minor')}, ${latest('currency_key')}, ${latest('country_key')},
      ${latestOrFirst('city_key')}, ${latestOrFirst('method_key')}, ${latestOrFirst('provider_key')}, 0, max(batch_id)
    FROM raw_events WHERE type < ${PAYMENTS} AND ${d.committed}
    GROUP BY entity_id`;
}
