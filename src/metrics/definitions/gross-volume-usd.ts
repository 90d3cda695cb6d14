import { defineMetric } from '../define-metric.ts';

export const grossVolumeUsd = defineMetric({
  name: 'gross_volume_usd',
  description: 'Amount of succeeded transactions, in USD.',
  unit: 'usd',
  sql: 'gross_usd',
  local: 'gross_minor',
});
