// `doctor`: what /ready checks, and what an operator checks next, for a person — each finding
// with what to do about it. Read-only: it never migrates, writes or takes a lease.
// - configuration: the settings parse; tokens can be verified;
// - with --url, the running server: /ready part by part, its clock against this machine's, the
//   Kafka consumer's lag (from /metrics), the age of its FX rates;
// - without --url (server stopped), the stores themselves: the analytics store opens and its
//   migrations are current, the state store answers and its migrations are current;
// - disk: free space where DATA_DIR lives.
// A finding is `problem` (exit 1: something is broken or will be) or `warning` (worth a look).

import { statfsSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { loadConfig, type Config } from '../config.ts';
import { DUCKDB_SCHEMA_VERSION, inspectDuckDbFile, openAnalyticsStore } from '../store/open-analytics-store.ts';
import { LATEST_STATE_VERSION } from '../state-store/state-migrations.ts';
import { stateSchemaVersion } from '../state-store/state-schema-version.ts';

export interface Check {
  name: string;
  status: 'ok' | 'warning' | 'problem' | 'skipped';
  detail: string;
  /** What to do about it (problems and warnings). */
  fix?: string;
}

export interface DoctorReport {
  ok: boolean;
  checks: Check[];
}

export interface DoctorOptions {
  url?: string;
  headers: Record<string, string>;
  now: number;
  /** Below this many free bytes under DATA_DIR: a problem (default 1 GiB); below 5×: a warning. */
  minFreeBytes?: number;
}

const GIB = 2 ** 30;
const FX_STALE_DAYS = 2;
const SKEW_WARN_MS = 2_000;
const SKEW_PROBLEM_MS = 30_000;
const LAG_WARN = 10_000;

/** Fixes for /ready's part statuses. */
const READY_FIX: Record<string, string> = {
  'analytics:unavailable': 'The analytics store does not answer: for ClickHouse check CLICKHOUSE_URL and that the server runs (docs/clickhouse.md); for DuckDB read the server log.',
  'analytics:migrations_pending': 'Restart the ingesting process (it migrates at start); in a cluster, the consumer holding the writer lease.',
  'ingest:failing': 'Commits fail: free disk space under DATA_DIR (or the ClickHouse server\'s), then the server recovers by itself within seconds.',
  'ingest:recovering': 'The engine rebuilds its state after a failure: wait; if it lasts, read the server log.',
  'state:unavailable': 'The state store does not answer: check DATABASE_URL and that PostgreSQL runs (or the disk under DATA_DIR/state).',
  'state:starting': 'The state store is opening (a first PGlite start takes seconds): wait and run doctor again.',
};

export async function runDoctor(configOrNull: Config | null, o: DoctorOptions): Promise<DoctorReport> {
  const checks: Check[] = [];
  let config: Config;
  try {
    config = configOrNull ?? loadConfig();
  } catch (err) {
    checks.push({ name: 'configuration', status: 'problem', detail: (err as Error).message, fix: 'Correct the setting named above (environment or CONFIG_FILE); README.md lists every setting.' });
    return { ok: false, checks };
  }
  checks.push(configurationCheck(config));
  checks.push(diskCheck(config.DATA_DIR, o.minFreeBytes ?? GIB));
  if (o.url) checks.push(...await serverChecks(o.url, o.headers, o.now));
  else checks.push(...await storeChecks(config));
  return { ok: checks.every((c) => c.status !== 'problem'), checks };
}

function configurationCheck(c: Config): Check {
  if (!c.JWT_JWKS_URL && !c.JWT_SECRET && !c.DEV_MODE) {
    return { name: 'configuration', status: 'problem', detail: 'no way to verify tokens: JWT_JWKS_URL and JWT_SECRET are both empty', fix: 'Set JWT_JWKS_URL to the identity provider\'s JWKS (production), or JWT_SECRET (32+ characters) for development tokens.' };
  }
  if (!c.DATABASE_URL && c.ROLE !== 'all') {
    return { name: 'configuration', status: 'problem', detail: `ROLE=${c.ROLE} with the embedded state store: replicas cannot share it`, fix: 'Set DATABASE_URL to the PostgreSQL server all replicas share.' };
  }
  return { name: 'configuration', status: 'ok', detail: `settings parse; analytics store ${c.ANALYTICS_STORE}, state store ${c.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, role ${c.ROLE}` };
}

function diskCheck(dataDir: string, minFree: number): Check {
  let dir = resolve(dataDir);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  try {
    const s = statfsSync(dir);
    const free = s.bavail * s.bsize;
    const text = `${(free / GIB).toFixed(1)} GiB free under ${dir}`;
    const fix = 'Free space or grow the volume of DATA_DIR; lower RAW_RETENTION_DAYS / MINUTE_RETENTION_DAYS to keep less (the retention job frees it within RETENTION_INTERVAL_MINUTES).';
    if (free < minFree) return { name: 'disk', status: 'problem', detail: `only ${text}: commits fail when it runs out`, fix };
    if (free < 5 * minFree) return { name: 'disk', status: 'warning', detail: `${text}: running low`, fix };
    return { name: 'disk', status: 'ok', detail: text };
  } catch (err) {
    return { name: 'disk', status: 'problem', detail: `cannot read the free space of ${dir}: ${(err as Error).message}`, fix: 'Check that DATA_DIR is on a mounted, readable volume.' };
  }
}

async function serverChecks(url: string, headers: Record<string, string>, now: number): Promise<Check[]> {
  const checks: Check[] = [];
  let res: Response;
  try {
    res = await fetch(new URL('/ready', url));
  } catch (err) {
    return [{ name: 'server', status: 'problem', detail: `${url} does not answer: ${(err as Error).message}`, fix: 'Start the server (npm start), or check the URL and port.' }];
  }
  const body = await res.json() as { parts?: Record<string, { status: string; detail?: string }> };
  for (const [part, p] of Object.entries(body.parts ?? {})) {
    checks.push(p.status === 'ready'
      ? { name: `ready: ${part}`, status: 'ok', detail: 'ready' }
      : { name: `ready: ${part}`, status: 'problem', detail: `${p.status}${p.detail ? `: ${p.detail}` : ''}`, fix: READY_FIX[`${part}:${p.status}`] ?? 'Read the server log.' });
  }
  const date = Date.parse(res.headers.get('date') ?? '');
  if (Number.isFinite(date)) {
    // The Date header has whole seconds: up to a second of skew is rounding.
    const skew = date - now;
    const detail = `the server's clock is ${Math.abs(skew) < 1000 ? 'within a second of' : `${(Math.abs(skew) / 1000).toFixed(0)} s ${skew > 0 ? 'ahead of' : 'behind'}`} this machine's`;
    const fix = 'Run NTP (chrony, systemd-timesyncd) on both machines: events are refused past MAX_FUTURE_SKEW_SECONDS of the server clock, and buckets follow it.';
    checks.push(Math.abs(skew) > SKEW_PROBLEM_MS ? { name: 'clock', status: 'problem', detail, fix }
      : Math.abs(skew) > SKEW_WARN_MS + 1000 ? { name: 'clock', status: 'warning', detail, fix } : { name: 'clock', status: 'ok', detail });
  }
  checks.push(await lagCheck(url));
  checks.push(await fxCheck(url, headers, now));
  return checks;
}

async function lagCheck(url: string): Promise<Check> {
  const text = await (await fetch(new URL('/metrics', url))).text();
  const lags = [...text.matchAll(/^analytics_kafka_consumer_lag\{([^}]*)\} (\d+(?:\.\d+)?)/gm)].map((m) => ({ labels: m[1], lag: Number(m[2]) }));
  if (!lags.length) return { name: 'kafka lag', status: 'skipped', detail: 'no Kafka partition is consumed by this process' };
  const worst = lags.reduce((a, b) => (b.lag > a.lag ? b : a));
  const detail = `largest lag ${worst.lag} messages (${worst.labels})`;
  return worst.lag > LAG_WARN
    ? { name: 'kafka lag', status: 'warning', detail, fix: 'The consumer falls behind: check its commit times (analytics_batch_commit_seconds) and the store; add consumers up to the partition count (docs/operations.md#reading-the-lag).' }
    : { name: 'kafka lag', status: 'ok', detail };
}

