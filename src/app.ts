// buildApp(deps): the Fastify instance with every route. It never listens; main.ts does.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, sendProblem } from './http/problem.ts';
import './http/permissions.ts';
import { ingestRoutes } from './http/routes/ingest.ts';
import { healthRoutes } from './http/routes/health.ts';
import { deadLetterRoutes } from './http/routes/dead-letters.ts';
import { fxRoutes } from './http/routes/fx-rates.ts';
import { metricsQueryRoutes } from './http/routes/metrics-query.ts';
import { statusPageRoutes } from './http/routes/status-page.ts';
import type { Engine } from './ingest/engine.ts';
import type { AnalyticsStore } from './store/analytics-store.ts';
import type { Config } from './config.ts';

export interface AppDeps {
  config: Config;
  engine: Engine;
  store: AnalyticsStore;
  regions: ReadonlyMap<string, string>;
  log: Logger;
  now?: () => number;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, engine, store } = deps;
  const now = deps.now ?? Date.now;
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: config.INGEST_MAX_BODY_BYTES,
    disableRequestLogging: false,
    requestIdHeader: 'x-request-id',
    // An unknown query parameter is an error, never silently dropped (a misspelt filter would
    // otherwise widen the answer).
    ajv: { customOptions: { removeAdditional: false } },
    // `__proto__`/`constructor` keys are removed from JSON bodies (and ignored like any unknown
    // field) instead of failing the whole batch.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
  });
  // Bodies that are read as text: NDJSON events and CSV rates.
  for (const type of ['application/x-ndjson', 'application/ndjson', 'text/csv', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  app.setErrorHandler(errorHandler);
  await app.register(swagger, {
    openapi: {
      info: { title: 'Molam Analytics API', version: '1' },
      tags: [{ name: 'ingest' }, { name: 'analytics' }, { name: 'fx' }, { name: 'ops' }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));

  healthRoutes(app, { engine, startedAt: now() });
  ingestRoutes(app, { engine, maxBatchEvents: config.INGEST_MAX_BATCH_EVENTS });
  deadLetterRoutes(app, { engine, store });
  fxRoutes(app, { store });
  metricsQueryRoutes(app, {
    store, now, regions: deps.regions,
    get dict() { return engine.state.dict; },
    limits: {
      minuteDays: config.MINUTE_RETENTION_DAYS, hourDays: config.HOUR_RETENTION_DAYS,
      maxBuckets: config.QUERY_MAX_BUCKETS, maxMinuteSpanDays: config.QUERY_MAX_MINUTE_SPAN_DAYS,
    },
  });
  statusPageRoutes(app);
  return app;
}
