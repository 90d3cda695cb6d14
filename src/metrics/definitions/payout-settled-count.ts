import { defineMetric } from '../define-metric.ts';

export const payoutSettledCount = defineMetric({
  name: 'payout_settled_count',
  description: 'Payouts settled.',
  unit: 'count',
  sql: 'payout_settled_count',
});
