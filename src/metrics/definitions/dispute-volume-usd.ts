import { defineMetric } from '../define-metric.ts';

export const disputeVolumeUsd = defineMetric({
  name: 'dispute_volume_usd',
  description: 'Amount disputed, in USD.',
  unit: 'usd',
  sql: 'dispute_usd',
  local: 'dispute_minor',
});
