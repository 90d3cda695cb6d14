import { defineMetric } from '../define-metric.ts';

export const avgTicketUsd = defineMetric({
  name: 'avg_ticket_usd',
  description: 'Average succeeded transaction in USD (over those with an FX rate).',
  unit: 'usd',
  sql: 'gross_usd / NULLIF(succeeded_converted, 0)',
  empty: null,
});
