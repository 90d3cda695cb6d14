import { defineMetric } from '../define-metric.ts';

export const payoutVolumeUsd = defineMetric({
  name: 'payout_volume_usd',
  label: { en: 'Payout volume', fr: 'Volume versé' },
  description: 'Amount of payouts created, in USD.',
  unit: 'usd',
  num: [{ measure: 'payout_usd' }],
  volume: 'payout_count',
});
