import { defineMetric } from '../define-metric.ts';

export const refundCount = defineMetric({
  name: 'refund_count',
  label: { en: 'Refunds', fr: 'Remboursements' },
  description: 'Refunds created.',
  unit: 'count',
  num: [{ measure: 'refund_count' }],
  better: 'lower',
});
