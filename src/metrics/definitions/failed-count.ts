import { defineMetric } from '../define-metric.ts';

export const failedCount = defineMetric({
  name: 'failed_count',
  label: { en: 'Failed transactions', fr: 'Transactions échouées' },
  description: 'Transactions whose latest status is failed.',
  unit: 'count',
  num: [{ measure: 'failed_count' }],
  better: 'lower',
});
