import { defineMetric } from '../define-metric.ts';

export const feesUsd = defineMetric({
  name: 'fees_usd',
  description: 'Fees of succeeded transactions, in USD.',
  unit: 'usd',
  sql: 'fee_usd',
  local: 'fee_minor',
});
