import { defineMetric } from '../define-metric.ts';

export const pendingCount = defineMetric({
  name: 'pending_count',
  description: 'Transactions still pending.',
  unit: 'count',
  sql: 'pending_count',
});