async function fxCheck(url: string, headers: Record<string, string>, now: number): Promise<Check> {
  const res = await fetch(new URL('/api/v1/fx-rates?limit=1', url), { headers });
  if (res.status === 401 || res.status === 403) {
    return { name: 'fx rates', status: 'warning', detail: `cannot read them (${res.status})`, fix: 'Give doctor a token with analytics:ops (--token, or API_TOKEN).' };
  }
  const { rates } = await res.json() as { rates: Array<{ date: string }> };
  return fxFreshness(rates[0]?.date ?? null, now);
}

export function fxFreshness(newest: string | null, now: number): Check {
  const fix = 'Load current rates: npm run cli -- fx load rates.csv (or PUT /api/v1/fx-rates); until then USD amounts of new days use the last rate known.';
  if (newest === null) return { name: 'fx rates', status: 'warning', detail: 'no FX rate loaded: only USD amounts convert', fix };
  const days = Math.floor((now - Date.parse(`${newest}T00:00:00Z`)) / 86_400_000);
  return days > FX_STALE_DAYS
    ? { name: 'fx rates', status: 'warning', detail: `the newest rate is of ${newest}, ${days} days ago`, fix }
    : { name: 'fx rates', status: 'ok', detail: `the newest rate is of ${newest}` };
}

