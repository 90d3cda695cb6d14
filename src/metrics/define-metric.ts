// A metric is one SQL expression over the base measures that every query computes (see
// query/base-measures.ts). Ratios divide with NULLIF so a zero denominator gives null, not 0.
// `local` is the exact local-currency sum, offered when a query selects a single currency.

export type MetricUnit = 'count' | 'usd' | 'ratio';

export interface MetricDef {
  name: string;
  description: string;
  unit: MetricUnit;
  /** Expression over base measure names (tx_count, gross_usd, …). */
  sql: string;
  /** Expression over *_minor base measures giving the exact local amount, if the metric has one. */
  local?: string;
  /** Its value over no data at all: 0 for sums, null for ratios and averages (default by unit). */
  empty?: 0 | null;
}

export function emptyValue(m: MetricDef): 0 | null {
  return m.empty !== undefined ? m.empty : m.unit === 'ratio' ? null : 0;
}

export function defineMetric(def: MetricDef): MetricDef {
  if (!/^[a-z][a-z0-9_]*$/.test(def.name)) throw new Error(`bad metric name ${def.name}`);
  return Object.freeze(def);
}
