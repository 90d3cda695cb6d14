import { defineMetric } from '../define-metric.ts';

export const refundRate = defineMetric({
  name: 'refund_rate',
  label: { en: 'Refund rate', fr: 'Taux de remboursement' },
  description: 'refund_volume_usd / gross_volume_usd.',
  unit: 'ratio',
  num: [{ measure: 'refund_usd' }],
  den: [{ measure: 'gross_usd' }],
  better: 'lower',
});
