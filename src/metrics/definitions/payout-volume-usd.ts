import { defineMetric } from '../define-metric.ts';

export const payoutVolumeUsd = defineMetric({
  name: 'payout_volume_usd',
  description: 'Amount of payouts created, in USD.',
  unit: 'usd',
  sql: 'payout_usd',
  local: 'payout_minor',
});
