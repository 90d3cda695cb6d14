// GET /healthz (liveness), /ready (readiness: the store answers and its schema is current),
// /metrics (Prometheus text format). All public: probes and scrapers carry no token.

import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../ingest/engine.ts';
import type { Metrics } from '../../observability/metrics-registry.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';
import { MIGRATIONS } from '../../store/duckdb/migrations.ts';
import { sendProblem } from '../problem.ts';
import { isoOrNull } from '../../analytics/context.ts';
import { problem } from '../openapi.ts';
import { nullableIsoTime } from '../response-schemas.ts';

const LATEST_SCHEMA_VERSION = Math.max(...MIGRATIONS.map((m) => m.version));
const READY_TIMEOUT_MS = 2000;

const statusOk = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } };
const readyResponse = {
  type: 'object',
  required: ['status', 'schema_version', 'as_of'],
  properties: { status: { type: 'string', enum: ['ready'] }, schema_version: { type: 'integer' }, as_of: nullableIsoTime },
};
const metricsText = {
  description: 'Prometheus text exposition format 0.0.4',
  content: { 'text/plain': { schema: { type: 'string' } } },
};

export function observabilityRoutes(app: FastifyInstance, deps: { engine: Engine; store: AnalyticsStore; metrics: Metrics }) {
  app.get('/healthz', { config: { public: true }, schema: { tags: ['ops'], summary: 'Liveness', response: { 200: statusOk } } }, async () => ({ status: 'ok' }));

  app.get('/ready', {
    config: { public: true },
    schema: {
      tags: ['ops'],
      summary: 'Readiness: 200 once the store answers and its migrations are applied, else 503 problem+json',
      response: { 200: readyResponse, 503: problem('store_unavailable', 'migrations_pending') },
    },
  }, async (req, reply) => {
    let version: number;
    try {
      version = await schemaVersion(deps.store);
    } catch (err) {
      req.log.warn({ err }, 'readiness check: the analytics store did not answer');
      return sendProblem(reply, 503, 'store_unavailable', 'the analytics store did not answer');
    }
    if (version < LATEST_SCHEMA_VERSION) {
      return sendProblem(reply, 503, 'migrations_pending', `schema version ${version}, expected ${LATEST_SCHEMA_VERSION}`,
        { schema_version: version, expected_schema_version: LATEST_SCHEMA_VERSION });
    }
    return { status: 'ready', schema_version: version, as_of: isoOrNull(deps.engine.asOf()) };
  });

  app.get('/metrics', { config: { public: true }, schema: { tags: ['ops'], summary: 'Prometheus metrics (text format)', response: { 200: metricsText } } }, async (_req, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}

/** The highest applied migration (migrations record their number in schema_migrations). */
async function schemaVersion(store: AnalyticsStore): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${READY_TIMEOUT_MS} ms`)), READY_TIMEOUT_MS);
  });
  try {
    const rows = await Promise.race([store.query('SELECT coalesce(max(version), 0) AS version FROM schema_migrations'), timeout]);
    return Number(rows[0]?.version ?? 0);
  } finally {
    clearTimeout(timer);
  }
}
