// The base measures: sums over rollup rows (columns kind, cnt, amount_minor, fee_minor) joined
// with the FX rate of their UTC day (`rate`, none when the currency had no rate that day).
// Metrics are signed sums and ratios of these (define-metric.ts). They are data, not SQL: the
// analytics store renders them (store/queries/rollup-aggregate.ts, for each backend) and the live window computes the same sums in
// memory (live/live-window.ts).

import {
  KIND_DISPUTE, KIND_FAILED, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND, KIND_SUCCEEDED,
} from '../events/rollup-kinds.ts';

/** The rollup column a measure sums. */
export type MeasureValue = 'cnt' | 'amount_minor' | 'fee_minor';

/**
 * Which rows, and in what: 'none' — every row, the value as stored (counts; local minor units);
 * 'usd' — the rows with a rate, value × rate; 'rated' — the rows with a rate, the value as stored.
 */
export type MeasureFx = 'none' | 'usd' | 'rated';

export interface BaseMeasure {
  name: string;
  /** Rollup kinds summed (events/rollup-kinds.ts). */
  kinds: readonly number[];
  value: MeasureValue;
  fx: MeasureFx;
  description: string;
}

export type MeasureUnit = 'count' | 'minor' | 'usd';

/** What a measure's number is: a count, minor units of the row's currency, or USD. */
export function measureUnit(b: BaseMeasure): MeasureUnit {
  return b.value === 'cnt' ? 'count' : b.fx === 'usd' ? 'usd' : 'minor';
}

const count = (name: string, description: string, ...kinds: number[]): BaseMeasure =>
  ({ name, kinds, value: 'cnt', fx: 'none', description });
/** A money sum in minor units of its currency and its USD twin. */
const money = (base: string, description: string, kind: number, value: MeasureValue = 'amount_minor'): BaseMeasure[] => [
  { name: `${base}_minor`, kinds: [kind], value, fx: 'none', description: `${description} (minor units of their currency)` },
  { name: `${base}_usd`, kinds: [kind], value, fx: 'usd', description: `${description} in USD (the rows with a rate)` },
];

export const BASE_MEASURES: readonly BaseMeasure[] = Object.freeze(([
  count('tx_count', 'transactions, any status', KIND_PENDING, KIND_SUCCEEDED, KIND_FAILED),
  count('succeeded_count', 'transactions whose latest status is succeeded', KIND_SUCCEEDED),
  count('failed_count', 'transactions whose latest status is failed', KIND_FAILED),
  count('pending_count', 'transactions still pending', KIND_PENDING),
  count('refund_count', 'refunds created', KIND_REFUND),
  count('dispute_count', 'disputes created', KIND_DISPUTE),
  count('payout_count', 'payouts created', KIND_PAYOUT),
  count('payout_settled_count', 'payouts settled', KIND_PAYOUT_SETTLED),
  ...money('gross', 'amount of succeeded transactions', KIND_SUCCEEDED),
  ...money('fee', 'fees of succeeded transactions', KIND_SUCCEEDED, 'fee_minor'),
  ...money('refund', 'amount refunded', KIND_REFUND),
  ...money('dispute', 'amount disputed', KIND_DISPUTE),
  ...money('payout', 'amount of payouts created', KIND_PAYOUT),
  ...money('payout_settled', 'amount of payouts settled', KIND_PAYOUT_SETTLED),
  {
    name: 'succeeded_converted', kinds: [KIND_SUCCEEDED], value: 'cnt', fx: 'rated',
    description: 'succeeded transactions whose currency had a rate that day',
  },
] satisfies BaseMeasure[]).map((b) => Object.freeze(b)));

const BY_NAME = new Map(BASE_MEASURES.map((b) => [b.name, b]));

export function getBaseMeasure(name: string): BaseMeasure | undefined {
  return BY_NAME.get(name);
}

/**
 * The local twin of a measure over converted rows: the same rows and column with no FX condition —
 * a USD sum's minor units, or a count of rated rows' every row (succeeded_converted → succeeded_count).
 */
export function localTwin(b: BaseMeasure): BaseMeasure | undefined {
  if (b.fx === 'none') return undefined;
  return BASE_MEASURES.find((o) => o.fx === 'none' && o.value === b.value && sameKinds(o.kinds, b.kinds));
}

const sameKinds = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((k, i) => k === b[i]);
