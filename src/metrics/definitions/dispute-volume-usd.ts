import { defineMetric } from '../define-metric.ts';

export const disputeVolumeUsd = defineMetric({
  name: 'dispute_volume_usd',
  label: { en: 'Disputed volume', fr: 'Volume contesté' },
  description: 'Amount disputed, in USD.',
  unit: 'usd',
  num: [{ measure: 'dispute_usd' }],
  volume: 'dispute_count',
  better: 'lower',
});
