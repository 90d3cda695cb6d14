import { defineMetric } from '../define-metric.ts';

export const succeededCount = defineMetric({
  name: 'succeeded_count',
  description: 'Transactions whose latest status is succeeded.',
  unit: 'count',
  sql: 'succeeded_count',
});
