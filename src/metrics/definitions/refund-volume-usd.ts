import { defineMetric } from '../define-metric.ts';

export const refundVolumeUsd = defineMetric({
  name: 'refund_volume_usd',
  label: { en: 'Refunded volume', fr: 'Volume remboursé' },
  description: 'Amount refunded, in USD.',
  unit: 'usd',
  num: [{ measure: 'refund_usd' }],
  volume: 'refund_count',
  better: 'lower',
});
