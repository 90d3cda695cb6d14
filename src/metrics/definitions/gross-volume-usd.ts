import { defineMetric } from '../define-metric.ts';

export const grossVolumeUsd = defineMetric({
  name: 'gross_volume_usd',
  label: { en: 'Gross volume', fr: 'Volume brut' },
  description: 'Amount of succeeded transactions, in USD.',
  unit: 'usd',
  num: [{ measure: 'gross_usd' }],
  better: 'higher',
});
