import { defineMetric } from '../define-metric.ts';

export const failedCount = defineMetric({
  name: 'failed_count',
  description: 'Transactions whose latest status is failed.',
  unit: 'count',
  sql: 'failed_count',
});
