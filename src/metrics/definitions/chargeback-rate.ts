import { defineMetric } from '../define-metric.ts';

export const chargebackRate = defineMetric({
  name: 'chargeback_rate',
  label: { en: 'Chargeback rate', fr: 'Taux de rétrofacturation' },
  description: 'dispute_count / succeeded_count.',
  unit: 'ratio',
  num: [{ measure: 'dispute_count' }],
  den: [{ measure: 'succeeded_count' }],
  better: 'lower',
});
