// Time series: every bucket of the range, in the request's zone, with counts and sums 0 and
// undefined ratios null where nothing happened. `live` is the last 60 minutes by minute plus
// their totals, from the freshest committed data.

import type { Granularity } from '../query/time-buckets.ts';
import type { AnalyticsContext, Scope } from './context.ts';
import { freshness, selectedCurrency } from './context.ts';
import { roomOfFilters } from '../live/rooms.ts';
import { liveAnswer } from '../live/live-answer.ts';
import { LIVE_METRICS, WINDOW_MINUTES } from '../live/live-window.ts';
import { getMetric } from '../metrics/registry.ts';

export interface SeriesPoint {
  ts: string;
  [metric: string]: number | null | string | Record<string, string>;
}

export async function timeseries(ctx: AnalyticsContext, scope: Scope, metrics: readonly string[], granularity: Granularity) {
  const asOf = ctx.asOf();
  const r = await ctx.run({
    metrics: [...metrics], dimensions: [], filters: scope.filters,
    from: scope.from, to: scope.to, tz: scope.tz, granularity, fill: true,
  });
  const currency = selectedCurrency(scope);
  return {
    from: new Date(r.from).toISOString(),
    to: new Date(r.to).toISOString(),
    granularity, tz: scope.tz,
    ...freshness(asOf, r.unconverted),
    currency,
    points: r.rows.map((row) => {
      const p: SeriesPoint = { ts: row.bucket!, ...row.metrics };
      if (currency && row.local) p.local = row.local;
      return p;
    }),
  };
}

/**
 * The last 60 whole minutes up to and including the current one, by minute, in UTC. Filters
 * that name one room (none, a region, a country, a city, a merchant) are answered from the live
 * window — the same computation the stream's messages come from; any other from the store.
 */
export async function live(ctx: AnalyticsContext, filters: Record<string, string[]>) {
  const asOf = ctx.asOf();
  const end = (Math.floor(ctx.now() / 60000) + 1) * 60000;
  // An unknown region is not a room: the store path answers it (with its coded error).
  const room = ctx.liveWindow && (filters.region ?? []).every((r) => ctx.liveWindow!.hasRegion(r)) ? roomOfFilters(filters) : null;
  if (room) return liveAnswer(ctx.liveWindow!, room, ctx.now(), asOf);
  const scope: Scope = { from: end - WINDOW_MINUTES * 60000, to: end, tz: 'UTC', filters };
  const [series, totals] = await Promise.all([
    timeseries(ctx, scope, LIVE_METRICS, 'minute'),
    ctx.run({ metrics: [...LIVE_METRICS], dimensions: [], filters, from: scope.from, to: scope.to, tz: 'UTC', granularity: 'all' }),
  ]);
  const row = totals.rows[0];
  return {
    ...series,
    totals: Object.fromEntries(LIVE_METRICS.map((m) => [m, row ? row.metrics[m] : getMetric(m)!.empty])),
  };
}
