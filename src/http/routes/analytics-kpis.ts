// /api/analytics: summary, kpis, timeseries, overview, live — and the B25 dashboard metrics.

import type { FastifyInstance } from 'fastify';
import { QUERY_PROBLEMS } from '../openapi.ts';
import type { AnalyticsContext } from '../../analytics/context.ts';
import { periodSummary } from '../../analytics/period-summary.ts';
import { live, timeseries } from '../../analytics/series.ts';
import { dashboardMetrics, overview } from '../../analytics/overview.ts';
import { KPI_METRICS, METRICS } from '../../metrics/registry.ts';
import type { Granularity } from '../../query/time-buckets.ts';
import {
  GRANULARITY_PROPERTY, LIMIT_PROPERTY, METRICS_PROPERTY, SCOPE_PROPERTIES, csv, querySchema, readLimit,
  readMerchantFilter, readScope, seesMerchantRanking, type Query,
} from '../analytics-params.ts';
import { dashboardResponse, liveResponse, overviewResponse, seriesResponse, summaryResponse } from '../response-schemas.ts';

const view = { permission: 'analytics:view' } as const;
const ALL_METRICS = METRICS.map((m) => m.name);

export function analyticsKpiRoutes(app: FastifyInstance, ctx: AnalyticsContext) {
  app.get<{ Querystring: Query }>('/api/analytics/summary', {
    config: view,
    schema: {
      tags: ['analytics'],
      summary: 'Metrics over [from, to), the preceding period of equal length, and the change',
      querystring: querySchema({ metrics: METRICS_PROPERTY }),
      response: { 200: summaryResponse, ...QUERY_PROBLEMS },
    },
  }, async (req) => {
    const metrics = csv(req.query.metrics, 'metrics');
    return periodSummary(ctx, readScope(req, req.query, ctx.now()), metrics.length ? metrics : ALL_METRICS);
  });

  app.get<{ Querystring: Query }>('/api/analytics/kpis', {
    config: view,
    schema: {
      tags: ['analytics'], summary: 'The business KPIs, with the previous period and the change',
      querystring: querySchema(), response: { 200: summaryResponse, ...QUERY_PROBLEMS },
    },
  }, async (req) => periodSummary(ctx, readScope(req, req.query, ctx.now()), KPI_METRICS));

  app.get<{ Querystring: Query }>('/api/analytics/timeseries', {
    config: view,
    schema: {
      tags: ['analytics'],
      summary: 'Metrics per time bucket; every bucket of the range present',
      querystring: querySchema({ metrics: METRICS_PROPERTY, granularity: GRANULARITY_PROPERTY }),
      response: { 200: seriesResponse, ...QUERY_PROBLEMS },
    },
  }, async (req) => {
    const metrics = csv(req.query.metrics, 'metrics');
    return timeseries(ctx, readScope(req, req.query, ctx.now()), metrics.length ? metrics : KPI_METRICS,
      (req.query.granularity ?? 'hour') as Granularity);
  });

  app.get<{ Querystring: Query }>('/api/analytics/overview', {
    config: view,
    schema: {
      tags: ['analytics'],
      summary: 'What the overview screen needs: KPIs with change, a series, top merchants (ops), top countries, regions',
      querystring: querySchema({ granularity: GRANULARITY_PROPERTY, limit: LIMIT_PROPERTY }),
      response: { 200: overviewResponse, ...QUERY_PROBLEMS },
    },
  }, async (req) => overview(ctx, readScope(req, req.query, ctx.now()), {
    granularity: req.query.granularity as Granularity | undefined,
    withMerchants: seesMerchantRanking(req),
    limit: readLimit(req.query.limit, 10, 100),
  }));

  const { from: _f, to: _t, tz: _z, ...filterProps } = SCOPE_PROPERTIES;
  app.get<{ Querystring: Query }>('/api/analytics/live', {
    config: view,
    schema: {
      tags: ['analytics'],
      summary: 'The last 60 minutes by minute (UTC) plus totals, from the freshest committed data',
      querystring: { type: 'object', additionalProperties: false, properties: filterProps },
      response: { 200: liveResponse },
    },
  }, async (req) => live(ctx, readMerchantFilter(req, req.query)));

  app.get<{ Querystring: Query }>('/api/v1/dashboard/metrics', {
    config: view,
    schema: {
      tags: ['analytics'],
      summary: 'KPIs over the last 24 h, 7 and 30 days, each with its previous period',
      querystring: { type: 'object', additionalProperties: false, properties: filterProps },
      response: { 200: dashboardResponse },
    },
  }, async (req) => dashboardMetrics(ctx, readMerchantFilter(req, req.query)));
}
