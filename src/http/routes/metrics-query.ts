// GET /api/v1/metrics — the registry query: metrics × dimensions × filters × granularity over
// [from, to) in a time zone. GET /api/v1/metrics/registry — what can be asked.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { METRICS } from '../../metrics/registry.ts';
import { DIMENSIONS } from '../../query/query-dimensions.ts';
import { GRANULARITIES, runQuery, type QueryDeps } from '../../query/run-query.ts';
import type { Granularity } from '../../query/time-buckets.ts';

type Query = Record<string, string | undefined>;

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/i;

export function parseInstant(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const t = RFC3339.test(v) ? Date.parse(v) : NaN;
  if (!Number.isFinite(t)) throw new AppError('invalid_parameter', `${name} must be an RFC 3339 timestamp with an offset`);
  return t;
}

export function csv(v: string | undefined): string[] {
  return v === undefined || v === '' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
}

export function metricsQueryRoutes(app: FastifyInstance, deps: QueryDeps) {
  app.get('/api/v1/metrics/registry', {
    config: { permission: 'analytics:view' },
    schema: { tags: ['analytics'], summary: 'Metric and dimension definitions' },
  }, async () => ({
    metrics: METRICS.map(({ name, description, unit, local }) => ({ name, description, unit, local_available: Boolean(local) })),
    dimensions: DIMENSIONS,
    granularities: GRANULARITIES,
  }));

  app.get<{ Querystring: Query }>('/api/v1/metrics', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['analytics'],
      summary: 'Registry query: metrics by dimensions and time buckets',
      querystring: {
        type: 'object',
        properties: {
          metrics: { type: 'string' }, dimensions: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' },
          tz: { type: 'string' }, granularity: { type: 'string', enum: [...GRANULARITIES] },
          order_by: { type: 'string' }, limit: { type: 'string', pattern: '^[0-9]{1,5}$' },
          ...Object.fromEntries(DIMENSIONS.map((d) => [d, { type: 'string', maxLength: 4096 }])),
        },
        additionalProperties: false,
      },
    },
  }, async (req) => {
    const q = req.query;
    const now = deps.now();
    const to = parseInstant('to', q.to, now);
    const from = parseInstant('from', q.from, to - 86_400_000);
    const orderBy = q.order_by ? { metric: q.order_by.replace(/^-/, ''), desc: q.order_by.startsWith('-') } : undefined;
    const granularity = (q.granularity ?? 'all') as Granularity;
    const dimensions = csv(q.dimensions);
    const result = await runQuery(deps, {
      metrics: csv(q.metrics),
      dimensions,
      filters: Object.fromEntries(DIMENSIONS.map((d) => [d, csv(q[d])])),
      from, to, granularity, tz: q.tz ?? 'UTC', orderBy,
      limit: q.limit ? Number(q.limit) : undefined,
      fill: granularity !== 'all' && dimensions.length === 0 && !orderBy && !q.limit,
    });
    return {
      from: new Date(result.from).toISOString(),
      to: new Date(result.to).toISOString(),
      tz: result.tz,
      granularity: result.granularity,
      currency: result.currency,
      unconverted_events: result.unconverted,
      rows: result.rows,
    };
  });
}
