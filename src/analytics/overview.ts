// Composite answers: what the overview screen needs in one call, and the B25 dashboard metrics
// (KPIs over the standard periods ending now).

import type { Granularity } from '../query/time-buckets.ts';
import type { AnalyticsContext, Scope } from './context.ts';
import { freshness } from './context.ts';
import { KPI_METRICS } from '../metrics/registry.ts';
import { periodSummary } from './period-summary.ts';
import { timeseries } from './series.ts';
import { top } from './rankings.ts';
import { AppError } from '../errors.ts';

/** Every KPI, so each card can draw its sparkline from the same series. */
export const OVERVIEW_SERIES_METRICS = KPI_METRICS;

/** A granularity giving a readable chart for the range: ≤ 2 days by hour, ≤ 92 days by day, else by week. */
export function autoGranularity(from: number, to: number): Granularity {
  const days = (to - from) / 86_400_000;
  return days <= 2 ? 'hour' : days <= 92 ? 'day' : 'week';
}

export async function overview(
  ctx: AnalyticsContext, scope: Scope, o: { granularity?: Granularity; withMerchants: boolean; limit: number },
) {
  const asOf = ctx.asOf();
  const granularity = o.granularity ?? autoGranularity(scope.from, scope.to);
  const rank = { metric: 'gross_volume_usd', metrics: KPI_METRICS, limit: o.limit };
  const span = scope.to - scope.from;
  const [kpis, series, previous, merchants, countries, regions] = await Promise.all([
    periodSummary(ctx, scope, KPI_METRICS),
    timeseries(ctx, scope, OVERVIEW_SERIES_METRICS, granularity),
    // The chart's dashed line: the same series one span earlier (the KPIs' previous period). It
    // may reach past what the rollups still hold: then it is null, as the previous KPIs are.
    timeseries(ctx, { ...scope, from: scope.from - span, to: scope.from }, OVERVIEW_SERIES_METRICS, granularity).catch((err) => {
      if (err instanceof AppError && (err.code === 'beyond_retention' || err.code === 'invalid_range')) return null;
      throw err;
    }),
    o.withMerchants ? top(ctx, scope, { ...rank, dimension: 'merchant_id' }) : null,
    top(ctx, scope, { ...rank, dimension: 'country', limit: 300 }),
    top(ctx, scope, { ...rank, dimension: 'region', limit: 100 }),
  ]);
  return {
    from: kpis.from, to: kpis.to, tz: scope.tz,
    ...freshness(asOf, kpis.unconverted_events),
    currency: kpis.currency,
    kpis: { metrics: kpis.metrics, previous: kpis.previous, change: kpis.change, local: kpis.local, previous_local: kpis.previous_local },
    // `previous[i]` is the bucket one span before `points[i]` (aligned by offset, not by date).
    series: { granularity, points: series.points, previous: previous?.points ?? null },
    top_merchants: merchants?.items ?? null,
    top_countries: countries.items.slice(0, o.limit),
    /** Every country of the scope with its KPIs (the map's shading). */
    countries: countries.items,
    regions: regions.items,
  };
}

const PERIODS = { last_24h: 1, last_7d: 7, last_30d: 30 } as const;

export async function dashboardMetrics(ctx: AnalyticsContext, filters: Record<string, string[]>) {
  const asOf = ctx.asOf();
  const end = Math.ceil(ctx.now() / 60000) * 60000;
  const entries = await Promise.all(Object.entries(PERIODS).map(async ([name, days]) => {
    const s = await periodSummary(ctx, { from: end - days * 86_400_000, to: end, tz: 'UTC', filters }, KPI_METRICS);
    return [name, { from: s.from, to: s.to, metrics: s.metrics, previous: s.previous, change: s.change, unconverted_events: s.unconverted_events }] as const;
  }));
  return { ...freshness(asOf, entries[entries.length - 1][1].unconverted_events), periods: Object.fromEntries(entries) };
}
