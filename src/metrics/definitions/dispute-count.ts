import { defineMetric } from '../define-metric.ts';

export const disputeCount = defineMetric({
  name: 'dispute_count',
  label: { en: 'Disputes', fr: 'Litiges' },
  description: 'Disputes (chargebacks) opened.',
  unit: 'count',
  num: [{ measure: 'dispute_count' }],
  better: 'lower',
});
