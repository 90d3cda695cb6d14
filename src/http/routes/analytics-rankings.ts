// /api/analytics/top/* and /api/analytics/breakdown: rankings and the drill-down primitive.

import type { FastifyInstance } from 'fastify';
import { QUERY_PROBLEMS } from '../openapi.ts';
import type { AnalyticsContext } from '../../analytics/context.ts';
import { KPI_METRICS } from '../../metrics/registry.ts';
import { breakdown, top } from '../../analytics/rankings.ts';
import { AppError } from '../../errors.ts';
import { rankingResponse } from '../response-schemas.ts';
import { LIMIT_PROPERTY, METRICS_PROPERTY, assertMayGroupBy, csv, querySchema, readLimit, readScope, type Query } from '../analytics-params.ts';

export const BREAKDOWN_DIMENSIONS = ['region', 'country', 'city', 'merchant_id', 'currency', 'provider', 'payment_method'] as const;

const rankingProps = {
  metric: { type: 'string', maxLength: 64, description: 'the metric to rank by (default gross_volume_usd)' },
  metrics: METRICS_PROPERTY,
  order: { type: 'string', enum: ['desc', 'asc'] },
  limit: LIMIT_PROPERTY,
};

function rankingOptions(q: Query, dimension: string, defaultLimit: number) {
  const metrics = csv(q.metrics, 'metrics');
  return {
    dimension,
    metric: q.metric ?? 'gross_volume_usd',
    metrics: metrics.length ? metrics : KPI_METRICS,
    limit: readLimit(q.limit, defaultLimit, 1000),
    ascending: q.order === 'asc',
  };
}

export function analyticsRankingRoutes(app: FastifyInstance, ctx: AnalyticsContext) {
  app.get<{ Querystring: Query }>('/api/analytics/top/merchants', {
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['analytics'], summary: 'Merchants ranked by a metric (ops only)',
      querystring: querySchema(rankingProps), response: { 200: rankingResponse('merchant_id'), ...QUERY_PROBLEMS },
    },
  }, async (req) => top(ctx, readScope(req, req.query, ctx.now()), rankingOptions(req.query, 'merchant_id', 10)));

  app.get<{ Querystring: Query }>('/api/analytics/top/countries', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['analytics'], summary: 'Countries ranked by a metric',
      querystring: querySchema(rankingProps), response: { 200: rankingResponse('country'), ...QUERY_PROBLEMS },
    },
  }, async (req) => top(ctx, readScope(req, req.query, ctx.now()), rankingOptions(req.query, 'country', 10)));

  app.get<{ Querystring: Query }>('/api/analytics/breakdown', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['analytics'],
      summary: 'One row per value of a dimension within the filters: the drill-down primitive',
      querystring: querySchema({ ...rankingProps, dimension: { type: 'string', enum: [...BREAKDOWN_DIMENSIONS] } }),
      response: { 200: rankingResponse('key'), ...QUERY_PROBLEMS },
    },
  }, async (req) => {
    if (!req.query.dimension) throw new AppError('invalid_parameter', `dimension is required (${BREAKDOWN_DIMENSIONS.join(', ')})`);
    assertMayGroupBy(req, [req.query.dimension]);
    return breakdown(ctx, readScope(req, req.query, ctx.now()), rankingOptions(req.query, req.query.dimension, 100));
  });
}
