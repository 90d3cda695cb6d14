// The Prometheus metrics of one app instance: its own Registry (never prom-client's global one,
// so several apps in one process do not clash), the metric handles, and the engine wiring.
// Ingest counters follow the engine's stats at scrape time, so their totals always equal them.

import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { IngestView } from '../ingest/ingest-view.ts';
import type { EngineStats } from '../ingest/engine.ts';
import { KPI_KIND_NAMES, kpiUpdatesByKind } from '../merchant/kpi-updates.ts';

export interface Metrics {
  registry: Registry;
  requestDuration: Histogram<'method' | 'route' | 'status_code'>;
  requests: Counter<'method' | 'route' | 'status_code'>;
  cacheHits: Counter<'cache'>;
  cacheMisses: Counter<'cache'>;
  recordCache(cache: string, hit: boolean): void;
  /** WebSocket connections by outcome: accepted, refused (bad token or origin), expired, dropped_slow. */
  wsConnections: Counter<'status'>;
  /** Live messages sent, by room kind (global, region, country, city, merchant). */
  wsMessages: Counter<'room'>;
  /** Batch commit → live message emitted. */
  streamingLatency: Histogram;
  /** Reports the current number of connected live clients (set by the live server). */
  setWsCurrent(read: () => number): void;
  /** Reports how many API requests the query admission lets run and holds waiting now. */
  setQueryAdmission(read: () => { running: number; waiting: number }): void;
  alertsCreated: Counter<'severity'>;
  anomaliesDetected: Counter;
  webhookAttempts: Counter<'event_type' | 'outcome'>;
  webhookDuration: Histogram;
  /** Kafka messages received by the consumer, by topic (counted when fetched, before parsing). */
  kafkaMessages: Counter<'topic'>;
  /** Kafka messages sent to the dead-letter topic, by source topic and rejection code. */
  kafkaDeadLetters: Counter<'topic' | 'code'>;
  /** Alert, anomaly and action events sent to Kafka topics, by topic and outcome (src/alerts/topics). */
  kafkaEventsOut: Counter<'topic' | 'outcome'>;
  /**
   * Merchant portal requests (/api/merchant/*), by endpoint (route pattern), caller (the verified
   * token: merchant, a merchant's user; ops, one without a merchant; none, no valid token) and
   * status code. The seed's name, kept for the operators' dashboards.
   */
  merchantDashboardRequests: Counter<'endpoint' | 'caller' | 'status_code'>;
  /**
   * Refund requests (POST /api/merchant/refunds), by outcome: approved (at once), pending_approval,
   * refused (a stored refusal: not found, not refundable, beyond the captured amount…), replayed
   * (the stored answer of an Idempotency-Key), key_conflict (the key in use or reused), error.
   */
  merchantRefundRequests: Counter<'outcome'>;
  /** refund_created events of approved refunds into the stream, by way (engine, kafka) and outcome (delivered, retried, rejected). */
  merchantRefundEvents: Counter<'via' | 'outcome'>;
  /** Delivery attempts to merchants' own webhook endpoints, by event type and outcome (delivered, failed). */
  merchantWebhookDuration: Histogram<'event_type' | 'outcome'>;
  /** Merchant KPI cells changed by this process's committed batches, by kind (src/merchant/kpi-updates.ts). */
  merchantKpiUpdates: Counter<'kind'>;
  /** Routing versions written by the mesh's proposals (src/mesh/proposals.ts), by table and trigger (approval, auto, rollback). */
  meshFailoverApplied: Counter<'region' | 'currency' | 'trigger'>;
  /** The routing mesh: the confidence (0–1) of the newest prediction of each segment made by this process. */
  meshPredictionConfidence: Gauge<'provider' | 'region' | 'currency' | 'method'>;
  /**
   * When this process last made (signed and stored) a prediction, in Unix seconds; 0 before its
   * first. The max over the processes is the mesh's newest prediction: the staleness alert's input.
   */
  meshPredictionLastMade: Gauge;
  /** The routing decision itself (POST /api/mesh/route, in memory: no HTTP, no I/O), by reason. */
  meshRoutingLatency: Histogram<'reason'>;
  /**
   * Routing decisions that cross a border: the payment's region has no route for it and the
   * GLOBAL table routed it, by the payment's region and currency (mesh members are not consulted).
   */
  meshCrossborderVolume: Counter<'region' | 'currency'>;
  /** Reports the consumer's lag per assigned partition (set by the Kafka source). */
  setKafkaLag(read: () => ReadonlyArray<{ topic: string; partition: number; lag: number }>): void;
  /** Stops listening to the engine's commits. */
  stop(): void;
}

