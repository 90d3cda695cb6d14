import { defineMetric } from '../define-metric.ts';

export const refundVolumeUsd = defineMetric({
  name: 'refund_volume_usd',
  description: 'Amount refunded, in USD.',
  unit: 'usd',
  sql: 'refund_usd',
  local: 'refund_minor',
});
