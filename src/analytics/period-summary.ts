// Summary and KPIs: the metrics over [from, to), the same over the preceding period of equal
// length, and the relative change between the two.

import type { AnalyticsContext, Scope } from './context.ts';
import { freshness, selectedCurrency } from './context.ts';
import { getMetric } from '../metrics/registry.ts';
import { AppError } from '../errors.ts';

export interface PeriodSummary {
  from: string;
  to: string;
  tz: string;
  as_of: string | null;
  unconverted_events: number;
  currency: string | null;
  metrics: Record<string, number | null>;
  previous: Record<string, number | null>;
  change: Record<string, number | null>;
  local?: Record<string, string>;
  previous_local?: Record<string, string>;
}

export function periodSummary(ctx: AnalyticsContext, scope: Scope, metrics: readonly string[]): Promise<PeriodSummary> {
  if (!ctx.memo) return computeSummary(ctx, scope, metrics);
  const span = scope.to - scope.from;
  const key = `summary|${scope.from}|${scope.to}|${scope.tz}|${metrics.join(',')}|${JSON.stringify(scope.filters)}`;
  return ctx.memo(key, Math.floor((scope.from - span) / 60000), Math.ceil(scope.to / 60000), () => computeSummary(ctx, scope, metrics));
}

async function computeSummary(ctx: AnalyticsContext, scope: Scope, metrics: readonly string[]): Promise<PeriodSummary> {
  const asOf = ctx.asOf();
  const span = scope.to - scope.from;
  const base = { metrics: [...metrics], dimensions: [], filters: scope.filters, granularity: 'all' as const, tz: scope.tz };
  const [cur, prev] = await Promise.all([
    ctx.run({ ...base, from: scope.from, to: scope.to }),
    // The previous period may reach past what the rollups still hold: then it is unknown (null),
    // which must not fail the answer about the period asked for.
    ctx.run({ ...base, from: scope.from - span, to: scope.from }).catch((err) => {
      if (err instanceof AppError && (err.code === 'beyond_retention' || err.code === 'invalid_range')) return null;
      throw err;
    }),
  ]);
  const now = cur.rows[0];
  const before = prev?.rows[0];
  const values = (row: typeof now | undefined) => Object.fromEntries(metrics.map((m) => [m, row ? row.metrics[m] : getMetric(m)!.empty]));
  // Sums are 0 over no rows; an average has no value (absent), as its USD value is null.
  const localZero = () => Object.fromEntries(metrics.filter((m) => getMetric(m)!.local && !getMetric(m)!.localDen).map((m) => [m, '0']));
  const current = values(now);
  const previous = prev ? values(before) : Object.fromEntries(metrics.map((m) => [m, null]));
  const out: PeriodSummary = {
    from: new Date(cur.from).toISOString(),
    to: new Date(cur.to).toISOString(),
    tz: scope.tz,
    ...freshness(asOf, cur.unconverted),
    currency: selectedCurrency(scope),
    metrics: current,
    previous,
    change: Object.fromEntries(metrics.map((m) => [m, relativeChange(current[m], previous[m])])),
  };
  if (out.currency) {
    out.local = now?.local ?? localZero();
    if (prev) out.previous_local = before?.local ?? localZero();
  }
  return out;
}

/** (current − previous) / previous; null when either is undefined or previous is 0. */
export function relativeChange(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return (current - previous) / Math.abs(previous);
}
