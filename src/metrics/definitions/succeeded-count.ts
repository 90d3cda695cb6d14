import { defineMetric } from '../define-metric.ts';

export const succeededCount = defineMetric({
  name: 'succeeded_count',
  label: { en: 'Succeeded transactions', fr: 'Transactions réussies' },
  description: 'Transactions whose latest status is succeeded.',
  unit: 'count',
  num: [{ measure: 'succeeded_count' }],
  better: 'higher',
});
