import { defineMetric } from '../define-metric.ts';

export const chargebackRate = defineMetric({
  name: 'chargeback_rate',
  description: 'dispute_count / succeeded_count.',
  unit: 'ratio',
  sql: 'dispute_count / NULLIF(succeeded_count, 0)',
});
