import { defineMetric } from '../define-metric.ts';

export const txCount = defineMetric({
  name: 'tx_count',
  label: { en: 'Transactions', fr: 'Transactions' },
  description: 'Transactions created, whatever their status; each txn_id counted once.',
  unit: 'count',
  num: [{ measure: 'tx_count' }],
  better: 'higher',
});
