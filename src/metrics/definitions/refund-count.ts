import { defineMetric } from '../define-metric.ts';

export const refundCount = defineMetric({
  name: 'refund_count',
  description: 'Refunds created.',
  unit: 'count',
  sql: 'refund_count',
});
