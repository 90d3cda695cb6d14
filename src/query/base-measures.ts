// The base measures every query computes from rollup rows joined with the FX rate of their UTC
// day (`rate`, null when none); metrics are expressions over these (see metrics/). A *_usd
// measure sums amount × rate over the rows that have a rate; the others are counted in
// unconverted_count instead.

import {
  KIND_DISPUTE, KIND_FAILED, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND, KIND_SUCCEEDED,
} from '../events/rollup-kinds.ts';

export interface BaseMeasure {
  name: string;
  /** Aggregate over rollup rows (columns kind, cnt, amount_minor, fee_minor, rate). */
  sql: string;
}

const inKinds = (kinds: number[]) => (kinds.length === 1 ? `kind = ${kinds[0]}` : `kind IN (${kinds.join(', ')})`);
const count = (name: string, ...kinds: number[]) => ({ name, sql: `sum(CASE WHEN ${inKinds(kinds)} THEN cnt ELSE 0 END)` });
const money = (base: string, kind: number, column = 'amount_minor'): BaseMeasure[] => [
  { name: `${base}_minor`, sql: `sum(CASE WHEN kind = ${kind} THEN ${column} ELSE 0 END)` },
  { name: `${base}_usd`, sql: `sum(CASE WHEN kind = ${kind} AND rate IS NOT NULL THEN ${column} * rate ELSE 0 END)` },
];

export const BASE_MEASURES: readonly BaseMeasure[] = [
  count('tx_count', KIND_PENDING, KIND_SUCCEEDED, KIND_FAILED),
  count('succeeded_count', KIND_SUCCEEDED),
  count('failed_count', KIND_FAILED),
  count('pending_count', KIND_PENDING),
  count('refund_count', KIND_REFUND),
  count('dispute_count', KIND_DISPUTE),
  count('payout_count', KIND_PAYOUT),
  count('payout_settled_count', KIND_PAYOUT_SETTLED),
  ...money('gross', KIND_SUCCEEDED),
  ...money('fee', KIND_SUCCEEDED, 'fee_minor'),
  ...money('refund', KIND_REFUND),
  ...money('dispute', KIND_DISPUTE),
  ...money('payout', KIND_PAYOUT),
  ...money('payout_settled', KIND_PAYOUT_SETTLED),
  { name: 'succeeded_converted', sql: `sum(CASE WHEN kind = ${KIND_SUCCEEDED} AND rate IS NOT NULL THEN cnt ELSE 0 END)` },
];

/** Transactions and events whose currency had no rate on their day. */
export const UNCONVERTED_SQL = 'sum(CASE WHEN rate IS NULL THEN cnt ELSE 0 END)';
