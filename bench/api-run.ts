// Bench child: the HTTP API under load. bench/api-run.ts DATA_DIR [--duration S] [--connections C]
// [--endpoints id,id] [--passes uncached,cached] [--log-level warn]
//
// Starts the real server (src/main.ts) as a child process on DATA_DIR — twice, one run at a time,
// since the server holds the DuckDB lock: first with CACHE_TTL=0 ("uncached": every request
// computes its answer), then with CACHE_TTL=10, the default ("cached"). Rate limiting is off and
// the log level is warn (request logs are at info). Each endpoint gets one warm-up request, then
// autocannon runs for --duration seconds: uncached with 1 connection and with C, cached with C.
// Latencies are every response's time as autocannon measured it (P50/P95 computed here), rps
// is responses ÷ run time; any non-2xx answer or connection error fails the bench. Server CPU
// (all its threads) and RSS come from /proc/<pid>; "other" CPU is what the rest of the machine
// used meanwhile (other people's processes on a shared machine). Query ranges are fixed relative
// to the data's as_of (GET /health), inside the minute/hour rollup retention windows.
// One JSON line on stdout; progress on stderr. Run by bench/main.ts.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { SignJWT } from 'jose';
import { CLK_TCK, freePort, waitForHealth, machineBusyTicks, procStatusMB, procTicks, quantile } from './bench-support.ts';

// autocannon ships no type declarations; the part used here, typed.
interface CannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
}
interface CannonInstance {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): this;
}
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: CannonResult) => void) => CannonInstance;
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    duration: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    endpoints: { type: 'string', default: '' },
    passes: { type: 'string', default: 'uncached,cached' },
    'log-level': { type: 'string', default: 'warn' },
  },
});
const dataDir = positionals[0];
if (!dataDir) throw new Error('usage: bench/api-run.ts DATA_DIR [--duration S] [--connections C]');
const duration = Number(values.duration);
const connections = Number(values.connections);
const onlyEndpoints = values.endpoints ? new Set(values.endpoints.split(',')) : null;
const passes = values.passes!.split(',');
const secret = randomBytes(32).toString('base64url'); // 43 characters

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const log = (msg: string) => process.stderr.write(`  api: ${msg}\n`);
const r1 = (n: number) => Math.round(n * 10) / 10;

// ---------------------------------------------------------------------------------------------
// The server child.

interface Server { url: string; child: ChildProcess; startSeconds: number; stop(): Promise<void> }


let running: ChildProcess | null = null;
process.on('exit', () => { if (running && running.exitCode === null) running.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM'] as const) process.on(sig, () => process.exit(130));

async function startServer(cacheTtl: number): Promise<Server> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: secret, JWT_JWKS_URL: '',
      JWT_ISSUER: '', JWT_AUDIENCE: '', RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: values['log-level'],
      RAW_RETENTION_DAYS: '400', CACHE_TTL: String(cacheTtl), DEV_MODE: 'false', DEMO: 'false', CONFIG_FILE: '',
      FX_FILE: process.env.FX_FILE ?? 'reference/fx-rates.sample.csv',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running = child;
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitForHealth(child, url, t0, 300_000, () => `server on ${dataDir} (is another process using it?):\n${output}`);
  const startSeconds = (performance.now() - t0) / 1000;
  return {
    url, child, startSeconds,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
      const code = await exited;
      clearTimeout(timer);
      running = null;
      if (code !== 0) throw new Error(`server exited with ${code} on SIGTERM:\n${output}`);
    },
  };
}

// ---------------------------------------------------------------------------------------------
// /proc readings: a process's CPU ticks (all threads), RSS, and the machine's busy ticks.


// ---------------------------------------------------------------------------------------------
// One measured run.

interface Run {
  connections: number; requests: number; rps: number;
  p50: number; p95: number; p99: number; max: number;
  /** % of one core, over the run: the server (all threads), the load generator, everything else. */
  serverCpuPct: number; loadgenCpuPct: number; otherCpuPct: number;
  serverRssMB: number;
}


