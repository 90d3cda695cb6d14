// Rankings and the drill-down primitive: one row per value of a dimension, ordered by a metric.

import type { AnalyticsContext, Scope } from './context.ts';
import { freshness } from './context.ts';

export interface RankingOptions {
  dimension: string;
  metric: string;
  metrics: readonly string[];
  limit: number;
  ascending?: boolean;
}

export async function ranking(ctx: AnalyticsContext, scope: Scope, o: RankingOptions) {
  const asOf = ctx.asOf();
  const metrics = o.metrics.includes(o.metric) ? [...o.metrics] : [o.metric, ...o.metrics];
  const r = await ctx.run({
    metrics, dimensions: [o.dimension], filters: scope.filters,
    from: scope.from, to: scope.to, tz: scope.tz, granularity: 'all',
    orderBy: { metric: o.metric, desc: !o.ascending }, limit: o.limit,
  });
  return {
    from: new Date(r.from).toISOString(),
    to: new Date(r.to).toISOString(),
    tz: scope.tz,
    ...freshness(asOf, r.unconverted),
    metric: o.metric,
    currency: r.currency,
    rows: r.rows.map((row) => ({ key: row.dims[o.dimension], value: row.metrics[o.metric], metrics: row.metrics, ...(row.local ? { local: row.local } : {}) })),
  };
}

/** `top/merchants`, `top/countries`: items named by their dimension. */
export async function top(ctx: AnalyticsContext, scope: Scope, o: RankingOptions) {
  const { rows, ...rest } = await ranking(ctx, scope, o);
  return { ...rest, items: rows.map(({ key, ...r }) => ({ [o.dimension]: key, ...r })) };
}

/** The drill-down primitive: `{dimension, items: [{key, metrics}]}`. */
export async function breakdown(ctx: AnalyticsContext, scope: Scope, o: RankingOptions) {
  const { rows, ...rest } = await ranking(ctx, scope, o);
  return { ...rest, dimension: o.dimension, items: rows };
}
