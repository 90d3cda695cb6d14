// Configuration: one schema, read once from the environment and an optional JSON file
// (CONFIG_FILE; the environment wins). The only module that reads process.env. Every setting
// has a default, so the platform runs with no environment at all.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

import { parseTrustProxy } from './http/trust-proxy.ts';
import { parseRefundThresholds } from './merchant/refund-threshold.ts';

/** Kafka's rule for a topic name: 1-249 of letters, digits, '.', '_' and '-'. */
function kafkaTopicName(v: string): string | null {
  return /^[A-Za-z0-9._-]{1,249}$/.test(v) && v !== '.' && v !== '..' ? null : 'a Kafka topic name (1-249 letters, digits, ., _, -)';
}

/** A share between 0 and 1, as a decimal (0.05). */
function shareOf(v: string): string | null {
  return /^(0(\.[0-9]{1,6})?|1(\.0{1,6})?)$/.test(v) ? null : 'a decimal between 0 and 1 (e.g. 0.05)';
}

/** S3's bucket naming rules: 3-63 of lowercase letters, digits, '.', '-', alphanumeric at both ends, no '..', not an IP address. */
function s3BucketName(v: string): string | null {
  const ok = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(v) && !v.includes('..') && !/^\d+\.\d+\.\d+\.\d+$/.test(v);
  return ok ? null : 'an S3 bucket name (3-63 lowercase letters, digits, . and -)';
}

function s3Endpoint(v: string): string | null {
  let url: URL;
  try { url = new URL(v); } catch { return 'an http(s)://host[:port] URL'; }
  const bare = (url.protocol === 'http:' || url.protocol === 'https:') && (url.pathname === '/' || url.pathname === '')
    && !url.search && !url.hash && !url.username && !url.password;
  return bare ? null : 'an http(s)://host[:port] URL with no path, query or credentials';
}

type Spec =
  | { kind: 'int'; default: number; min: number; max: number; doc: string }
  | { kind: 'string'; default: string; doc: string; check?: (v: string) => string | null }
  | { kind: 'enum'; default: string; values: readonly string[]; doc: string }
  | { kind: 'bool'; default: boolean; doc: string };

