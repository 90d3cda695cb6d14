// Helpers the benchmarks share (bench/live-run.ts, bench/api-run.ts, the ingest and query
// children): their logger, the real server as a child process on a fresh temp data directory,
// /proc readings, the server's /metrics histogram, percentiles, tokens.

import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import pino from 'pino';
import { createLogger } from '../src/log.ts';

/**
 * The logger of a bench child: warnings and errors on stderr, which the bench passes through,
 * since a child's stdout is read for its one JSON line only (an engine's log of a failed commit
 * would be lost there).
 */
export function benchLogger() {
  return createLogger('warn', pino.destination(2));
}

export const CLK_TCK = (() => {
  try { return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100; } catch { return 100; }
})();

export interface BenchServer { name: string; url: string; child: ChildProcess; stop(): Promise<void> }

const running = new Set<ChildProcess>();
process.on('exit', () => { for (const c of running) if (c.exitCode === null) c.kill('SIGKILL'); });

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** src/main.ts on a fresh temp DATA_DIR (removed on stop), rate limit off, log level warn. */
export async function startBenchServer(name: string, secret: string, env: Record<string, string>): Promise<BenchServer> {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), `molam-live-bench-${name}-`));
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: {
      ...process.env,
      DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1', JWT_SECRET: secret, JWT_JWKS_URL: '', JWT_ISSUER: '', JWT_AUDIENCE: '',
      RATE_LIMIT_PER_MINUTE: '0', LOG_LEVEL: 'warn', DEV_MODE: 'false', DEMO: 'false', CONFIG_FILE: '', REDIS_URL: '',
      FX_FILE: process.env.FX_FILE ?? 'reference/fx-rates.sample.csv', ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const keep = (d: Buffer) => { output = (output + d.toString()).slice(-8000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const t0 = performance.now();
  await waitForHealth(child, url, t0, 120_000, () => `server ${name}: ${output}`);
  return {
    name, url, child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
      const code = await exited;
      clearTimeout(timer);
      running.delete(child);
      rmSync(dataDir, { recursive: true, force: true });
      if (code !== 0) throw new Error(`server ${name} exited with ${code} on SIGTERM:\n${output}`);
    },
  };
}

/** Waits until GET /health answers; throws (with `context()`) if the child exits or time runs out. */
export async function waitForHealth(child: ChildProcess, url: string, t0: number, timeoutMs: number, context: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode}: ${context()}`);
    if (performance.now() - t0 > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`did not start: ${context()}`);
    }
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * CPU seconds of the ClickHouse server a bench child writes to, whose pid the parent passes in
 * CLICKHOUSE_SERVER_PID (bench/clickhouse-run.ts); NaN without one.
 */
export function serverCpuSeconds(): number {
  const pid = Number(process.env.CLICKHOUSE_SERVER_PID);
  return Number.isSafeInteger(pid) && pid > 0 ? procTicks(pid) / CLK_TCK : NaN;
}

/** utime + stime of a process (all threads), in ticks. */
export function procTicks(pid: number | 'self'): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}
export function procStatusMB(pid: number | 'self', key: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}
/** The whole machine's busy ticks (everything but idle and iowait). */
export function machineBusyTicks(): number {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, , , irq, softirq, steal] = f;
  return user + nice + system + irq + softirq + steal;
}

/** The server's streaming-latency histogram and live connection counters, from GET /metrics. */
export interface ServerMetrics { buckets: Array<[number, number]>; sum: number; count: number; dropped: number; messages: number }

export async function readMetrics(url: string): Promise<ServerMetrics> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const buckets: Array<[number, number]> = [];
  let sum = 0, count = 0, dropped = 0, messages = 0;
  for (const line of text.split('\n')) {
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    let m: RegExpExecArray | null;
    if ((m = /^analytics_streaming_latency_seconds_bucket\{le="([^"]+)"\}/.exec(line))) buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), v]);
    else if (line.startsWith('analytics_streaming_latency_seconds_sum')) sum = v;
    else if (line.startsWith('analytics_streaming_latency_seconds_count')) count = v;
    else if (line.startsWith('analytics_ws_connections_total{status="dropped_slow"}')) dropped = v;
    else if (line.startsWith('analytics_ws_messages_total{')) messages += v;
  }
  return { buckets, sum, count, dropped, messages };
}

/** after − before, then mean and an approximate P95 (linear within the bucket) in ms. */
export function histogramSummary(before: ServerMetrics, after: ServerMetrics) {
  const count = after.count - before.count;
  const buckets = after.buckets.map(([le, c], i) => [le, c - (before.buckets[i]?.[1] ?? 0)] as [number, number]);
  const quantileMs = (q: number) => {
    const target = q * count;
    let lo = 0, below = 0;
    for (const [le, c] of buckets) {
      if (c >= target) return le === Infinity ? Infinity : r1(1000 * (lo + ((le - lo) * (target - below)) / Math.max(1, c - below)));
      lo = le; below = c;
    }
    return NaN;
  };
  return {
    messages: after.messages - before.messages, count,
    meanMs: count ? r1((1000 * (after.sum - before.sum)) / count) : NaN,
    p50Ms: quantileMs(0.5), p95Ms: quantileMs(0.95),
    droppedSlow: after.dropped - before.dropped,
  };
}

export function quantile(sorted: ArrayLike<number>, p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))];
}

export const r1 = (n: number) => Math.round(n * 10) / 10;

export async function mint(secret: string, claims: Record<string, unknown>, sub: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setSubject(sub)
    .setIssuedAt(now).setExpirationTime(now + 6 * 3600).sign(new TextEncoder().encode(secret));
}