async function storeChecks(c: Config): Promise<Check[]> {
  const checks: Check[] = [];
  let serverRunning = false;
  try {
    if (c.ANALYTICS_STORE === 'duckdb') {
      // Read-only: opening it for writing would migrate it.
      const file = join(c.DATA_DIR, 'analytics.duckdb');
      if (!existsSync(file)) {
        checks.push({ name: 'analytics store', status: 'ok', detail: `not created yet: the server creates ${file} at its first start` });
      } else {
        const facts = await inspectDuckDbFile(file);
        checks.push(facts.schemaVersion < DUCKDB_SCHEMA_VERSION
          ? { name: 'analytics store', status: 'problem', detail: `schema version ${facts.schemaVersion}, this version expects ${DUCKDB_SCHEMA_VERSION}`, fix: READY_FIX['analytics:migrations_pending'] }
          : { name: 'analytics store', status: 'ok', detail: `duckdb, schema version ${facts.schemaVersion}, ${facts.rows.raw_events ?? 0} raw events, last batch ${facts.lastBatchId}` });
        checks.push({ name: 'fx rates', status: 'skipped', detail: 'read from a running server: doctor --url' });
      }
    } else {
      const store = await openAnalyticsStore(c, undefined, { reader: c.ANALYTICS_STORE === 'clickhouse' });
      try {
        const v = await store.schemaVersion();
        checks.push(v.applied < v.expected
          ? { name: 'analytics store', status: 'problem', detail: `schema version ${v.applied}, this version expects ${v.expected}`, fix: READY_FIX['analytics:migrations_pending'] }
          : { name: 'analytics store', status: 'ok', detail: `${c.ANALYTICS_STORE}, schema version ${v.applied}` });
        const [newest] = await store.fxRates({ limit: 1 });
        checks.push(fxFreshness(newest?.date ?? null, Date.now()));
      } finally {
        await store.close();
      }
    }
  } catch (err) {
    const msg = (err as Error).message;
    serverRunning = c.ANALYTICS_STORE === 'duckdb' && /lock/i.test(msg);
    checks.push(serverRunning
      ? { name: 'analytics store', status: 'skipped', detail: `${c.DATA_DIR} is in use by a running server`, fix: `Ask the server instead: doctor --url http://localhost:${c.PORT}` }
      : { name: 'analytics store', status: 'problem', detail: `cannot open it: ${msg}`, fix: c.ANALYTICS_STORE === 'clickhouse' ? READY_FIX['analytics:unavailable'] : 'Check that DATA_DIR exists and is writable by this user.' });
  }
  // PGlite holds one process: while the server runs, its state store is the server's to open.
  if (!serverRunning) checks.push(await stateCheck(c));
  return checks;
}

async function stateCheck(c: Config): Promise<Check> {
  const fix = READY_FIX['state:unavailable'];
  try {
    const version = await stateSchemaVersion({ databaseUrl: c.DATABASE_URL, schema: c.DATABASE_SCHEMA, dataDir: c.DATA_DIR });
    if (version === null) return { name: 'state store', status: 'ok', detail: 'not created yet: the server creates it at its first start' };
    return version < LATEST_STATE_VERSION
      ? { name: 'state store', status: 'problem', detail: `schema version ${version}, this version expects ${LATEST_STATE_VERSION}`, fix: 'Start the server once: it migrates the state store at start.' }
      : { name: 'state store', status: 'ok', detail: `${c.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}, schema version ${version}` };
  } catch (err) {
    return { name: 'state store', status: 'problem', detail: `does not answer: ${(err as Error).message}`, fix };
  }
}

export function formatDoctor(r: DoctorReport): string {
  const mark = { ok: 'ok     ', warning: 'WARNING', problem: 'PROBLEM', skipped: 'skipped' } as const;
  const lines: string[] = [];
  for (const c of r.checks) {
    lines.push(`${mark[c.status]}  ${c.name}: ${c.detail}`);
    if (c.fix && c.status !== 'ok') lines.push(`         fix: ${c.fix}`);
  }
  const problems = r.checks.filter((c) => c.status === 'problem').length;
  const warnings = r.checks.filter((c) => c.status === 'warning').length;
  lines.push(problems ? `doctor: ${problems} problem(s), ${warnings} warning(s)` : `doctor: no problem${warnings ? `, ${warnings} warning(s)` : ''}`);
  return lines.join('\n');
}
