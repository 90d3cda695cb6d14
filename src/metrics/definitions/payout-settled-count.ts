import { defineMetric } from '../define-metric.ts';

export const payoutSettledCount = defineMetric({
  name: 'payout_settled_count',
  label: { en: 'Settled payouts', fr: 'Versements réglés' },
  description: 'Payouts settled.',
  unit: 'count',
  num: [{ measure: 'payout_settled_count' }],
});
