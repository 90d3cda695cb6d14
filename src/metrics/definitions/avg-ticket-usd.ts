import { defineMetric } from '../define-metric.ts';

export const avgTicketUsd = defineMetric({
  name: 'avg_ticket_usd',
  label: { en: 'Average ticket', fr: 'Panier moyen' },
  description: 'Average succeeded transaction in USD (over those with an FX rate).',
  unit: 'usd',
  num: [{ measure: 'gross_usd' }],
  den: [{ measure: 'succeeded_converted' }],
  better: 'higher',
});
