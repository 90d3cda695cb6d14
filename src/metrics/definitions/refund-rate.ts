import { defineMetric } from '../define-metric.ts';

export const refundRate = defineMetric({
  name: 'refund_rate',
  description: 'refund_volume_usd / gross_volume_usd.',
  unit: 'ratio',
  sql: 'refund_usd / NULLIF(gross_usd, 0)',
});
