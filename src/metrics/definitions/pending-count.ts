import { defineMetric } from '../define-metric.ts';

export const pendingCount = defineMetric({
  name: 'pending_count',
  label: { en: 'Pending transactions', fr: 'Transactions en attente' },
  description: 'Transactions still pending.',
  unit: 'count',
  num: [{ measure: 'pending_count' }],
});
