// buildApp(deps): the Fastify instance with every route. It never listens and starts nothing:
// what runs in the background (live feed and WebSocket server, FX reload, alert scheduler,
// retention) is built unstarted, for main.ts to start (src/start-parts.ts).
// Order matters: security headers and the auth hook are registered before any route, so every
// route passes the central check.

import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyServerFactory } from 'fastify';
import type { Logger } from 'pino';
import { errorHandler, sendProblem } from './http/problem.ts';
import { OPENAPI_OPTIONS, registerOpenApiDefaults } from './http/openapi.ts';
import { docsRoutes } from './http/routes/docs.ts';
import { AppError } from './errors.ts';
import './http/permissions.ts';
import { registerAuthCheck, registerRouteGuard, type RouteRecord } from './http/auth-hook.ts';
import { registerSecurity } from './http/security.ts';
import { parseTrustProxy } from './http/trust-proxy.ts';
import { ingestRoutes } from './http/routes/ingest.ts';
import { createHttpSource } from './ingest/sources/http-source.ts';
import { createKafkaSource } from './ingest/sources/kafka-source.ts';
import { createDemoSource } from './demo/run-demo.ts';
import { healthRoutes } from './http/routes/health.ts';
import { deadLetterRoutes } from './http/routes/dead-letters.ts';
import { fxRoutes } from './http/routes/fx-rates.ts';
import { metricsQueryRoutes } from './http/routes/metrics-query.ts';
import { rawEventRoutes } from './http/routes/raw-events.ts';
import { WEB_BUILD_DIR, webAppRoutes } from './http/routes/web-app.ts';
import { analyticsKpiRoutes } from './http/routes/analytics-kpis.ts';
import { analyticsRankingRoutes } from './http/routes/analytics-rankings.ts';
import { devSignInRoutes } from './http/routes/dev-sign-in.ts';
import { meRoutes } from './http/routes/me.ts';
import { merchantRoutes } from './http/routes/merchants.ts';
import { observabilityRoutes } from './http/routes/observability.ts';
import { opsRoutes } from './http/routes/ops.ts';
import { createMetrics, type Metrics } from './observability/metrics-registry.ts';
import { registerRequestMetrics } from './observability/request-metrics.ts';
import { genReqId, registerRequestIdHeader } from './observability/request-id.ts';
import { createQueryRunner, resultBytes } from './analytics/query-runner.ts';
import type { AnalyticsContext } from './analytics/context.ts';
import { createResultCache, distinctMinutes } from './query/result-cache.ts';
import { createAdmissionGate, type AdmissionGate } from './query/admission-gate.ts';
import { registerQueryAdmission } from './http/query-admission.ts';
import { hmacSecret, verifierFromConfig } from './auth/auth-config.ts';
import type { TokenVerifier } from './auth/token-verifier.ts';
import { createLiveFeed, type LiveFeed } from './live/live-feed.ts';
import { createLiveServer } from './live/live-server.ts';
import type { StateStore } from './state-store/state-store.ts';
import { createAlerting, type Alerting } from './alerts/alerting.ts';
import { eventTopicsOf } from './alerts/topics/event-topics.ts';
import { retentionPolicy, runRetention } from './retention/run-retention.ts';
import { runStateRetention } from './state-store/state-retention.ts';
import { createParts, periodicPart, type Part } from './start-parts.ts';
import { alertRuleRoutes } from './http/routes/alert-rules.ts';
import { alertRoutes } from './http/routes/alerts.ts';
import { alertSilenceRoutes } from './http/routes/alert-silences.ts';
import { alertWebhookRoutes } from './http/routes/alert-webhooks.ts';
import { registerMerchantScope } from './http/merchant-scope.ts';
import { MERCHANT_PREFIX } from './http/openapi.ts';
import { merchantSummaryRoutes } from './http/routes/merchant-summary.ts';
import { merchantTransactionRoutes } from './http/routes/merchant-transactions.ts';
import { merchantAuditRoutes } from './http/routes/merchant-audit.ts';
import { merchantSettingsRoutes } from './http/routes/merchant-settings.ts';
import { merchantRefundRoutes } from './http/routes/merchant-refunds.ts';
import { createRefundRelay, type RefundRelay } from './merchant/refund-relay.ts';
import { engineSink, kafkaSink } from './merchant/refund-sinks.ts';
import { parseRefundThresholds } from './merchant/refund-threshold.ts';
import { merchantDisputeRoutes } from './http/routes/merchant-disputes.ts';
import { merchantWebhookRoutes } from './http/routes/merchant-webhooks.ts';
import { merchantAlertRoutes } from './http/routes/merchant-alerts.ts';
import { createDisputeDeadlines, type DisputeDeadlines } from './merchant/dispute-deadlines.ts';
import { merchantPayoutRoutes } from './http/routes/merchant-payouts.ts';
import { merchantExportRoutes } from './http/routes/merchant-exports.ts';
import { createExportRunner, markStalledExports, type ExportRunner } from './merchant/export/export-jobs.ts';
import { purgeExpiredExports } from './merchant/export/export-retention.ts';
import { createUrlSigner } from './merchant/export/signed-url.ts';
import { meshRegionRoutes } from './http/routes/mesh-regions.ts';
import { meshMemberRoutes } from './http/routes/mesh-members.ts';
import { meshPolicyRoutes } from './http/routes/mesh-policies.ts';
import { customEventRoutes } from './http/routes/custom-events.ts';
import { trackRoutes } from './http/routes/track.ts';
import { createDefinitionCache } from './custom-events/definition-cache.ts';
import { CUSTOM_CACHE_SCOPE } from './custom-events/custom-event-stats.ts';
import { meshRoutingRoutes } from './http/routes/mesh-routing.ts';
import { meshProposalRoutes } from './http/routes/mesh-proposals.ts';
import { meshActionRoutes } from './http/routes/mesh-actions.ts';
import type { MeshDeps } from './mesh/mesh-actions.ts';
import { meshPredictionRoutes } from './http/routes/mesh-predictions.ts';
import { meshProposalHealthRoutes } from './http/routes/mesh-proposal-health.ts';
import { createMeshPredictions, type MeshPredictions, type PredictionDeps } from './mesh/generate-predictions.ts';
import { generateOnDemand } from './mesh/prediction-actions.ts';
import { createKeyRing } from './mesh/signing-keys.ts';
import multipart from '@fastify/multipart';
import { openFileStore } from './files/open-file-store.ts';
import type { FileStore } from './files/file-store.ts';
import type { Engine } from './ingest/engine.ts';
import type { IngestView } from './ingest/ingest-view.ts';
import type { AnalyticsStore } from './store/analytics-store.ts';
import type { Config } from './config.ts';
import { meshDecisionRoutes } from './http/routes/mesh-decisions.ts';
import { meshReconciliationRoutes } from './http/routes/mesh-reconciliations.ts';
import { logFormatOf, OneLinePerRequest } from './log.ts';
import { recordRoutingMoves, settleReconciliations, type ReconcileDeps } from './mesh/reconciliation.ts';
import { createRoutingSnapshot, type RoutingSnapshot } from './mesh/routing-snapshot.ts';
import { rollBackFiredCanaries, supersedeStaleCanaries } from './mesh/canary.ts';

