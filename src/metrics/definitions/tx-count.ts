import { defineMetric } from '../define-metric.ts';

export const txCount = defineMetric({
  name: 'tx_count',
  description: 'Transactions created, whatever their status; each txn_id counted once.',
  unit: 'count',
  sql: 'tx_count',
});
