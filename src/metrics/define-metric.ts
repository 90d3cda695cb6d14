// A metric is a formula over the base measures (base-measures.ts), not SQL: a signed sum of
// measures (`num`), divided by another signed sum (`den`) when it is a ratio or an average. A
// zero denominator gives null, never 0. Everything else the platform knows about a metric —
// additive or not, the parts a ratio is rebuilt from, its exact local amount, its value over no
// data — is derived from this in registry.ts; the SQL is rendered by the store (store/queries/rollup-aggregate.ts).

import { getBaseMeasure } from './base-measures.ts';

export type MetricUnit = 'count' | 'usd' | 'ratio';

/** One measure in a sum, added (sign 1, the default) or subtracted (-1). */
export interface Term {
  measure: string;
  sign?: 1 | -1;
}

export interface MetricDef {
  name: string;
  /** Its name on screens, in every language the dashboard speaks. */
  label: { en: string; fr: string };
  description: string;
  unit: MetricUnit;
  num: readonly Term[];
  /** The denominator of a ratio or an average. */
  den?: readonly Term[];
  /**
   * The count metric its volume is measured in (an anomaly rule's min_volume): a count is its own
   * volume; anything else defaults to tx_count.
   */
  volume?: string;
  /** Which way is good news (the dashboard colours a change by it). */
  better?: 'higher' | 'lower';
}

export function defineMetric(def: MetricDef): MetricDef {
  if (!/^[a-z][a-z0-9_]*$/.test(def.name)) throw new Error(`bad metric name ${def.name}`);
  if (def.num.length === 0 || (def.den && def.den.length === 0)) throw new Error(`metric ${def.name}: an empty sum`);
  for (const t of [...def.num, ...(def.den ?? [])]) {
    if (!getBaseMeasure(t.measure)) throw new Error(`metric ${def.name}: unknown base measure ${t.measure}`);
  }
  return Object.freeze(def);
}

/** The metric's value from its measures' values: Σ num, or Σ num / Σ den (null when Σ den is 0). */
export function evaluateMetric(def: Pick<MetricDef, 'num' | 'den'>, value: (measure: string) => number): number | null {
  const sum = (terms: readonly Term[]) => terms.reduce((s, t) => s + (t.sign ?? 1) * value(t.measure), 0);
  const num = sum(def.num);
  if (!def.den) return num;
  const den = sum(def.den);
  return den === 0 ? null : num / den;
}
