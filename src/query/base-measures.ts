// The base measures every query computes from rollup rows, on which metrics are expressions.
// Stage 1 sums them per (bucket, dimensions, currency, UTC day); stage 2 converts the *_minor
// sums to USD with the rate in force on that day; stage 3 sums again per bucket and dimensions.

import {
  KIND_DISPUTE, KIND_FAILED, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND, KIND_SUCCEEDED,
} from '../state/rollup-kinds.ts';

interface BaseMeasure {
  name: string;
  /** Stage-1 expression over a rollup row. */
  sql: string;
  /** For *_minor measures: the name of their USD conversion. */
  usd?: string;
}

const countOf = (...kinds: number[]) =>
  `sum(CASE WHEN kind IN (${kinds.join(', ')}) THEN cnt ELSE 0 END)`;
const amountOf = (kind: number) => `sum(CASE WHEN kind = ${kind} THEN amount_minor ELSE 0 END)`;

export const BASE_MEASURES: readonly BaseMeasure[] = [
  { name: 'tx_count', sql: countOf(KIND_PENDING, KIND_SUCCEEDED, KIND_FAILED) },
  { name: 'succeeded_count', sql: countOf(KIND_SUCCEEDED) },
  { name: 'failed_count', sql: countOf(KIND_FAILED) },
  { name: 'pending_count', sql: countOf(KIND_PENDING) },
  { name: 'refund_count', sql: countOf(KIND_REFUND) },
  { name: 'dispute_count', sql: countOf(KIND_DISPUTE) },
  { name: 'payout_count', sql: countOf(KIND_PAYOUT) },
  { name: 'payout_settled_count', sql: countOf(KIND_PAYOUT_SETTLED) },
  { name: 'gross_minor', sql: amountOf(KIND_SUCCEEDED), usd: 'gross_usd' },
  { name: 'fee_minor', sql: `sum(CASE WHEN kind = ${KIND_SUCCEEDED} THEN fee_minor ELSE 0 END)`, usd: 'fee_usd' },
  { name: 'refund_minor', sql: amountOf(KIND_REFUND), usd: 'refund_usd' },
  { name: 'dispute_minor', sql: amountOf(KIND_DISPUTE), usd: 'dispute_usd' },
  { name: 'payout_minor', sql: amountOf(KIND_PAYOUT), usd: 'payout_usd' },
  { name: 'payout_settled_minor', sql: amountOf(KIND_PAYOUT_SETTLED), usd: 'payout_settled_usd' },
];

/** Transactions and events behind a stage-1 row: what "unconverted" counts when its rate is missing. */
export const EVENT_COUNT_SQL = 'sum(cnt)';
