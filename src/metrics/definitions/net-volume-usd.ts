import { defineMetric } from '../define-metric.ts';

export const netVolumeUsd = defineMetric({
  name: 'net_volume_usd',
  label: { en: 'Net volume', fr: 'Volume net' },
  description: 'gross − refunds − fees, in USD.',
  unit: 'usd',
  num: [{ measure: 'gross_usd' }, { measure: 'refund_usd', sign: -1 }, { measure: 'fee_usd', sign: -1 }],
  better: 'higher',
});