async function measure(server: Server, url: string, headers: Record<string, string>, conns: number): Promise<Run> {
  const pid = server.child.pid!;
  const latencies: number[] = [];
  const s0 = procTicks(pid), l0 = procTicks('self'), m0 = machineBusyTicks(), t0 = performance.now();
  const result = await new Promise<CannonResult>((resolve, reject) => {
    const inst = autocannon({ url, connections: conns, duration, pipelining: 1, headers }, (err, res) => (err ? reject(err) : resolve(res)));
    inst.on('response', (_client, _status, _bytes, ms) => { latencies.push(ms); });
  });
  const wall = (performance.now() - t0) / 1000;
  const s = procTicks(pid) - s0, l = procTicks('self') - l0, m = machineBusyTicks() - m0;
  if (result.non2xx || result.errors || result.timeouts) {
    throw new Error(`${url} (c=${conns}): ${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts; `
      + `status codes ${JSON.stringify(result.statusCodeStats)}`);
  }
  if (latencies.length === 0) throw new Error(`${url} (c=${conns}): no response completed in ${duration} s`);
  const sorted = Float64Array.from(latencies).sort();
  const pct = (ticks: number) => r1((ticks / CLK_TCK / wall) * 100);
  return {
    connections: conns, requests: sorted.length, rps: Math.round(sorted.length / result.duration),
    p50: r1(quantile(sorted, 0.5)), p95: r1(quantile(sorted, 0.95)), p99: r1(quantile(sorted, 0.99)), max: r1(sorted[sorted.length - 1]),
    serverCpuPct: pct(s), loadgenCpuPct: pct(l), otherCpuPct: pct(Math.max(0, m - s - l)),
    serverRssMB: Math.round(procStatusMB(pid, 'VmRSS')),
  };
}