export const CONFIG_SPEC = {
  PORT: { kind: 'int', default: 8080, min: 0, max: 65535, doc: 'HTTP port (0 = any free port).' },
  HOST: { kind: 'string', default: '127.0.0.1', doc: 'Interface to listen on (0.0.0.0 to serve other machines; every API route requires a token).' },
  DATA_DIR: { kind: 'string', default: './data', doc: 'Directory of the embedded stores.' },
  BACKUP_DIR: { kind: 'string', default: './backups', doc: 'Where POST /api/ops/backup (`backup NAME --url`) writes a backup of the embedded stores: BACKUP_DIR/NAME.' },
  LOG_LEVEL: { kind: 'enum', default: 'info', values: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], doc: 'pino log level.' },
  LOG_FORMAT: { kind: 'enum', default: 'auto', values: ['auto', 'json', 'pretty'], doc: 'json: one JSON line per entry (production); pretty: one compact readable line per entry and one per request; auto: pretty in dev mode, else json.' },
  RAW_RETENTION_DAYS: { kind: 'int', default: 90, min: 7, max: 36500, doc: 'Raw events kept this long (event time). Also the dedupe horizon.' },
  MINUTE_RETENTION_DAYS: { kind: 'int', default: 180, min: 1, max: 36500, doc: 'Minute rollups kept this long.' },
  HOUR_RETENTION_DAYS: { kind: 'int', default: 365, min: 1, max: 36500, doc: 'Hour rollups kept this long. Day rollups are kept forever.' },
  CUSTOM_RAW_RETENTION_DAYS: { kind: 'int', default: 90, min: 1, max: 36500, doc: 'Tracked custom events (POST /api/v1/track) kept raw this long (event time); also their dedupe horizon and the oldest timestamp accepted.' },
  CUSTOM_MINUTE_RETENTION_DAYS: { kind: 'int', default: 365, min: 1, max: 36500, doc: 'Custom event 1-minute rollups (also the 5m and 15m intervals) kept this long.' },
  CUSTOM_HOUR_RETENTION_DAYS: { kind: 'int', default: 730, min: 1, max: 36500, doc: 'Custom event hourly rollups kept this long (2 years).' },
  CUSTOM_DAY_RETENTION_DAYS: { kind: 'int', default: 3650, min: 1, max: 36500, doc: 'Custom event daily rollups kept this long (10 years).' },
  ALERT_RETENTION_DAYS: { kind: 'int', default: 90, min: 0, max: 36500, doc: 'Resolved alerts (with their comments) are deleted this long after they resolved (state retention; 0 = kept forever).' },
  AUDIT_RETENTION_DAYS: { kind: 'int', default: 365, min: 0, max: 36500, doc: 'Rows of the audit logs (audit_log, merchant_audit) are deleted this long after they were written (state retention; 0 = kept forever).' },
  OUTBOX_RETENTION_DAYS: { kind: 'int', default: 30, min: 0, max: 36500, doc: 'Finished outbox messages (delivered, dead, suppressed; webhook and Kafka) and their delivery attempts are deleted this long after they were queued (state retention; 0 = kept forever).' },
  RETENTION_INTERVAL_MINUTES: { kind: 'int', default: 60, min: 1, max: 10080, doc: 'How often the retention job runs.' },
  MAX_FUTURE_SKEW_SECONDS: { kind: 'int', default: 300, min: 0, max: 86400, doc: 'occurred_at may lead the server clock by this much.' },
  INGEST_MAX_BATCH_EVENTS: { kind: 'int', default: 50_000, min: 1, max: 1_000_000, doc: 'Largest group-committed batch, and most events in one request.' },
  INGEST_MAX_BODY_BYTES: { kind: 'int', default: 32 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024, doc: 'Largest accepted POST /api/v1/events body.' },
  STATE_SNAPSHOT_INTERVAL_SECONDS: { kind: 'int', default: 600, min: 0, max: 86400, doc: 'How often the ingest state is snapshotted for fast restarts (0 = only at shutdown).' },
  PARSE_WORKERS: { kind: 'int', default: 1, min: 0, max: 64, doc: 'Worker threads parsing NDJSON ahead of the engine (0 = none).' },
  QUERY_MAX_BUCKETS: { kind: 'int', default: 10_000, min: 10, max: 1_000_000, doc: 'Most buckets a time series may have.' },
  QUERY_MAX_ROWS: { kind: 'int', default: 100_000, min: 1, max: 10_000_000, doc: 'Most rows one query may return (more: 422 result_too_large; use limit, fewer dimensions or a coarser granularity).' },
  QUERY_MAX_MINUTE_SPAN_DAYS: { kind: 'int', default: 31, min: 1, max: 3650, doc: 'Most minute-rollup days one query may scan.' },
  QUERY_MAX_RESULT_MB: { kind: 'int', default: 16, min: 1, max: 4096, doc: 'Largest answer one query may give, in MB of JSON, estimated from its row shape before it runs (more: 422 result_too_large). Bounds the memory of each answer in flight.' },
  QUERY_MAX_CONCURRENCY: { kind: 'int', default: 4, min: 1, max: 1024, doc: 'Most API requests computing or sending an answer at once (ingest excepted); more wait in a queue of QUERY_QUEUE_LENGTH.' },
  QUERY_QUEUE_LENGTH: { kind: 'int', default: 32, min: 0, max: 100_000, doc: 'Most API requests waiting for a place, in arrival order; past it 429 too_many_queries with Retry-After.' },
  ANALYTICS_STORE: { kind: 'enum', default: 'duckdb', values: ['duckdb', 'clickhouse'], doc: 'The analytics store: embedded DuckDB in DATA_DIR, or a ClickHouse server (CLICKHOUSE_*).' },
  CLICKHOUSE_URL: { kind: 'string', default: 'http://127.0.0.1:8123', doc: 'ClickHouse HTTP interface (ANALYTICS_STORE=clickhouse).' },
  CLICKHOUSE_DATABASE: { kind: 'string', default: 'molam_analytics', doc: 'ClickHouse database, created when missing.', check: (v) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v) ? null : 'a plain identifier (letters, digits, _)') },
  CLICKHOUSE_USER: { kind: 'string', default: '', doc: 'ClickHouse user (empty: the server\'s default user).' },
  CLICKHOUSE_PASSWORD: { kind: 'string', default: '', doc: 'ClickHouse password.' },
  DUCKDB_MEMORY_LIMIT: { kind: 'string', default: '512MB', doc: 'DuckDB memory_limit.' },
  DUCKDB_CHECKPOINT_THRESHOLD: { kind: 'string', default: '256MB', doc: 'WAL size that triggers a DuckDB checkpoint (larger = faster ingest, longer restart replay).' },
  DUCKDB_THREADS: { kind: 'int', default: 2, min: 1, max: 256, doc: 'DuckDB worker threads.' },
  REGIONS_FILE: { kind: 'string', default: '', doc: 'Country → region CSV; empty = the shipped reference/regions.csv.' },
  FX_FILE: { kind: 'string', default: '', doc: 'An FX rates CSV to load at start (date,currency,usd_per_unit).' },
  JWT_JWKS_URL: { kind: 'string', default: '', doc: 'JWKS URL of the identity provider (RS256/ES256 tokens). Production setting.' },
  JWT_ISSUER: { kind: 'string', default: '', doc: 'Required `iss` of tokens (checked when set).' },
  JWT_AUDIENCE: { kind: 'string', default: '', doc: 'Required `aud` of tokens (checked when set).' },
  JWT_SECRET: { kind: 'string', default: '', doc: 'HS256 secret (at least 32 characters) for development tokens. In dev mode, generated into DATA_DIR when empty.' },
  JWT_CLOCK_TOLERANCE_SECONDS: { kind: 'int', default: 30, min: 0, max: 300, doc: 'Clock skew allowed on exp/nbf/iat.' },
  DEV_MODE: { kind: 'bool', default: false, doc: 'Development mode: HS256 dev tokens, the dev sign-in endpoint, loopback only (also --dev / npm run dev).' },
  CORS_ORIGINS: { kind: 'string', default: '', doc: 'Comma-separated origins allowed to call the API from a browser (empty = same origin only).' },
  TRUST_PROXY: {
    kind: 'string', default: '',
    doc: 'Proxies (load balancer, ingress) whose X-Forwarded-For gives the client address: comma-separated addresses, CIDR blocks, or loopback/linklocal/uniquelocal. Empty = none (forwarded headers are ignored).',
    check: (v) => { const r = parseTrustProxy(v); return r.ok ? null : r.problem; },
  },
  RATE_LIMIT_PER_MINUTE: { kind: 'int', default: 6000, min: 0, max: 10_000_000, doc: 'Requests per minute per token subject on the read API (0 = no limit). Ingest is paced by backpressure instead.' },
  CACHE_TTL: { kind: 'int', default: 10, min: 0, max: 3600, doc: 'Seconds a query result may be served from cache (0 = no cache). Ingest invalidates the minutes it touches.' },
  CACHE_MAX_ENTRIES: { kind: 'int', default: 5000, min: 1, max: 1_000_000, doc: 'Most query results kept in the cache.' },
  CACHE_MAX_MB: { kind: 'int', default: 128, min: 1, max: 65536, doc: 'Memory budget of the query cache (estimated); an answer over a tenth of it is not cached.' },
  LIVE_COALESCE_MS: { kind: 'int', default: 100, min: 0, max: 60_000, doc: 'Live messages: at most one per room per this many ms.' },
  LIVE_MAX_BUFFER_KB: { kind: 'int', default: 1024, min: 16, max: 1_048_576, doc: 'A live client whose unsent messages exceed this is disconnected (it never slows the others).' },
  REDIS_URL: { kind: 'string', default: '', doc: 'Redis for live fan-out between replicas (e.g. redis://127.0.0.1:6379); empty = one replica.' },
  REDIS_PREFIX: { kind: 'string', default: 'molam-live', doc: 'Prefix of the Redis pub/sub channels of the live fan-out; replicas that share it see each other (one per deployment).' },
  DATABASE_URL: { kind: 'string', default: '', doc: 'PostgreSQL for the state store (alerts, webhooks, audit); empty = embedded PGlite in DATA_DIR/state.' },
  DATABASE_SCHEMA: { kind: 'string', default: '', doc: 'Schema of the state store\'s tables on PostgreSQL (created if missing); empty = the default search path.' },
  ALERT_EVAL_INTERVAL: { kind: 'int', default: 30, min: 1, max: 3600, doc: 'Seconds between alert evaluations (one replica evaluates: a PostgreSQL advisory lock).' },
  WEBHOOKS_ALLOW_PRIVATE_TARGETS: { kind: 'bool', default: false, doc: 'Allow webhook targets on loopback and private addresses (local development and tests only).' },
  WEBHOOK_TIMEOUT_MS: { kind: 'int', default: 10_000, min: 100, max: 60_000, doc: 'Timeout of one webhook delivery attempt.' },
  S3_BUCKET: {
    kind: 'string', default: '',
    doc: 'Bucket of the file store (dispute evidence) on S3-compatible storage; empty = local disk in DATA_DIR/files (docs/files.md).',
    check: s3BucketName,
  },
  S3_REGION: {
    kind: 'string', default: 'us-east-1', doc: 'Region of S3_BUCKET (signed into every request; any name an S3-compatible server expects).',
    check: (v) => (/^[a-z0-9][a-z0-9_-]{0,62}$/.test(v) ? null : 'a region name (lowercase letters, digits, -, _)'),
  },
  S3_ENDPOINT: {
    kind: 'string', default: '', doc: 'S3-compatible server, as http(s)://host[:port]; empty = AWS (https://s3.<S3_REGION>.amazonaws.com).',
    check: s3Endpoint,
  },
  S3_FORCE_PATH_STYLE: { kind: 'bool', default: false, doc: 'Address objects as <endpoint>/<bucket>/<key> (most S3-compatible servers) instead of <bucket>.<endpoint>/<key> (AWS).' },
  AWS_ACCESS_KEY_ID: { kind: 'string', default: '', doc: 'Access key of the file store\'s S3 credentials (required with S3_BUCKET).' },
  AWS_SECRET_ACCESS_KEY: { kind: 'string', default: '', doc: 'Secret key of the file store\'s S3 credentials (required with S3_BUCKET).' },
  REFUND_APPROVAL_THRESHOLD: {
    kind: 'string', default: '',
    doc: 'Merchant refunds above this amount wait for a second person\'s approval: comma-separated CODE:amount in the currency\'s minor units, * for every other currency (e.g. XOF:5000000,NGN:10000000,*:100000). A currency with no entry (and no *) never waits; empty = no refund waits.',
    check: (v) => { const r = parseRefundThresholds(v); return r.ok ? null : r.problem; },
  },
  DISPUTE_RESPONSE_DAYS: {
    kind: 'int', default: 7, min: 1, max: 120,
    doc: 'Days a merchant has to answer a dispute: due_by = the dispute_created event\'s occurred_at + this (the event carries no deadline).',
  },
  DISPUTE_EVIDENCE_MAX_FILE_BYTES: { kind: 'int', default: 10 * 1024 * 1024, min: 1024, max: 1024 * 1024 * 1024, doc: 'Largest evidence file.' },
  DISPUTE_EVIDENCE_MAX_TOTAL_BYTES: { kind: 'int', default: 50 * 1024 * 1024, min: 1024, max: 16 * 1024 * 1024 * 1024, doc: 'Most bytes of evidence one dispute may hold, all files together.' },
  DISPUTE_EVIDENCE_MAX_FILES: { kind: 'int', default: 20, min: 1, max: 1000, doc: 'Most evidence files one dispute may hold.' },
  EXPORT_SYNC_MAX_ROWS: {
    kind: 'int', default: 10_000, min: 0, max: 100_000,
    doc: 'Merchant exports of at most this many rows are answered at once (held in memory while counted); larger ones run in the background and give a signed download link (0 = always in the background).',
  },
  EXPORT_CONCURRENCY: { kind: 'int', default: 1, min: 1, max: 64, doc: 'Background exports run at once by one process; others wait in its queue.' },
  EXPORT_URL_SECRET: {
    kind: 'string', default: '',
    doc: 'HMAC secret of export download links (at least 32 characters). Empty = a random one per process: links then do not survive a restart and work only on the replica that made them.',
    check: (v) => (v.length >= 32 ? null : 'at least 32 characters'),
  },
  EXPORT_URL_TTL_SECONDS: { kind: 'int', default: 900, min: 10, max: 604_800, doc: 'How long an export download link stays valid (the status route gives a fresh one each time).' },
  EXPORT_RETENTION_HOURS: {
    kind: 'int', default: 24, min: 1, max: 8760,
    doc: 'A background export\'s file is deleted this long after it is ready (its status becomes expired; the retention job does it, every RETENTION_INTERVAL_MINUTES). See docs/merchant.md, "Retention of export files".',
  },
  API_TOKEN: { kind: 'string', default: '', doc: 'Bearer token the CLI sends with --url (or pass --token).' },
  ROLE: {
    kind: 'enum', default: 'all', values: ['all', 'api', 'consumer', 'evaluator'],
    doc: 'What this process runs: all (one process, the default), api (REST, WebSocket, dashboard), consumer (the Kafka consumer and ingest engine), evaluator (the alert scheduler). See docs/operations.md, "Running as a cluster".',
  },
  KAFKA_BROKERS: { kind: 'string', default: '', doc: 'Comma-separated Kafka bootstrap brokers (host:port); empty = no Kafka (events enter over HTTP and from files).' },
  KAFKA_CLIENT_ID: { kind: 'string', default: 'molam-analytics', doc: 'Kafka client id of this process (shown in the brokers\' logs and quotas).' },
  KAFKA_GROUP_ID: { kind: 'string', default: 'analytics-consumer', doc: 'Kafka consumer group of the ingest consumers.' },
  KAFKA_TOPICS: {
    kind: 'string', default: 'wallet_txn_created,wallet_txn_succeeded,wallet_txn_failed,invoice.paid,refund_created,dispute_created,payout_created,payout.settled',
    doc: 'Comma-separated topics the consumer reads; each message is one event (the NDJSON contract, docs/events.md).',
    check: (v) => (v.split(',').every((t) => /^[A-Za-z0-9._-]{1,249}$/.test(t.trim())) ? null : 'comma-separated Kafka topic names'),
  },
  KAFKA_BATCH_MAX_MESSAGES: { kind: 'int', default: 10_000, min: 1, max: 1_000_000, doc: 'Most messages the consumer hands the ingest engine in one batch.' },
  KAFKA_BATCH_MAX_WAIT_MS: { kind: 'int', default: 500, min: 1, max: 60_000, doc: 'Longest the consumer waits to fill a batch before handing over what it has.' },
  KAFKA_DLQ_TOPIC: { kind: 'string', default: 'analytics.dlq', doc: 'Topic where messages that are not valid events go, as received, with the reason in headers (besides the dead-letter table).' },
  KAFKA_ANOMALY_TOPIC: { kind: 'string', default: 'analytics.anomaly', doc: 'With KAFKA_BROKERS: topic of the analytics.anomaly events (the SIRA topic of Brique 69), through the outbox, at most once each (docs/alerts.md).', check: kafkaTopicName },
  KAFKA_ALERT_TOPIC: { kind: 'string', default: 'analytics.alert', doc: 'With KAFKA_BROKERS: topic of the alert notifications (alert.firing, alert.resolved, …), through the outbox, at most once each.', check: kafkaTopicName },
  KAFKA_ACTION_TOPIC: { kind: 'string', default: 'analytics.action', doc: 'With KAFKA_BROKERS: topic of the auto-action events (merchant.payouts.pause_requested, merchant.flagged), through the outbox, at most once each.', check: kafkaTopicName },
  KAFKA_MESH_PREDICTIONS_TOPIC: { kind: 'string', default: 'mesh.predictions', doc: 'With KAFKA_BROKERS: topic of the routing mesh\'s signed provider-health predictions (mesh.prediction.generated), through the outbox (docs/mesh.md).', check: kafkaTopicName },
  KAFKA_MESH_PROPOSALS_TOPIC: { kind: 'string', default: 'mesh.proposals', doc: 'With KAFKA_BROKERS: topic of the routing mesh\'s proposals as they are made and decided (mesh.proposal.*), through the outbox.', check: kafkaTopicName },
  KAFKA_MESH_ACTIONS_TOPIC: { kind: 'string', default: 'mesh.actions', doc: 'With KAFKA_BROKERS: topic of the routing mesh\'s actions (routing applied, rolled back, kill switch, members, policies), through the outbox.', check: kafkaTopicName },
  MESH_HEALTH_WINDOW_MINUTES: { kind: 'int', default: 60, min: 1, max: 10_080, doc: 'The routing mesh: the window of payments a provider health prediction is computed from (the last this many minutes; its two halves give the trend). docs/mesh.md.' },
  MESH_PREDICTION_TTL_SECONDS: { kind: 'int', default: 900, min: 10, max: 86_400, doc: 'The routing mesh: how long a signed prediction may be used; past it, it is refused as prediction_stale.' },
  MESH_PREDICTION_INTERVAL_SECONDS: { kind: 'int', default: 300, min: 10, max: 86_400, doc: 'The routing mesh: seconds between scheduled prediction runs (the mesh-predictions part, run by the evaluator; one replica at a time).' },
  MESH_PREDICTION_MIN_ATTEMPTS: { kind: 'int', default: 5, min: 1, max: 1_000_000, doc: 'The routing mesh: a segment (provider, region, currency, method) is predicted only with at least this many payments in the window.' },
  MESH_ELIMINATION_SCORE: { kind: 'int', default: 40, min: 0, max: 100, doc: 'The routing decision API puts a provider whose verified prediction scores below this (0–100) behind the healthy ones of its route (docs/mesh.md#the-decision-api); 0 eliminates none.' },
  MESH_EXPLORATION_RATE: { kind: 'string', default: '0.05', doc: 'The share (0–1) of payments, chosen by a hash of the payment id, whose decision puts an eliminated provider first (reason exploration) so that it can show it recovered; 0 disables exploration.', check: shareOf },
  MESH_RECONCILE_WINDOW_HOURS: { kind: 'int', default: 24, min: 1, max: 168, doc: 'The routing mesh\'s reconciliation: the money a routing change moves is expected from the volume of this many hours before it, and observed over as many hours after it (docs/mesh.md#reconciliation).' },
  MESH_RECONCILE_TOLERANCE_PERCENT: { kind: 'int', default: 10, min: 0, max: 100, doc: 'The routing mesh\'s reconciliation: an item matches when the volume the new provider carried is within this percentage of the expectation; else it is unmatched.' },
  MESH_RECONCILE_INTERVAL_SECONDS: { kind: 'int', default: 300, min: 10, max: 86_400, doc: 'The routing mesh\'s reconciliation: seconds between passes of the mesh-reconcile part (the evaluator\'s): new routing versions recorded, windows that ended settled.' },
  MESH_SNAPSHOT_REFRESH_MS: { kind: 'int', default: 1000, min: 50, max: 3_600_000, doc: 'How often (ms) the decision API reads the routing tables, kill switches, canaries and predictions again, so that other replicas\' changes arrive (this process\'s own are read at once).' },
  DEMO: { kind: 'bool', default: false, doc: 'Feed a synthetic live stream (also --demo / npm run demo).' },
  DEMO_EVENTS_PER_SECOND: { kind: 'int', default: 2, min: 1, max: 100_000, doc: 'Demo: the network\'s average event rate, for its history and its live stream alike (the live rate follows the time of day).' },
  DEMO_HISTORY_DAYS: { kind: 'int', default: 7, min: 0, max: 365, doc: 'Demo: days of synthetic history, at DEMO_EVENTS_PER_SECOND, loaded into an empty store (0 = none).' },
} as const satisfies Record<string, Spec>;

