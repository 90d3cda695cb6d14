// GET /healthz (liveness), /ready (readiness, part by part: the analytics store, ingest commits,
// the state store — see observability/readiness.ts), /metrics (Prometheus text format). All
// public: probes and scrapers carry no token.

import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../ingest/engine.ts';
import type { IngestView } from '../../ingest/ingest-view.ts';
import type { Metrics } from '../../observability/metrics-registry.ts';
import { createReadiness, type PartName, type ReadinessReport } from '../../observability/readiness.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';
import type { StateStore } from '../../state-store/state-store.ts';
import { sendProblem } from '../problem.ts';
import type { ErrorCode } from '../../errors.ts';
import { isoOrNull } from '../../analytics/context.ts';
import { problem } from '../openapi.ts';
import { nullableIsoTime } from '../response-schemas.ts';

/** The problem code of a part that is not ready, by `part:status` (the first such part names the answer). */
const CODES: Record<string, ErrorCode> = {
  'analytics:unavailable': 'store_unavailable', 'analytics:migrations_pending': 'migrations_pending',
  'ingest:failing': 'ingest_failing', 'ingest:recovering': 'ingest_recovering',
  'state:unavailable': 'state_unavailable', 'state:starting': 'state_unavailable',
};

const statusOk = { type: 'object', required: ['status'], properties: { status: { type: 'string', enum: ['ok'] } } };
const readyResponse = {
  type: 'object',
  required: ['status', 'schema_version', 'as_of', 'parts'],
  properties: {
    status: { type: 'string', enum: ['ready'] }, schema_version: { type: 'integer' }, as_of: nullableIsoTime,
    parts: { type: 'object', additionalProperties: true, description: 'each part (analytics, ingest, state) and its status' },
  },
};
const metricsText = {
  description: 'Prometheus text exposition format 0.0.4',
  content: { 'text/plain': { schema: { type: 'string' } } },
};

export function observabilityRoutes(app: FastifyInstance, deps: { engine: Engine | null; ingest: IngestView; store: AnalyticsStore; state: StateStore; metrics: Metrics; now: () => number }) {
  const readiness = createReadiness(deps);
  let lastNotReady = ''; // logged when it changes, not at every probe
  app.addHook('onClose', async () => readiness.close());
  app.get('/healthz', { config: { public: true }, schema: { tags: ['ops'], summary: 'Liveness', response: { 200: statusOk } } }, async () => ({ status: 'ok' }));

  app.get('/ready', {
    config: { public: true },
    schema: {
      tags: ['ops'],
      summary: 'Readiness: 200 when the analytics store answers with its migrations applied, the last commit did not fail and the state store answers; '
        + 'else 503 problem+json naming each part (`parts`) and its status',
      response: { 200: readyResponse, 503: problem('store_unavailable', 'migrations_pending', 'ingest_failing', 'ingest_recovering', 'state_unavailable', 'starting') },
    },
  }, async (req, reply) => {
    const report = await readiness.check();
    if (report.ready) {
      if (lastNotReady) req.log.info('ready again');
      lastNotReady = '';
      return { status: 'ready', schema_version: report.parts.analytics.schema_version, as_of: isoOrNull(deps.ingest.asOf()), parts: report.parts };
    }
    const notReady = notReadyParts(report);
    if (notReady.join() !== lastNotReady) req.log.warn({ parts: report.parts }, 'not ready');
    lastNotReady = notReady.join();
    const [first] = notReady;
    const a = report.parts.analytics;
    return sendProblem(reply, 503, CODES[`${first}:${report.parts[first].status}`] ?? 'starting', notReady.map((n) => `${n}: ${report.parts[n].detail ?? report.parts[n].status}`).join('; '), {
      parts: report.parts,
      ...(a.status === 'migrations_pending' ? { schema_version: a.schema_version, expected_schema_version: a.expected_schema_version } : {}),
    });
  });

  app.get('/metrics', { config: { public: true }, schema: { tags: ['ops'], summary: 'Prometheus metrics (text format)', response: { 200: metricsText } } }, async (_req, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.type(deps.metrics.registry.contentType).send(body);
  });
}

function notReadyParts(r: ReadinessReport): PartName[] {
  return (Object.keys(r.parts) as PartName[]).filter((n) => r.parts[n].status !== 'ready');
}
