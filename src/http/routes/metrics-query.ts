// GET /api/v1/metrics — the registry query: metrics × dimensions × filters × granularity over
// [from, to) in a time zone. GET /api/v1/metrics/registry — what can be asked.

import type { FastifyInstance } from 'fastify';
import { QUERY_PROBLEMS } from '../openapi.ts';
import { KPI_METRICS, METRICS } from '../../metrics/registry.ts';
import { DIMENSIONS } from '../../query/query-dimensions.ts';
import { GRANULARITIES } from '../../query/run-query.ts';
import type { Granularity } from '../../query/time-buckets.ts';
import type { AnalyticsContext } from '../../analytics/context.ts';
import { freshness, localMap, metricMap, range } from '../response-schemas.ts';
import { assertMayGroupBy, csv, METRICS_PROPERTY, querySchema, readLimit, readScope, type Query } from '../analytics-params.ts';

const signedMetrics = {
  type: 'array',
  items: { type: 'object', required: ['metric', 'sign'], properties: { metric: { type: 'string' }, sign: { type: 'integer', enum: [1, -1] } } },
};

const registryResponse = {
  type: 'object',
  required: ['metrics', 'kpis', 'dimensions', 'granularities'],
  properties: {
    metrics: {
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'label', 'description', 'unit', 'kind', 'parts', 'volume', 'better', 'local_available'],
        properties: {
          name: { type: 'string' },
          label: { type: 'object', required: ['en', 'fr'], properties: { en: { type: 'string' }, fr: { type: 'string' } }, description: 'its name on screens, per language' },
          description: { type: 'string' },
          unit: { type: 'string', enum: ['count', 'usd', 'ratio'] },
          kind: {
            type: 'string', enum: ['additive', 'ratio', 'opaque'],
            description: 'additive: a signed sum (values of buckets add up); ratio: parts.num / parts.den, both sums of additive metrics; opaque: neither',
          },
          parts: {
            type: ['object', 'null'], required: ['num', 'den'], properties: { num: signedMetrics, den: signedMetrics },
            description: 'a ratio\'s numerator and denominator as signed sums of additive metrics (null unless kind is ratio)',
          },
          volume: { type: 'string', description: 'the count metric its volume is measured in (an anomaly rule\'s min_volume)' },
          better: { type: ['string', 'null'], enum: ['higher', 'lower', null], description: 'which way is good news, if either' },
          local_available: { type: 'boolean', description: 'exact local-currency sums available (one currency selected)' },
        },
      },
    },
    kpis: { type: 'array', items: { type: 'string' }, description: 'the key metrics (the overview\'s), in order' },
    dimensions: { type: 'array', items: { type: 'string' } },
    granularities: { type: 'array', items: { type: 'string' } },
  },
};

const queryResponse = {
  type: 'object',
  required: ['from', 'to', 'tz', 'as_of', 'granularity', 'currency', 'unconverted_events', 'rows'],
  properties: {
    ...range, ...freshness, granularity: { type: 'string' }, currency: { type: ['string', 'null'] },
    rows: {
      type: 'array',
      items: {
        type: 'object',
        required: ['dims', 'metrics'],
        properties: {
          bucket: { type: 'string', description: 'bucket start, RFC 3339 with the zone offset (with a granularity)' },
          dims: { type: 'object', additionalProperties: { type: ['string', 'null'] }, description: 'dimension → value' },
          metrics: metricMap,
          local: localMap,
        },
      },
    },
  },
};

export function metricsQueryRoutes(app: FastifyInstance, ctx: AnalyticsContext) {
  app.get('/api/v1/metrics/registry', {
    config: { permission: 'analytics:view' },
    schema: { tags: ['analytics'], summary: 'Metric and dimension definitions', response: { 200: registryResponse } },
  }, async () => ({
    metrics: METRICS.map((m) => ({
      name: m.name, label: m.label, description: m.description, unit: m.unit, kind: m.kind, parts: m.parts, volume: m.volume,
      better: m.better ?? null, local_available: m.local !== null,
    })),
    kpis: KPI_METRICS,
    dimensions: DIMENSIONS,
    granularities: GRANULARITIES,
  }));

  app.get<{ Querystring: Query }>('/api/v1/metrics', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['analytics'],
      summary: 'Registry query: metrics by dimensions and time buckets',
      querystring: querySchema({
        metrics: METRICS_PROPERTY, dimensions: { type: 'string', maxLength: 256 },
        granularity: { type: 'string', enum: [...GRANULARITIES] },
        order_by: { type: 'string', maxLength: 65 }, limit: { type: 'string', pattern: '^[0-9]{1,5}$' },
      }),
      response: { 200: queryResponse, ...QUERY_PROBLEMS },
    },
  }, async (req) => {
    const q = req.query;
    const scope = readScope(req, q, ctx.now());
    const orderBy = q.order_by ? { metric: q.order_by.replace(/^-/, ''), desc: q.order_by.startsWith('-') } : undefined;
    const granularity = (q.granularity ?? 'all') as Granularity;
    const dimensions = csv(q.dimensions, 'dimensions');
    assertMayGroupBy(req, dimensions);
    const result = await ctx.run({
      metrics: csv(q.metrics, 'metrics'), dimensions, filters: scope.filters,
      from: scope.from, to: scope.to, granularity, tz: scope.tz, orderBy,
      limit: q.limit ? readLimit(q.limit, 0, 10_000) : undefined,
      fill: granularity !== 'all' && dimensions.length === 0 && !orderBy && !q.limit,
    });
    return {
      from: new Date(result.from).toISOString(),
      to: new Date(result.to).toISOString(),
      tz: result.tz,
      as_of: ctx.asOf() === null ? null : new Date(ctx.asOf()!).toISOString(),
      granularity: result.granularity,
      currency: result.currency,
      unconverted_events: result.unconverted,
      rows: result.rows,
    };
  });
}