type SpecOf = typeof CONFIG_SPEC;
export type Config = {
  [K in keyof SpecOf]: SpecOf[K]['kind'] extends 'int' ? number : SpecOf[K]['kind'] extends 'bool' ? boolean : string;
};

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env, overrides: Partial<Config> = {}): Config {
  const fromFile = env.CONFIG_FILE ? readJson(env.CONFIG_FILE) : {};
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, spec] of Object.entries(CONFIG_SPEC) as Array<[string, Spec]>) {
    const over = (overrides as Record<string, unknown>)[key];
    const rawValue = over !== undefined ? String(over) : env[key] ?? stringOrUndefined(fromFile[key]);
    if (rawValue === undefined || rawValue === '') {
      out[key] = spec.default;
      continue;
    }
    const parsed = parseValue(spec, rawValue);
    const problem = parsed === undefined ? describe(spec) : spec.kind === 'string' ? spec.check?.(rawValue) ?? null : null;
    if (problem !== null) problems.push(`${key}=${JSON.stringify(rawValue)}: ${problem}`);
    else out[key] = parsed;
  }
  if (problems.length) throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  out.DATA_DIR = resolve(String(out.DATA_DIR));
  return out as Config;
}

function parseValue(spec: Spec, v: string): unknown {
  switch (spec.kind) {
    case 'int': {
      if (!/^-?\d+$/.test(v)) return undefined;
      const n = Number(v);
      return n >= spec.min && n <= spec.max ? n : undefined;
    }
    case 'bool':
      return v === 'true' || v === '1' ? true : v === 'false' || v === '0' ? false : undefined;
    case 'enum':
      return spec.values.includes(v) ? v : undefined;
    default:
      return v;
  }
}

function describe(spec: Spec): string {
  switch (spec.kind) {
    case 'int': return `expected an integer in [${spec.min}, ${spec.max}]`;
    case 'bool': return 'expected true or false';
    case 'enum': return `expected one of ${spec.values.join(', ')}`;
    default: return 'expected a string';
  }
}

function readJson(path: string): Record<string, unknown> {
  try {
    const v = JSON.parse(readFileSync(path, 'utf8'));
    if (v && typeof v === 'object' && !Array.isArray(v)) return v as Record<string, unknown>;
  } catch (err) {
    throw new ConfigError(`CONFIG_FILE ${path}: ${(err as Error).message}`);
  }
  throw new ConfigError(`CONFIG_FILE ${path}: expected a JSON object`);
}

function stringOrUndefined(v: unknown): string | undefined {
  return v === undefined || v === null ? undefined : String(v);
}