export interface AppDeps {
  config: Config;
  /** The ingest engine, null in a process that only reads the store (ROLE=api, evaluator). */
  engine: Engine | null;
  /** What the read side follows of ingest: the engine by default; a remote view without one. */
  ingest?: IngestView;
  store: AnalyticsStore;
  state: StateStore;
  regions: ReadonlyMap<string, string>;
  log: Logger;
  now?: () => number;
  /** Overrides the verifier the config describes (tests). */
  verifier?: TokenVerifier | null;
  /** Tells the cluster's reading replicas that FX rates changed here (main.ts: the commit feed). */
  publishFxChange?: () => void;
  /** The HTTP server to serve on (main.ts binds its port before the stores open); default: Fastify's own. */
  serverFactory?: FastifyServerFactory;
  /** The file store (dispute evidence); default: the one the config names, opened on first use. */
  files?: FileStore;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** Every route with the permission it needs (null = public). */
    routeTable: RouteRecord[];
    /** The app's metric registry (one per app). */
    metrics: Metrics;
    /** The live window and its change stream (the WebSocket server subscribes to it). */
    liveFeed: LiveFeed;
    /** Background alert evaluation and webhook delivery (evaluateNow runs one pass at once). */
    alerting: Alerting;
    /** The admission of API requests: how many run and wait now. */
    queryAdmission: AdmissionGate;
    /** Delivers approved refunds' refund_created events into the stream (deliverNow: one pass at once). */
    refundRelay: RefundRelay;
    /** Reminds merchants of disputes due within 24 hours (remindNow: one pass at once). */
    disputeDeadlines: DisputeDeadlines;
    /** Runs background exports (idle(): resolves once none is queued or running). */
    exportRunner: ExportRunner;
    /** The routing mesh's scheduled predictions (runNow: one run at once, if this replica holds the lock). */
    meshPredictions: MeshPredictions;
    /** The routing decision API's snapshot (part mesh-routing); changed() after a routing change made here. */
    meshRouting: RoutingSnapshot;
    /** Reconciles routing changes (part mesh-reconcile; runNow: one pass at once — new versions recorded, ended windows settled). */
    meshReconciler: { runNow(): Promise<{ recorded: number; settled: number }> };
    /** Rolls back the canaries whose alert rule fired, supersedes those whose table moved on (part mesh-canary-watch; checkNow: one pass at once, the ones rolled back). */
    meshCanaryWatch: { checkNow(): Promise<string[]> };
  }
}

