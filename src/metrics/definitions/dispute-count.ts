import { defineMetric } from '../define-metric.ts';

export const disputeCount = defineMetric({
  name: 'dispute_count',
  description: 'Disputes (chargebacks) opened.',
  unit: 'count',
  sql: 'dispute_count',
});
