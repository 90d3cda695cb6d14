import { defineMetric } from '../define-metric.ts';

export const netVolumeUsd = defineMetric({
  name: 'net_volume_usd',
  description: 'gross − refunds − fees, in USD.',
  unit: 'usd',
  sql: 'gross_usd - refund_usd - fee_usd',
  local: 'gross_minor - refund_minor - fee_minor',
});
