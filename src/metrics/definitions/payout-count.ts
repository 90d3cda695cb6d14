import { defineMetric } from '../define-metric.ts';

export const payoutCount = defineMetric({
  name: 'payout_count',
  description: 'Payouts created.',
  unit: 'count',
  sql: 'payout_count',
});