/** One request; fails loudly on anything but 200. Returns the time and body size. */
async function once(url: string, headers: Record<string, string>): Promise<{ ms: number; bytes: number; body: string }> {
  const t = performance.now();
  const res = await fetch(url, { headers });
  const body = await res.text();
  const ms = performance.now() - t;
  if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${body.slice(0, 500)}`);
  return { ms, bytes: Buffer.byteLength(body), body };
}

// ---------------------------------------------------------------------------------------------
// Tokens and endpoints.

async function mint(claims: Record<string, unknown>, sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub)
    .setIssuedAt(now).setExpirationTime(now + 6 * 3600).sign(new TextEncoder().encode(secret));
}

interface Endpoint { id: string; name: string; path: string; token: 'ops' | 'merchant' | 'none' }

function endpoints(asOf: number): Endpoint[] {
  const iso = (ms: number) => new Date(ms).toISOString();
  const to = Math.ceil((asOf + 1) / MINUTE) * MINUTE; // the minute after the last event
  const toHour = Math.ceil((asOf + 1) / HOUR) * HOUR;
  const toDay = Math.ceil((asOf + 1) / DAY) * DAY;
  const range = (days: number, end = to) => `from=${iso(end - days * DAY)}&to=${iso(end)}`;
  const list: Endpoint[] = [
    { id: 'summary', name: 'summary, 30 d', path: `/api/analytics/summary?${range(30)}`, token: 'ops' },
    { id: 'kpis', name: 'kpis, 30 d', path: `/api/analytics/kpis?${range(30)}`, token: 'ops' },
    { id: 'series-hour', name: 'timeseries hourly, 7 d', path: `/api/analytics/timeseries?granularity=hour&${range(7, toHour)}`, token: 'ops' },
    { id: 'series-day', name: 'timeseries daily, 365 d', path: `/api/analytics/timeseries?granularity=day&${range(365, toDay)}`, token: 'ops' },
    { id: 'top-merchants', name: 'top merchants, 30 d', path: `/api/analytics/top/merchants?${range(30)}`, token: 'ops' },
    { id: 'top-countries', name: 'top countries, 30 d', path: `/api/analytics/top/countries?${range(30)}`, token: 'ops' },
    { id: 'breakdown', name: 'breakdown country in ECOWAS, 30 d', path: `/api/analytics/breakdown?dimension=country&region=ECOWAS&${range(30)}`, token: 'ops' },
    { id: 'overview', name: 'overview, 30 d', path: `/api/analytics/overview?${range(30)}`, token: 'ops' },
    { id: 'live', name: 'live (last 60 min)', path: '/api/analytics/live', token: 'ops' },
    { id: 'dashboard', name: 'dashboard metrics (24 h, 7 d, 30 d)', path: '/api/v1/dashboard/metrics', token: 'ops' },
    { id: 'metrics', name: 'metrics by country, 30 d', path: `/api/v1/metrics?dimensions=country&${range(30)}`, token: 'ops' },
    { id: 'events', name: 'raw events, 100 newest of 24 h', path: `/api/v1/events?limit=100&${range(1)}`, token: 'ops' },
    { id: 'events-stats', name: 'raw event stats, 7 d', path: `/api/v1/events/stats?${range(7)}`, token: 'ops' },
    { id: 'summary-merchant', name: 'summary, 30 d, merchant token', path: `/api/analytics/summary?${range(30)}`, token: 'merchant' },
    // The floor of the HTTP stack on this machine: a public route, no token, no query.
    { id: 'health', name: 'baseline: GET /health (public)', path: '/health', token: 'none' },
  ];
  return list.filter((e) => !onlyEndpoints || onlyEndpoints.has(e.id));
}

// ---------------------------------------------------------------------------------------------

interface EndpointResult {
  path: string; token: Endpoint['token']; bytes: number;
  uncached?: { firstMs: number; c1: Run; cN: Run };
  cached?: { cN: Run };
}

const codeAtStart = codeVersion();
const results: Record<string, EndpointResult> = {};
const skipped: string[] = [];
const servers: Record<string, { cacheTtl: number; startSeconds: number; peakRssMB: number }> = {};
let asOf = 0;
let largestMerchant = '';
let opsToken = '';
let merchantToken = '';

for (const pass of passes) {
  if (pass !== 'uncached' && pass !== 'cached') throw new Error(`unknown pass ${pass}`);
  const cacheTtl = pass === 'uncached' ? 0 : 10;
  log(`starting the server on ${dataDir} (CACHE_TTL=${cacheTtl})…`);
  const server = await startServer(cacheTtl);
  try {
    log(`ready in ${server.startSeconds.toFixed(1)} s, pid ${server.child.pid}`);
    const health = JSON.parse((await once(`${server.url}/health`, {})).body) as { as_of: string | null };
    if (!health.as_of) throw new Error(`${dataDir} holds no events (as_of is null)`);
    asOf = Date.parse(health.as_of);
    if (!opsToken) {
      opsToken = await mint({ roles: ['analytics:ops'] }, 'bench-ops');
      // Over the data's year, in whole UTC days (day rollups: no retention edge to cross).
      const end = Math.ceil((asOf + 1) / DAY) * DAY;
      const q = `from=${new Date(end - 365 * DAY).toISOString()}&to=${new Date(end).toISOString()}&limit=1`;
      const top = JSON.parse((await once(`${server.url}/api/analytics/top/merchants?${q}`, { authorization: `Bearer ${opsToken}` })).body);
      largestMerchant = top.items[0].merchant_id;
      merchantToken = await mint({ roles: ['merchant_admin'], merchant_id: largestMerchant }, 'bench-merchant');
      log(`data as of ${health.as_of}; largest merchant ${largestMerchant}`);
    }
    for (const e of endpoints(asOf)) {
      if (skipped.includes(e.name)) continue;
      const url = server.url + e.path;
      const headers: Record<string, string> = e.token === 'none' ? {}
        : { authorization: `Bearer ${e.token === 'ops' ? opsToken : merchantToken}` };
      // Warm-up (and, in the uncached pass, the first request this server answers for it).
      const t = performance.now();
      const res = await fetch(url, { headers });
      const body = await res.text();
      const firstMs = performance.now() - t;
      if (res.status === 404 && body.includes('no route')) {
        log(`${e.name}: no such route on this server, skipped`);
        skipped.push(e.name);
        continue;
      }
      if (res.status !== 200) throw new Error(`GET ${url} → ${res.status}: ${body.slice(0, 500)}`);
      const r = (results[e.name] ??= { path: e.path, token: e.token, bytes: Buffer.byteLength(body) });
      const show = (label: string, run: Run) => log(`${pass} ${label} ${e.name}: P50 ${run.p50} ms, P95 ${run.p95} ms, `
        + `${run.rps.toLocaleString('en-US')} req/s, server CPU ${run.serverCpuPct}%, load generator ${run.loadgenCpuPct}%, other ${run.otherCpuPct}%`);
      if (pass === 'uncached') {
        const c1 = await measure(server, url, headers, 1);
        show('c=1', c1);
        const cN = await measure(server, url, headers, connections);
        show(`c=${connections}`, cN);
        r.uncached = { firstMs: r1(firstMs), c1, cN };
      } else {
        const cN = await measure(server, url, headers, connections);
        show(`c=${connections}`, cN);
        r.cached = { cN };
      }
    }
    servers[pass] = { cacheTtl, startSeconds: r1(server.startSeconds), peakRssMB: Math.round(procStatusMB(server.child.pid!, 'VmHWM')) };
  } finally {
    await server.stop();
  }
}

/** The code measured: the commit, and whether the working tree differed from it. */
function codeVersion(): string {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--', 'src'], { encoding: 'utf8' }).trim() !== '';
    return dirty ? `${head} + uncommitted changes under src/` : head;
  } catch { return 'unknown'; }
}

console.log(JSON.stringify({
  code: codeAtStart, dataDir, asOf: new Date(asOf).toISOString(), largestMerchant, duration, connections, logLevel: values['log-level'],
  cpuNote: 'serverCpuPct/loadgenCpuPct/otherCpuPct are % of one core (2 cores = 200%)',
  servers, skipped, endpoints: results,
}));
