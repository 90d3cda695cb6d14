// The metric registry: every API, alert, live figure and screen discovers metrics here. Adding a
// metric is one file in definitions/ and one line below; what else there is to know about it is
// derived here, once:
// - kind: 'additive' (a signed sum of measures: sums over buckets add up), 'ratio' (both sides
//   are signed sums of additive metrics, so a ratio over many buckets is rebuilt exactly from
//   their sums), or 'opaque' (a denominator that is no metric, like avg_ticket_usd's);
// - volume: the count metric its volume is measured in;
// - local: for a USD metric, the same sum in exact minor units of one currency; for a USD
//   average (avg_ticket_usd), also its denominator over the same rows without the FX condition
//   (localDen), so the local average is minor units over every row, not only the converted ones;
// - empty: its value over no data (0 for additive metrics, null otherwise).

import { getBaseMeasure, localTwin } from './base-measures.ts';
import type { MetricDef, Term } from './define-metric.ts';
import { txCount } from './definitions/tx-count.ts';
import { succeededCount } from './definitions/succeeded-count.ts';
import { failedCount } from './definitions/failed-count.ts';
import { pendingCount } from './definitions/pending-count.ts';
import { successRate } from './definitions/success-rate.ts';
import { grossVolumeUsd } from './definitions/gross-volume-usd.ts';
import { avgTicketUsd } from './definitions/avg-ticket-usd.ts';
import { feesUsd } from './definitions/fees-usd.ts';
import { refundCount } from './definitions/refund-count.ts';
import { refundVolumeUsd } from './definitions/refund-volume-usd.ts';
import { refundRate } from './definitions/refund-rate.ts';
import { disputeCount } from './definitions/dispute-count.ts';
import { disputeVolumeUsd } from './definitions/dispute-volume-usd.ts';
import { chargebackRate } from './definitions/chargeback-rate.ts';
import { payoutCount } from './definitions/payout-count.ts';
import { payoutVolumeUsd } from './definitions/payout-volume-usd.ts';
import { payoutSettledCount } from './definitions/payout-settled-count.ts';
import { netVolumeUsd } from './definitions/net-volume-usd.ts';

const DEFINITIONS: readonly MetricDef[] = [
  txCount,
  succeededCount,
  failedCount,
  pendingCount,
  successRate,
  grossVolumeUsd,
  avgTicketUsd,
  feesUsd,
  refundCount,
  refundVolumeUsd,
  refundRate,
  disputeCount,
  disputeVolumeUsd,
  chargebackRate,
  payoutCount,
  payoutVolumeUsd,
  payoutSettledCount,
  netVolumeUsd,
];

/** The key figures: the overview's cards and the default of summaries, series and rankings, in order. */
export const KPI_METRICS = [
  'gross_volume_usd', 'tx_count', 'success_rate', 'refund_rate', 'chargeback_rate', 'avg_ticket_usd', 'net_volume_usd',
] as const;

export type MetricKind = 'additive' | 'ratio' | 'opaque';

/** An additive metric in a signed sum. */
export interface MetricPart {
  metric: string;
  sign: 1 | -1;
}

export interface Metric extends MetricDef {
  kind: MetricKind;
  /** A ratio's numerator and denominator as signed sums of additive metrics; null unless kind is 'ratio'. */
  parts: { num: MetricPart[]; den: MetricPart[] } | null;
  volume: string;
  /** The exact local-currency sum (terms over minor-unit measures); null when the metric has none. */
  local: readonly Term[] | null;
  /** An average's local denominator (count measures); null for a sum. The local value is local / localDen, rounded to a minor unit. */
  localDen: readonly Term[] | null;
  /** Its value over no data at all. */
  empty: 0 | null;
}

function derive(defs: readonly MetricDef[]): Metric[] {
  // The additive metric that is exactly one measure, by measure: what a ratio's terms are named by.
  const ofMeasure = new Map<string, string>();
  for (const d of defs) {
    if (!d.den && d.num.length === 1 && (d.num[0].sign ?? 1) === 1 && !ofMeasure.has(d.num[0].measure)) ofMeasure.set(d.num[0].measure, d.name);
  }
  const asParts = (terms: readonly Term[]): MetricPart[] | null => {
    const out = terms.map((t) => ({ metric: ofMeasure.get(t.measure) ?? '', sign: t.sign ?? 1 }));
    return out.every((p) => p.metric) ? out : null;
  };
  return defs.map((d) => {
    const additive = !d.den;
    const num = additive ? null : asParts(d.num);
    const den = additive ? null : asParts(d.den!);
    const twinsOf = (terms: readonly Term[]) => terms.map((t) => localTwin(getBaseMeasure(t.measure)!));
    const twins = d.unit === 'usd' ? twinsOf(d.num) : [];
    const denTwins = d.unit === 'usd' && d.den ? twinsOf(d.den) : [];
    const hasLocal = twins.length > 0 && twins.every(Boolean) && denTwins.every(Boolean);
    return Object.freeze({
      ...d,
      kind: additive ? 'additive' : num && den ? 'ratio' : 'opaque',
      parts: num && den ? { num, den } : null,
      volume: additive && d.unit === 'count' ? d.name : d.volume ?? 'tx_count',
      local: hasLocal ? d.num.map((t, i) => ({ measure: twins[i]!.name, sign: t.sign ?? 1 })) : null,
      localDen: hasLocal && d.den ? d.den.map((t, i) => ({ measure: denTwins[i]!.name, sign: t.sign ?? 1 })) : null,
      empty: additive ? 0 : null,
    } satisfies Metric);
  });
}

export const METRICS: readonly Metric[] = Object.freeze(derive(DEFINITIONS));

const BY_NAME = new Map(METRICS.map((m) => [m.name, m]));

export function getMetric(name: string): Metric | undefined {
  return BY_NAME.get(name);
}

// What the derivations rely on, checked once at load: a mistake in a definition stops the start.
for (const m of METRICS) {
  const v = BY_NAME.get(m.volume);
  if (!v || v.kind !== 'additive' || v.unit !== 'count') throw new Error(`metric ${m.name}: volume ${m.volume} is not a count metric`);
}
if (BY_NAME.size !== METRICS.length) throw new Error('two metrics share a name');
for (const k of KPI_METRICS) if (!BY_NAME.has(k)) throw new Error(`KPI ${k} is not a metric`);
