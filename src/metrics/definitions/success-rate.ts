import { defineMetric } from '../define-metric.ts';

export const successRate = defineMetric({
  name: 'success_rate',
  label: { en: 'Success rate', fr: 'Taux de réussite' },
  description: 'succeeded / (succeeded + failed); pending ones are left out.',
  unit: 'ratio',
  num: [{ measure: 'succeeded_count' }],
  den: [{ measure: 'succeeded_count' }, { measure: 'failed_count' }],
  better: 'higher',
});