// Gauges that prom-client names with a `_total` suffix, which promtool's linter refuses.
const LINT_FAILING_DEFAULTS = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

const NO_INGEST: EngineStats = {
  batches: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {}, failedCommits: 0, lastCommitMs: 0,
  tracked: { accepted: 0, duplicates: 0, rejected: 0 },
};

export function createMetrics(deps: { ingest: IngestView; now: () => number }): Metrics {
  const { ingest } = deps;
  /** This process's ingest counters (zero where it does not ingest). */
  const stats = () => ingest.stats ?? NO_INGEST;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  for (const name of LINT_FAILING_DEFAULTS) registry.removeSingleMetric(name);
  const registers = [registry];

  const seen = new Map<string, number>();
  /** Brings a counter up to an absolute total (a counter only moves by increments). */
  function catchUp(counter: Counter<string>, key: string, labels: Record<string, string>, total: number) {
    const delta = total - (seen.get(key) ?? 0);
    if (delta > 0) counter.inc(labels, delta);
    seen.set(key, Math.max(total, seen.get(key) ?? 0));
  }

  const events: Counter<'outcome'> = new Counter({
    name: 'analytics_ingest_events_total',
    help: 'Events through the ingest engine by outcome (rejected = dead-lettered), counted when their batch commits',
    labelNames: ['outcome'], registers,
    collect() {
      const s = stats();
      catchUp(events, 'accepted', { outcome: 'accepted' }, s.accepted);
      catchUp(events, 'duplicate', { outcome: 'duplicate' }, s.duplicates);
      catchUp(events, 'rejected', { outcome: 'rejected' }, s.rejected);
    },
  });
  const tracked: Counter<'outcome'> = new Counter({
    name: 'analytics_track_events_total',
    help: 'Tracked custom events (POST /api/v1/track) by outcome (rejected = dead-lettered), counted when their batch commits',
    labelNames: ['outcome'], registers,
    collect() {
      const t = stats().tracked;
      catchUp(tracked, 'tracked:accepted', { outcome: 'accepted' }, t.accepted);
      catchUp(tracked, 'tracked:duplicate', { outcome: 'duplicate' }, t.duplicates);
      catchUp(tracked, 'tracked:rejected', { outcome: 'rejected' }, t.rejected);
    },
  });
  const errors: Counter<'code'> = new Counter({
    name: 'analytics_ingest_errors_total',
    help: 'Ingest errors by code: rejected events by rejection code, and failed batch commits (commit_failed)',
    labelNames: ['code'], registers,
    collect() {
      const s = stats();
      for (const [code, n] of Object.entries(s.rejectedByCode)) catchUp(errors, `code:${code}`, { code }, n);
      catchUp(errors, 'code:commit_failed', { code: 'commit_failed' }, s.failedCommits);
    },
  });
  const batches: Counter = new Counter({
    name: 'analytics_ingest_batches_total',
    help: 'Batches committed by the ingest engine',
    registers,
    collect() { catchUp(batches, 'batches', {}, stats().batches); },
  });
  const commitDuration = new Histogram({
    name: 'analytics_ingest_batch_commit_duration_seconds',
    help: 'Time to commit one ingest batch to the analytics store',
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers,
  });
  new Gauge({
    name: 'analytics_aggregation_lag_seconds',
    help: 'Seconds between now and the as-of watermark (latest committed event time); 0 with no data',
    registers,
    collect() {
      const asOf = ingest.asOf();
      this.set(asOf === null ? 0 : Math.max(0, (deps.now() - asOf) / 1000));
    },
  });
  const requestLabels = ['method', 'route', 'status_code'] as const;
  const requestDuration = new Histogram({
    name: 'analytics_api_request_duration_seconds',
    help: 'HTTP request duration by method, route pattern and status code',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    labelNames: requestLabels, registers,
  });
  const requests = new Counter({
    name: 'analytics_api_requests_total',
    help: 'HTTP requests by method, route pattern and status code',
    labelNames: requestLabels, registers,
  });
  const cacheHits = new Counter({ name: 'analytics_cache_hits_total', help: 'Cache hits by cache', labelNames: ['cache'], registers });
  const cacheMisses = new Counter({ name: 'analytics_cache_misses_total', help: 'Cache misses by cache', labelNames: ['cache'], registers });

  const wsConnections = new Counter({
    name: 'analytics_ws_connections_total', help: 'Live WebSocket connections by outcome (accepted, refused, expired, dropped_slow)',
    labelNames: ['status'], registers,
  });
  const wsMessages = new Counter({
    name: 'analytics_ws_messages_total', help: 'Live delta messages emitted, by room kind (global, region, country, city, merchant)',
    labelNames: ['room'], registers,
  });
  const streamingLatency = new Histogram({
    name: 'analytics_streaming_latency_seconds', help: 'Time from an ingest batch commit to the live message that carries it',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1, 2.5],
    registers,
  });
  let wsCurrent = () => 0;
  new Gauge({
    name: 'analytics_ws_connections', help: 'Live WebSocket clients connected now', registers,
    collect() { this.set(wsCurrent()); },
  });

  let admission = () => ({ running: 0, waiting: 0 });
  new Gauge({
    name: 'analytics_query_admission_running', help: 'API requests computing or sending an answer now (at most QUERY_MAX_CONCURRENCY)', registers,
    collect() { this.set(admission().running); },
  });
  new Gauge({
    name: 'analytics_query_admission_waiting', help: 'API requests waiting for a place now (at most QUERY_QUEUE_LENGTH)', registers,
    collect() { this.set(admission().waiting); },
  });

  const alertsCreated = new Counter({ name: 'analytics_alerts_created_total', help: 'Alerts that started firing, by severity', labelNames: ['severity'], registers });
  const anomaliesDetected = new Counter({ name: 'analytics_anomalies_detected_total', help: 'Anomalies detected by anomaly rules (analytics.anomaly events)', registers });
  const webhookAttempts = new Counter({
    name: 'analytics_webhook_deliveries_total', help: 'Webhook delivery attempts by event type and outcome (delivered, or the failure code)',
    labelNames: ['event_type', 'outcome'], registers,
  });
  const webhookDuration = new Histogram({
    name: 'analytics_webhook_delivery_duration_seconds', help: 'Duration of one webhook delivery attempt',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
  });

  const kafkaMessages = new Counter({
    name: 'analytics_kafka_messages_total', help: 'Kafka messages received by the ingest consumer, by topic',
    labelNames: ['topic'], registers,
  });
  const kafkaDeadLetters = new Counter({
    name: 'analytics_kafka_dead_letters_total', help: 'Kafka messages sent to the dead-letter topic, by source topic and rejection code',
    labelNames: ['topic', 'code'], registers,
  });
  const kafkaEventsOut = new Counter({
    name: 'analytics_kafka_events_out_total',
    help: 'Alert, anomaly and action events to Kafka topics, by topic and outcome: delivered; deferred (the topic could not take messages, retried later); dead (never sent, retries over); unconfirmed (claimed, the send failed or the process stopped: maybe in the topic, never sent again)',
    labelNames: ['topic', 'outcome'], registers,
  });
  const merchantDashboardRequests = new Counter({
    name: 'molam_merchant_dashboard_requests_total',
    help: 'Merchant portal requests (/api/merchant/*) by endpoint (route pattern), caller (the verified token: merchant, ops, or none without a valid token) and status code',
    labelNames: ['endpoint', 'caller', 'status_code'], registers,
  });
  const merchantRefundRequests = new Counter({
    name: 'molam_merchant_refund_requests_total',
    help: 'Merchant refund requests by outcome: approved (at once), pending_approval, refused (a stored refusal), replayed (an Idempotency-Key\'s stored answer), key_conflict (key in use or reused), error',
    labelNames: ['outcome'], registers,
  });
  const merchantRefundEvents = new Counter({
    name: 'molam_merchant_refund_events_total',
    help: 'refund_created events of approved refunds sent into the analytics stream, by way (engine, kafka) and outcome: delivered; retried (not delivered now, due again); rejected (refused by ingest for good: missing from the KPIs)',
    labelNames: ['via', 'outcome'], registers,
  });
  const merchantWebhookDuration = new Histogram({
    name: 'molam_merchant_webhook_delivery_duration_seconds',
    help: 'Duration of one delivery attempt to a merchant\'s own webhook endpoint, by event type and outcome (delivered, failed)',
    labelNames: ['event_type', 'outcome'], buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers,
  });
  const merchantKpiUpdates = new Counter({
    name: 'molam_merchant_kpi_updates_total',
    help: 'Merchant KPI cells (minute rollups per merchant, dimensions and kind) changed by the batches this process committed, by kind',
    labelNames: ['kind'], registers,
  });
  const meshFailoverApplied = new Counter({
    name: 'molam_mesh_failover_applied_total',
    help: 'Routing changes the mesh applied from proposals, by table (region, currency) and trigger: approval (an operator approved it), auto (its policy applied it), rollback (an applied proposal rolled back)',
    labelNames: ['region', 'currency', 'trigger'], registers,
  });
  const meshPredictionConfidence = new Gauge({
    name: 'molam_mesh_prediction_confidence',
    help: 'Routing mesh: confidence (0-1) of the newest provider health prediction this process made, per provider, mesh region, currency and method',
    labelNames: ['provider', 'region', 'currency', 'method'], registers,
  });
  const meshPredictionLastMade = new Gauge({
    name: 'molam_mesh_prediction_last_made_timestamp_seconds',
    help: 'Routing mesh: when this process last made (signed and stored) a provider health prediction, in Unix seconds; 0 before its first',
    registers,
  });
  const meshRoutingLatency = new Histogram({
    name: 'molam_mesh_routing_latency_seconds',
    help: 'Duration of one routing decision (POST /api/mesh/route: the decision over the in-memory snapshot, without HTTP), by reason (exploitation, exploration, canary, fallback)',
    labelNames: ['reason'], buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005], registers,
  });
  const meshCrossborderVolume = new Counter({
    name: 'molam_mesh_crossborder_volume_total',
    help: 'Routing decisions routed by the GLOBAL table for a payment of another region (its own region had no route for it), by the payment\'s region and currency',
    labelNames: ['region', 'currency'], registers,
  });
  let kafkaLag: () => ReadonlyArray<{ topic: string; partition: number; lag: number }> = () => [];
  new Gauge({
    name: 'analytics_kafka_consumer_lag', help: 'Messages of each assigned partition not yet committed to the analytics store (log end offset minus the stored position)',
    labelNames: ['topic', 'partition'], registers,
    collect() {
      this.reset();
      for (const l of kafkaLag()) this.set({ topic: l.topic, partition: String(l.partition) }, l.lag);
    },
  });

  for (const outcome of ['accepted', 'duplicate', 'rejected']) events.inc({ outcome }, 0);
  errors.inc({ code: 'commit_failed' }, 0);
  for (const kind of Object.values(KPI_KIND_NAMES)) merchantKpiUpdates.inc({ kind }, 0);
  const unsubscribe = ingest.onCommit((b) => {
    commitDuration.observe(b.commitMs / 1000);
    // Only where the batch was committed: a reading replica hears of other processes' commits too.
    if (ingest.stats !== null) for (const [kind, n] of kpiUpdatesByKind(b.minuteDeltas)) merchantKpiUpdates.inc({ kind }, n);
  });

  return {
    registry, requestDuration, requests, cacheHits, cacheMisses,
    recordCache(cache, hit) { (hit ? cacheHits : cacheMisses).inc({ cache }); },
    wsConnections, wsMessages, streamingLatency, alertsCreated, anomaliesDetected, webhookAttempts, webhookDuration,
    setWsCurrent(read) { wsCurrent = read; },
    setQueryAdmission(read) { admission = read; },
    kafkaMessages, kafkaDeadLetters, kafkaEventsOut, merchantDashboardRequests, merchantRefundRequests, merchantRefundEvents,
    merchantWebhookDuration, merchantKpiUpdates, meshFailoverApplied, meshPredictionConfidence, meshPredictionLastMade, meshRoutingLatency, meshCrossborderVolume,
    setKafkaLag(read) { kafkaLag = read; },
    stop: unsubscribe,
  };
}