/** Longer than any request line Node accepts (its header limit is 16 KB). */
const MAX_PATH_PARAM_LENGTH = 16 * 1024;

function hasNul(v: unknown, depth = 0): boolean {
  if (typeof v === 'string') return v.includes('\0');
  if (v === null || typeof v !== 'object' || depth > 8) return false;
  return Object.entries(v).some(([k, x]) => k.includes('\0') || hasNul(x, depth + 1));
}

const API_MAX_BODY_BYTES = 2 ** 20;
/** How often the evaluator role looks for canaries whose alert rule fired. */
const CANARY_WATCH_MS = 5_000;

function trustProxyOf(setting: string): false | string[] {
  const r = parseTrustProxy(setting);
  if (!r.ok) throw new Error(`TRUST_PROXY: ${r.problem}`); // loadConfig refuses it first
  return r.trustProxy;
}

export async function buildApp(deps: AppDeps): Promise<FastifyInstance> {
  const { config, engine, store } = deps;
  const ingest = deps.ingest ?? engine;
  if (!ingest) throw new Error('buildApp: an engine or an ingest view is needed');
  const now = deps.now ?? Date.now;
  const corsOrigins = config.CORS_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean);
  /** What translates dimension values to keys and back (the dictionary grows with ingest). */
  const dims = { regions: deps.regions, get dict() { return ingest.dict; } };
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    // Pretty logs (dev): one line per request, not Fastify's two.
    ...(logFormatOf(config) === 'pretty' ? { logController: new OneLinePerRequest() } : {}),
    ...(deps.serverFactory ? { serverFactory: deps.serverFactory } : {}),
    // Every other body is a small JSON document; ingest and FX rates set their own limits.
    bodyLimit: API_MAX_BODY_BYTES,
    // Request ids: a well-formed incoming x-request-id, else a fresh UUID (genReqId checks it).
    requestIdHeader: false,
    genReqId,
    // An unknown query parameter is an error, never silently dropped (a misspelt filter would
    // otherwise widen the answer).
    ajv: { customOptions: { removeAdditional: false } },
    // `__proto__`/`constructor` keys are removed from JSON bodies (and ignored like any unknown
    // field) instead of failing the whole batch.
    onProtoPoisoning: 'remove',
    onConstructorPoisoning: 'remove',
    // A path parameter is an id of the event contract (up to 128 UTF-16 units, any Unicode) as
    // the client percent-encoded it: up to 9 characters a unit. Fastify's default limit (100)
    // made longer ones "no route". This one is above any request line Node accepts (16 KB of
    // headers), so the length of a parameter never hides a route: the route's schema judges it.
    routerOptions: { maxParamLength: MAX_PATH_PARAM_LENGTH },
    // Fastify's own errors answer problem+json like every other error; a path that is not valid
    // percent-encoded UTF-8 (`%E0%A4%A`, a lone surrogate) is a bad parameter.
    frameworkErrors: (err, req, reply) => (err.code === 'FST_ERR_BAD_URL'
      ? sendProblem(reply, 400, 'invalid_parameter', 'the URL path is not valid percent-encoded UTF-8')
      : errorHandler(err, req, reply)),
    // req.ip is the client's only behind the proxies TRUST_PROXY names (else the peer's address).
    trustProxy: trustProxyOf(config.TRUST_PROXY),
  });
  // Bodies that are read as text: CSV rates (the ingest route frames its bodies itself).
  for (const type of ['text/csv', 'text/plain']) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => done(null, body));
  }
  app.setErrorHandler(errorHandler);
  // Before the auth hook, so refused requests are counted and carry their request id too.
  const metrics = createMetrics({ ingest, now });
  app.decorate('metrics', metrics);
  app.addHook('onClose', async () => metrics.stop());
  registerRequestIdHeader(app);
  registerRequestMetrics(app, metrics);
  const verifier = deps.verifier !== undefined ? deps.verifier : verifierFromConfig(config, now);
  app.decorate('routeTable', registerRouteGuard(app));
  registerOpenApiDefaults(app);
  await registerSecurity(app, { corsOrigins, rateLimitPerMinute: config.RATE_LIMIT_PER_MINUTE });
  registerAuthCheck(app, verifier, now);
  const admission = createAdmissionGate({
    maxRunning: config.QUERY_MAX_CONCURRENCY, maxWaiting: config.QUERY_QUEUE_LENGTH, retryAfterSeconds: 1,
  });
  registerQueryAdmission(app, admission);
  app.decorate('queryAdmission', admission);
  // After the admission (an ops call's audit entry is written inside its place), before any route.
  registerMerchantScope(app, { state: deps.state, metrics, now });
  metrics.setQueryAdmission(() => ({ running: admission.running, waiting: admission.waiting }));
  await app.register(swagger, {
    openapi: OPENAPI_OPTIONS,
    // Shared schemas (problem+json) keep their $id as their component name.
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => String(json.$id ?? `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  docsRoutes(app);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, 'not_found', `no route ${req.method} ${req.url.split('?')[0]}`));

  const cache = createResultCache({
    ttlMs: config.CACHE_TTL * 1000, maxEntries: config.CACHE_MAX_ENTRIES, maxBytes: config.CACHE_MAX_MB * 2 ** 20, sizeOf: resultBytes, now,
    onLookup: (hit, scope) => metrics.recordCache(scope === CUSTOM_CACHE_SCOPE ? 'custom_events' : 'query', hit),
  });
  // Wiring, not a part: it runs inside a commit and only then, and without it answers would be stale.
  const stopInvalidating = ingest.onCommit((b) => {
    cache.invalidateMinutes(distinctMinutes(b.minuteDeltas.minute));
    cache.invalidateMinutes(b.customMinutes, CUSTOM_CACHE_SCOPE);
  });
  app.addHook('onClose', async () => stopInvalidating());
  const liveFeed = createLiveFeed({ store, ingest, regions: deps.regions, now });
  app.decorate('liveFeed', liveFeed);
  // A reader that missed commits seeds its live window again; one told of new FX rates reloads them.
  ingest.onStale?.((why) => {
    cache.clear();
    (why === 'gap' ? liveFeed.reseed() : liveFeed.reloadRates())
      .catch((err) => deps.log.error({ err, why }, 'live window: reload from the store failed'));
  });
  const ctx: AnalyticsContext = {
    run: createQueryRunner({
      store, now, regions: dims.regions,
      get dict() { return dims.dict; },
      limits: {
        minuteDays: config.MINUTE_RETENTION_DAYS, hourDays: config.HOUR_RETENTION_DAYS,
        maxBuckets: config.QUERY_MAX_BUCKETS, maxMinuteSpanDays: config.QUERY_MAX_MINUTE_SPAN_DAYS, maxRows: config.QUERY_MAX_ROWS,
        maxResultBytes: config.QUERY_MAX_RESULT_MB * 2 ** 20,
      },
    }, cache),
    asOf: () => ingest.asOf(),
    now,
    liveWindow: liveFeed.window,
    memo: (key, lo, hi, compute) => cache.get(key, lo, hi, compute),
  };

  healthRoutes(app, { ingest, startedAt: now() });
  meRoutes(app);
  merchantRoutes(app, { state: deps.state, now });
  observabilityRoutes(app, { engine, ingest, store, state: deps.state, metrics, now });
  const httpSource = createHttpSource(engine);
  ingestRoutes(app, { source: httpSource, maxBatchEvents: config.INGEST_MAX_BATCH_EVENTS, maxBodyBytes: config.INGEST_MAX_BODY_BYTES });
  deadLetterRoutes(app, { engine, store });
  fxRoutes(app, {
    store, now,
    onChange: async () => {
      cache.clear();
      await liveFeed.reloadRates();
      deps.publishFxChange?.();
    },
  });
  // Operations for the CLI's --url mode (docs/operations.md): backup, cache clear, verify.
  opsRoutes(app, {
    store, state: deps.state, dataDir: config.DATA_DIR, backupDir: config.BACKUP_DIR, now,
    verifyPolicy: retentionPolicy(config),
    clearCache: () => {
      const held = { entries: cache.size, bytes: cache.bytes };
      cache.clear();
      return held;
    },
  });
  metricsQueryRoutes(app, ctx);
  rawEventRoutes(app, { store, now, asOf: ctx.asOf, dimContext: dims });
  analyticsKpiRoutes(app, ctx);
  analyticsRankingRoutes(app, ctx);
  // Text stored in the state store cannot hold NUL (PostgreSQL refuses it): a clear 400 instead.
  // The portal too: an ops call's parameters go to the audit log.
  app.addHook('preValidation', async (req) => {
    if ((req.url.startsWith('/api/analytics/alerts') || req.url.startsWith(MERCHANT_PREFIX) || req.url.startsWith('/api/mesh/'))
      && (hasNul(req.body) || hasNul(req.query))) {
      throw new AppError('invalid_parameter', 'text may not contain the NUL character');
    }
  });
  const eventTopics = eventTopicsOf(config);
  const alertDeps = { state: deps.state, run: ctx.run, now, dims, eventTopics };
  alertRuleRoutes(app, alertDeps);
  alertRoutes(app, alertDeps);
  alertSilenceRoutes(app, alertDeps);
  alertWebhookRoutes(app, { ...alertDeps, allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE_TARGETS });
  merchantSummaryRoutes(app, { ctx, state: deps.state });
  const transactionDeps = { store, dims, now, maxFutureMs: config.MAX_FUTURE_SKEW_SECONDS * 1000 };
  merchantTransactionRoutes(app, transactionDeps);
  merchantRefundRoutes(app, {
    state: deps.state, transactions: transactionDeps, thresholds: refundThresholdsOf(config.REFUND_APPROVAL_THRESHOLD), now,
    onRequest: (outcome) => metrics.merchantRefundRequests.inc({ outcome }),
  });
  merchantAuditRoutes(app, { state: deps.state, now });
  merchantSettingsRoutes(app, { state: deps.state, now });
  merchantWebhookRoutes(app, { state: deps.state, now, allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE_TARGETS });
  merchantAlertRoutes(app, { state: deps.state });
  merchantPayoutRoutes(app, { store, dims, state: deps.state, now });
  // The routing mesh's signing keys, as this process knows them: one ring for what it signs and verifies.
  const meshRing = createKeyRing();
  // The routing mesh's decision side: the snapshot it decides from, kill switches and canaries.
  const meshRouting = createRoutingSnapshot({ state: deps.state, ring: meshRing, now, refreshMs: config.MESH_SNAPSHOT_REFRESH_MS, log: deps.log });
  app.decorate('meshRouting', meshRouting);
  meshDecisionRoutes(app, {
    state: deps.state, now, eventTopics, snapshot: meshRouting, regions: deps.regions, metrics,
    settings: { eliminationScore: config.MESH_ELIMINATION_SCORE, explorationRate: Number(config.MESH_EXPLORATION_RATE) },
  });
  const meshCanaryWatch = {
    async checkNow() {
      const superseded = await supersedeStaleCanaries({ state: deps.state, now, eventTopics });
      const rolledBack = await rollBackFiredCanaries({ state: deps.state, now, eventTopics });
      if (superseded.length) deps.log.info({ proposals: superseded }, 'mesh: canaries superseded, their table moved on');
      if (rolledBack.length) deps.log.warn({ proposals: rolledBack }, 'mesh: canaries rolled back, their alert rule fired');
      if (superseded.length || rolledBack.length) await meshRouting.changed();
      return rolledBack;
    },
  };
  app.decorate('meshCanaryWatch', meshCanaryWatch);
  // Custom event definitions (docs/custom-events.md): platform-wide, versioned.
  const definitionCache = createDefinitionCache(deps.state, { ttlMs: 10_000, now });
  customEventRoutes(app, {
    state: deps.state, now, definitions: definitionCache,
    stats: { store, state: deps.state, maxBuckets: config.QUERY_MAX_BUCKETS, cache },
  });
  // Tracked custom events: through the same engine (batching, durability, dead letters) as payment events.
  trackRoutes(app, {
    definitions: definitionCache, submit: (items) => httpSource.submitTracked(items), now,
    maxFutureMs: config.MAX_FUTURE_SKEW_SECONDS * 1000, rawRetentionDays: config.CUSTOM_RAW_RETENTION_DAYS,
    maxBatchEvents: config.INGEST_MAX_BATCH_EVENTS, maxBodyBytes: config.INGEST_MAX_BODY_BYTES,
  });
  // The routing mesh's governance (docs/mesh.md): members, policies, routing tables, proposals, the action log.
  const meshDeps: MeshDeps = {
    state: deps.state, now, eventTopics, onApplied: (labels) => metrics.meshFailoverApplied.inc(labels), onRoutingChanged: () => meshRouting.changed(),
  };
  meshRegionRoutes(app, meshDeps);
  meshMemberRoutes(app, meshDeps);
  meshPolicyRoutes(app, meshDeps);
  meshRoutingRoutes(app, meshDeps);
  meshProposalRoutes(app, meshDeps);
  meshActionRoutes(app, meshDeps);
  // The routing mesh's provider health: signed predictions, on demand and scheduled; proposals
  // generated from them and simulated against the store (docs/mesh.md).
  const predictionDeps: PredictionDeps = {
    store, state: deps.state, dims, ring: meshRing, now, eventTopics,
    windowMinutes: config.MESH_HEALTH_WINDOW_MINUTES, ttlSeconds: config.MESH_PREDICTION_TTL_SECONDS, minAttempts: config.MESH_PREDICTION_MIN_ATTEMPTS,
    onPrediction: (p) => {
      metrics.meshPredictionConfidence.set({ provider: p.provider, region: p.region, currency: p.currency, method: p.method }, p.confidence);
      metrics.meshPredictionLastMade.set(p.generatedAt / 1000);
    },
  };
  meshPredictionRoutes(app, { mesh: meshDeps, ring: meshRing, generate: (filter, actor) => generateOnDemand(meshDeps, predictionDeps, filter, actor) });
  meshProposalHealthRoutes(app, { mesh: meshDeps, store, dims, ring: meshRing });
  // Reconciliation of routing changes: the money they move, expected and observed (docs/mesh.md#reconciliation).
  meshReconciliationRoutes(app, meshDeps);
  const reconcileDeps: ReconcileDeps = {
    ...meshDeps, store, dims, windowMs: config.MESH_RECONCILE_WINDOW_HOURS * 3_600_000, tolerancePercent: config.MESH_RECONCILE_TOLERANCE_PERCENT,
  };
  const meshReconciler = {
    async runNow() {
      const recorded = await recordRoutingMoves(reconcileDeps);
      const settled = await settleReconciliations(reconcileDeps);
      if (recorded || settled) deps.log.info({ recorded, settled }, 'mesh reconciliation');
      return { recorded, settled };
    },
  };
  app.decorate('meshReconciler', meshReconciler);
  const meshPredictions = createMeshPredictions({ ...predictionDeps, everyMs: config.MESH_PREDICTION_INTERVAL_SECONDS * 1000, log: deps.log });
  app.decorate('meshPredictions', meshPredictions);
  let fileStore: Promise<FileStore> | null = deps.files ? Promise.resolve(deps.files) : null;
  const ownsFileStore = !deps.files;
  app.addHook('onClose', async () => {
    if (ownsFileStore && fileStore) await (await fileStore.catch(() => null))?.close();
  });
  const openFiles = () => (fileStore ??= openFileStore(config).catch((err) => { fileStore = null; throw err; }));
  const exportDeps = { store, dims, state: deps.state, now, responseDays: config.DISPUTE_RESPONSE_DAYS };
  // Background exports run in the process that accepted them; closing the app cuts them short
  // (marked failed: interrupted) before the file store closes.
  const exportRunner = createExportRunner({ exportDeps, state: deps.state, files: openFiles, log: deps.log, concurrency: config.EXPORT_CONCURRENCY, now });
  app.decorate('exportRunner', exportRunner);
  app.addHook('preClose', async () => exportRunner.close());
  merchantExportRoutes(app, {
    ...exportDeps, files: openFiles, runner: exportRunner, syncMaxRows: config.EXPORT_SYNC_MAX_ROWS,
    signer: createUrlSigner({ secret: config.EXPORT_URL_SECRET, ttlSeconds: config.EXPORT_URL_TTL_SECONDS, now }),
  });
  // In a scope of their own: the multipart parser serves evidence uploads only (every other route
  // still answers 415 to a multipart body). Streamed part by part, never held whole; the per-file
  // limit is the file store's put (a coded 413), busboy's one byte beyond it a backstop.
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: {
        fileSize: config.DISPUTE_EVIDENCE_MAX_FILE_BYTES + 1, files: 2, fields: 4, parts: 6, fieldNameSize: 64, fieldSize: 4 * 1024, headerPairs: 20,
      },
    });
    merchantDisputeRoutes(scope, {
      store, dims, state: deps.state, now, responseDays: config.DISPUTE_RESPONSE_DAYS,
      files: openFiles,
      maxFileBytes: config.DISPUTE_EVIDENCE_MAX_FILE_BYTES, maxTotalBytes: config.DISPUTE_EVIDENCE_MAX_TOTAL_BYTES, maxFiles: config.DISPUTE_EVIDENCE_MAX_FILES,
    });
  });
  const alerting = createAlerting({
    state: deps.state, run: ctx.run, now, log: deps.log,
    evalIntervalMs: config.ALERT_EVAL_INTERVAL * 1000,
    allowPrivate: config.WEBHOOKS_ALLOW_PRIVATE_TARGETS, webhookTimeoutMs: config.WEBHOOK_TIMEOUT_MS,
    eventTopics, kafka: { brokers: splitList(config.KAFKA_BROKERS), clientId: `${config.KAFKA_CLIENT_ID}-events` },
    onTopicOutcome: (topic, outcome) => metrics.kafkaEventsOut.inc({ topic, outcome }),
    onAlertCreated: (rule) => metrics.alertsCreated.inc({ severity: rule.severity }),
    onAnomaly: () => metrics.anomaliesDetected.inc(),
    onDelivery: (r, eventType, merchantId) => {
      const outcome = r.ok ? 'delivered' : r.error ?? 'failed';
      metrics.webhookAttempts.inc({ event_type: eventType, outcome });
      metrics.webhookDuration.observe(r.durationMs / 1000);
      if (merchantId !== null) metrics.merchantWebhookDuration.observe({ event_type: eventType, outcome: r.ok ? 'delivered' : 'failed' }, r.durationMs / 1000);
    },
  });
  app.decorate('alerting', alerting);
  // Approved refunds into the stream: to this process's engine when it ingests, else to Kafka when
  // it has brokers; else nowhere (the part is not started: the ingesting process's relay delivers).
  const refundSink = engine ? engineSink(engine)
    : config.KAFKA_BROKERS.trim() !== '' ? kafkaSink({ brokers: splitList(config.KAFKA_BROKERS), clientId: `${config.KAFKA_CLIENT_ID}-refunds` }) : null;
  const refundRelay = createRefundRelay({
    state: deps.state, sink: refundSink, now, log: deps.log,
    onOutcome: (via, outcome, events) => metrics.merchantRefundEvents.inc({ via, outcome }, events),
  });
  app.decorate('refundRelay', refundRelay);
  const disputeDeadlines = createDisputeDeadlines({ store, dims, state: deps.state, now, responseDays: config.DISPUTE_RESPONSE_DAYS, log: deps.log });
  app.decorate('disputeDeadlines', disputeDeadlines);
  if (config.DEV_MODE) {
    devSignInRoutes(app, { secret: hmacSecret(config), issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE, now, run: ctx.run });
  }
  webAppRoutes(app, { dir: WEB_BUILD_DIR });

  /** A part that writes through the engine; in a process without one, starting it is a mistake said plainly. */
  const withEngine = (name: string, build: (e: Engine) => Part): Part => (engine ? build(engine) : {
    async start() { throw new Error(`the part ${name} ingests, and this process has no engine (ROLE=${config.ROLE})`); },
    async stop() {},
  });

  // Unstarted: src/start-parts.ts starts them. Whatever was started stops before Fastify waits for
  // its connections (the live WebSocket server shares the HTTP server).
  const parts = createParts({
    'live-feed': liveFeed,
    live: createLiveServer({
      httpServer: app.server, feed: liveFeed, verifier, regions: deps.regions, asOf: ctx.asOf, now,
      corsOrigins,
      coalesceMs: config.LIVE_COALESCE_MS, maxBufferBytes: config.LIVE_MAX_BUFFER_KB * 1024,
      // Replicas that each ingest share their commits through Socket.IO's Redis adapter; in a
      // cluster every api replica follows the one commit feed instead (src/cluster/commit-feed.ts).
      redisUrl: config.ROLE === 'all' ? config.REDIS_URL : '', redisPrefix: config.REDIS_PREFIX, metrics, log: deps.log,
    }),
    // fx_effective follows the calendar (the retention job rebuilds it): the window's rates too.
    'fx-reload': periodicPart({ what: 'live FX reload', everyMs: 600_000, log: deps.log }, () => liveFeed.reloadRates()),
    alerts: alerting,
    'dispute-deadlines': disputeDeadlines,
    'mesh-predictions': meshPredictions,
    'mesh-reconcile': periodicPart({ what: 'mesh reconciliation', everyMs: config.MESH_RECONCILE_INTERVAL_SECONDS * 1000, log: deps.log }, async () => { await meshReconciler.runNow(); }),
    'mesh-routing': meshRouting,
    // An alert fires only at an evaluation: checked a few times per evaluation interval.
    'mesh-canary-watch': periodicPart({ what: 'mesh canary watch', everyMs: CANARY_WATCH_MS, log: deps.log }, async () => { await meshCanaryWatch.checkNow(); }),
    // The state store's retention (src/state-store/state-retention.ts); its first run one interval
    // after start, the state store being opened in the background meanwhile.
    'state-retention': periodicPart({ what: 'state retention', everyMs: config.RETENTION_INTERVAL_MINUTES * 60_000, log: deps.log }, async () => {
      const policy = { alertDays: config.ALERT_RETENTION_DAYS, auditDays: config.AUDIT_RETENTION_DAYS, outboxDays: config.OUTBOX_RETENTION_DAYS };
      const items = await runStateRetention(deps.state, policy, now(), false);
      deps.log.info(Object.fromEntries(items.map((i) => [i.name, i.ids.length])), 'state retention applied');
    }),
    // The analytics store's retention, and the export files' (EXPORT_RETENTION_HOURS): each runs
    // whatever the other's outcome (a file store away holds back no rollup expiry, nor the reverse).
    retention: withEngine('retention', (e) => periodicPart({ what: 'retention', everyMs: config.RETENTION_INTERVAL_MINUTES * 60_000, atStart: true, log: deps.log }, async () => {
      const policy = retentionPolicy(config);
      const exportFiles = purgeExpiredExports({ state: deps.state, files: openFiles, retentionHours: config.EXPORT_RETENTION_HOURS, now })
        .then((r) => deps.log.info(r, 'export files purged'), (err: unknown) => deps.log.error({ err }, 'export file purge failed'))
        .then(() => markStalledExports(deps.state, now()))
        .then((ids) => { if (ids.length) deps.log.warn({ ids }, 'stalled exports marked interrupted'); }, (err: unknown) => deps.log.error({ err }, 'marking stalled exports failed'));
      try {
        deps.log.info(await runRetention(store, e, policy, now()), 'retention applied');
      } finally {
        await exportFiles;
      }
    })),
    'ingest-http': httpSource,
    'ingest-kafka': withEngine('ingest-kafka', (e) => {
      const kafka = createKafkaSource({
        engine: e, store, log: deps.log, brokers: splitList(config.KAFKA_BROKERS), clientId: config.KAFKA_CLIENT_ID,
        groupId: config.KAFKA_GROUP_ID, topics: splitList(config.KAFKA_TOPICS), dlqTopic: config.KAFKA_DLQ_TOPIC,
        batchMaxMessages: config.KAFKA_BATCH_MAX_MESSAGES, batchMaxWaitMs: config.KAFKA_BATCH_MAX_WAIT_MS,
        onMessage: (topic) => metrics.kafkaMessages.inc({ topic }),
        onDeadLetter: (topic, code) => metrics.kafkaDeadLetters.inc({ topic, code }),
      });
      metrics.setKafkaLag(() => kafka.lag());
      return kafka;
    }),
    'refund-relay': refundRelay,
    demo: withEngine('demo', (e) => createDemoSource({
      engine: e, store, log: deps.log, now, ratePerSecond: config.DEMO_EVENTS_PER_SECOND,
      historyDays: config.DEMO_HISTORY_DAYS, state: deps.state,
      maxFutureMs: config.MAX_FUTURE_SKEW_SECONDS * 1000, customRawRetentionDays: config.CUSTOM_RAW_RETENTION_DAYS,
    })),
  });
  app.decorate('parts', parts);
  app.addHook('preClose', async () => parts.stopAll());
  return app;
}

function refundThresholdsOf(setting: string) {
  const r = parseRefundThresholds(setting);
  if (!r.ok) throw new Error(`REFUND_APPROVAL_THRESHOLD: ${r.problem}`); // loadConfig refuses it first
  return r.thresholds;
}

function splitList(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter((s) => s !== '');
}
