import { defineMetric } from '../define-metric.ts';

export const feesUsd = defineMetric({
  name: 'fees_usd',
  label: { en: 'Fees', fr: 'Frais' },
  description: 'Fees of succeeded transactions, in USD.',
  unit: 'usd',
  num: [{ measure: 'fee_usd' }],
});
