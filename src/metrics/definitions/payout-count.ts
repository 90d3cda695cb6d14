import { defineMetric } from '../define-metric.ts';

export const payoutCount = defineMetric({
  name: 'payout_count',
  label: { en: 'Payouts', fr: 'Versements' },
  description: 'Payouts created.',
  unit: 'count',
  num: [{ measure: 'payout_count' }],
});
