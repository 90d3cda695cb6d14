// Why an alert fired, in words and as a link: the observed value against the rule's threshold
// (in the metric's unit), the metric series around the firing, and the dashboard view of the
// alert's scope. Pure, so the list and the detail say it the same way.

import type { Alert } from '../../api.ts';
import { formatValue } from '../../format.ts';
import type { Lang } from '../../i18n.ts';
import type { Metrics } from '../../metric-registry.ts';
import { DRILL_KEYS, type DrillScope } from '../../url-state.ts';
import type { T } from './ui.tsx';

const HOUR = 3_600_000;

/** "Failed payments over 30 min = 3 (threshold > 2)"; null when the API said nothing about it. */
export function judgement(a: Alert, metrics: Metrics, lang: Lang, t: T): string | null {
  const c = a.rule_condition;
  if (!a.rule_metric || !c || a.observed === undefined || a.observed === null) return a.detail ?? null;
  const unit = metrics.unit(a.rule_metric);
  const what = `${metrics.label(a.rule_metric, lang)} ${t('alert_over')} ${a.rule_window_minutes ?? '?'} min`;
  const seen = `${what} = ${formatValue(a.observed, unit, lang)}`;
  if (c.type === 'threshold') return `${seen} (${t('alert_threshold')} ${c.op} ${formatValue(c.value, unit, lang)})`;
  if (c.type === 'change') {
    const base = a.baseline === null || a.baseline === undefined ? '—' : formatValue(a.baseline, unit, lang);
    return `${seen} (${t('alert_baseline')} ${base}, ${c.op === '>' ? '+' : '−'}${c.percent} %)`;
  }
  const base = a.baseline === null || a.baseline === undefined ? '—' : formatValue(a.baseline, unit, lang);
  return `${seen} (${t('alert_baseline')} ${base}, z ≥ ${c.z})`;
}

/** The threshold as a number in the metric's own terms (threshold rules only), for the chart. */
export const thresholdOf = (a: Alert): number | null => (a.rule_condition?.type === 'threshold' ? a.rule_condition.value : null);

/** The alert's scope as dimension → values: its rule's filters, narrowed by its group's labels. */
export function scopeOf(a: Alert): Record<string, string[]> {
  const out: Record<string, string[]> = { ...(a.rule_filters ?? {}) };
  for (const [k, v] of Object.entries(a.group_labels ?? {})) if (v !== null) out[k] = [v];
  if (a.merchant_id && !out.merchant_id) out.merchant_id = [a.merchant_id];
  return out;
}

/** The series' window: 12 hours either side of the firing, whole hours, never past now. */
export function windowAround(a: Alert, now = Date.now()): { from: string; to: string } | null {
  const at = Date.parse(a.firing_since ?? a.started_at ?? '');
  if (!Number.isFinite(at)) return null;
  const from = Math.floor((at - 12 * HOUR) / HOUR) * HOUR;
  const to = Math.min(Math.ceil((at + 12 * HOUR) / HOUR) * HOUR, Math.ceil(now / 60_000) * 60_000);
  return { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/**
 * The dashboard view of the scope: the drill-down at the deepest level reachable from the top
 * (region → country → city → merchant, each needing the one above); a merchant alone opens the
 * overview filtered to that merchant (it needs no merchant-area permission, and a merchant's own
 * token is confined to it anyway); no scope opens the overview.
 */
export function scopeHref(a: Alert, lang: Lang, tz: string | undefined): string {
  const scope = scopeOf(a);
  const one = (k: string) => (scope[k]?.length === 1 ? scope[k][0] : undefined);
  const drill: DrillScope = {};
  for (const k of DRILL_KEYS) {
    const v = one(k);
    if (!v) break;
    drill[k] = v;
  }
  const q = new URLSearchParams({ lang });
  if (tz) q.set('tz', tz);
  if (Object.keys(drill).length > 0) {
    q.set('screen', 'drill');
    for (const [k, v] of Object.entries(drill)) q.set(k, v);
  } else if (one('merchant_id')) {
    q.set('merchant_id', one('merchant_id')!);
  }
  return `?${q.toString()}`;
}
