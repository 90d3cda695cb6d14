// Bench child: routing decisions (docs/mesh.md#the-decision-api). bench/mesh-run.ts [--duration S]
// [--connections C]
//
// Two measurements over the same synthetic mesh — 6 regions × 4 currencies, each table with 7
// routes (3 methods and '*', amount bands), 3 providers a route, signed predictions eliminating
// some providers, a 10 % canary on one table:
//   - in process: decideRoute over the in-memory snapshot, one decision at a time, each timed
//     (P50/P95/P99), then 1,000,000 back to back (decisions/s on one core);
//   - over HTTP: the real app (routes, token check, schema validation, serialisation, the
//     snapshot part) in a server child process (this file with `serve`), on PGlite, driven by
//     autocannon from this process with C keep-alive connections for S seconds, every request a
//     new payment id; latency is each response's as autocannon measured it; the server's CPU
//     time gives decisions per server CPU-second, and the machine's other load is reported (it is
//     shared: other processes' CPU is 'other').
// One JSON line on stdout; progress on stderr. Run by bench/main.ts (`--only mesh`).

import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openPlatform } from '../src/platform.ts';
import { startParts } from '../src/start-parts.ts';
import { decideRoute, scoreKey, tableKey, type RoutingSnapshotData, type TableState } from '../src/mesh/decide-route.ts';
import { withProposal } from '../src/mesh/routing-snapshot.ts';
import type { MeshRegion, Route } from '../src/mesh/model.ts';
import { createKeyRing } from '../src/mesh/signing-keys.ts';
import { savePrediction } from '../src/mesh/predictions-store.ts';
import { loadRegions } from '../src/reference/regions.ts';
import { readFileSync } from 'node:fs';
import { benchLogger, CLK_TCK, machineBusyTicks, mint, procTicks, quantile, r1 } from './bench-support.ts';

const REGIONS: MeshRegion[] = ['ECOWAS', 'CEMAC', 'EAC', 'EU', 'US', 'GLOBAL'];
const CURRENCIES = ['XOF', 'XAF', 'KES', 'EUR'];
const METHODS = ['card', 'mobile_money', 'bank_transfer'];
const COUNTRIES = ['SN', 'CI', 'CM', 'KE', 'FR', 'US', 'JP'];
const log = (msg: string) => process.stderr.write(`  mesh: ${msg}\n`);

/** The synthetic tables: every (region, currency), 7 routes of 3 providers. */
function tables(): Array<{ region: MeshRegion; currency: string; routes: Route[] }> {
  const out = [];
  for (const [ri, region] of REGIONS.entries()) {
    for (const [ci, currency] of CURRENCIES.entries()) {
      const p = (k: number) => `psp_${(ri * 7 + ci * 3 + k) % 12}`;
      const routes: Route[] = [
        ...METHODS.map((method, mi) => ({ method, minAmount: 0, maxAmount: 1_000_000, providers: [p(mi), p(mi + 1), p(mi + 2)] })),
        ...METHODS.map((method, mi) => ({ method, minAmount: 1_000_000, maxAmount: null, providers: [p(mi + 3), p(mi)] })),
        { method: '*', minAmount: 0, maxAmount: null, providers: [p(5), p(6), p(7)] },
      ];
      out.push({ region, currency, routes });
    }
  }
  return out;
}

/** Every third provider is unhealthy in every segment (scored 20 < 40). */
const scoreOf = (provider: string) => (Number(provider.slice(4)) % 3 === 0 ? 20 : 85);

function payments(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    currency: CURRENCIES[i % CURRENCIES.length], amount: (i * 7919) % 2_000_000, country: COUNTRIES[i % COUNTRIES.length],
    method: METHODS[i % 4] ?? 'wallet', paymentId: `pay_${i}`,
  }));
}

function inProcess() {
  const regions = loadRegions(readFileSync('reference/regions.csv', 'utf8'));
  const map = new Map<string, TableState>();
  const scores = new Map<string, number>();
  for (const t of tables()) {
    const canary = t.region === 'ECOWAS' && t.currency === 'XOF'
      ? { proposalId: 'mp_bench', percent: 10, routes: withProposal(t.routes, [{ ...t.routes[0], providers: [...t.routes[0].providers].reverse() }]) } : null;
    map.set(tableKey(t.region, t.currency), { version: 3, routes: t.routes, staticVersion: { version: 1, routes: t.routes }, killSwitch: null, canary });
    for (const r of t.routes) for (const p of r.providers) for (const m of [...METHODS, '*']) scores.set(scoreKey(p, t.region, t.currency, m), scoreOf(p));
  }
  const snap: RoutingSnapshotData = { tables: map, scores, loadedAt: Date.now() };
  const settings = { eliminationScore: 40, explorationRate: 0.05 };
  const list = payments(200_000);
  for (const p of list) decideRoute(snap, settings, regions, p); // warm-up
  const times = new Float64Array(list.length);
  for (let i = 0; i < list.length; i++) {
    const t0 = process.hrtime.bigint();
    decideRoute(snap, settings, regions, list[i]);
    times[i] = Number(process.hrtime.bigint() - t0) / 1000; // µs
  }
  times.sort();
  const N = 1_000_000;
  const t0 = performance.now();
  for (let i = 0; i < N; i++) decideRoute(snap, settings, regions, list[i % list.length]);
  const s = (performance.now() - t0) / 1000;
  return {
    decisions: list.length, p50Us: r1(quantile(times, 0.5)), p95Us: r1(quantile(times, 0.95)), p99Us: r1(quantile(times, 0.99)),
    perSecond: Math.round(N / s),
  };
}

// ---------------------------------------------------------------------------------------------
// The server child: the real app on PGlite with the synthetic tables and signed predictions.

async function serve(secret: string) {
  const dir = mkdtempSync(join(tmpdir(), 'bench-mesh-'));
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', JWT_SECRET: secret, RATE_LIMIT_PER_MINUTE: '0', PORT: '0' });
  const platform = await openPlatform(config, benchLogger());
  const now = Date.now();
  const ring = createKeyRing();
  for (const t of tables()) {
    for (const [version, kind] of [[1, 'static'], [3, 'proposal']] as const) {
      await platform.state.query(
        `INSERT INTO mesh_routing_versions (region, currency, version, kind, routes, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'bench')`,
        [t.region, t.currency, version, kind, JSON.stringify(t.routes), new Date(now)]);
    }
    const providers = new Set(t.routes.flatMap((r) => r.providers));
    for (const provider of providers) {
      await savePrediction(platform.state, ring, {
        provider, region: t.region, currency: t.currency, method: '*', score: scoreOf(provider), confidence: 0.9, features: {}, windowFrom: now - 3_600_000, windowTo: now,
      }, now, 6 * 3_600_000);
    }
  }
  const app = await buildApp({ config, engine: platform.engine, store: platform.store, state: platform.state, regions: platform.regions, log: benchLogger() });
  await startParts(app, ['mesh-routing']);
  const address = await app.listen({ port: 0, host: '127.0.0.1' });
  process.stdout.write(`${address}\n`);
  process.on('SIGTERM', () => {
    void app.close().then(() => platform.close()).then(() => { rmSync(dir, { recursive: true, force: true }); process.exit(0); });
  });
}

// autocannon ships no type declarations; the part used here, typed.
interface CannonResult { duration: number; errors: number; timeouts: number; non2xx: number; statusCodeStats: Record<string, { count: number }> }
interface CannonInstance { on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): this }
type Autocannon = (opts: Record<string, unknown>, cb: (err: Error | null, result: CannonResult) => void) => CannonInstance;

async function overHttp(duration: number, connections: number) {
  const secret = randomBytes(32).toString('base64url');
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/mesh-run.ts', 'serve', secret], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('http://'));
        if (line) resolve(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`the server child exited with ${code}`)));
    });
    const authorization = `Bearer ${await mint(secret, { roles: ['mesh:route'] }, 'bench-payments')}`;
    const list = payments(100_000);
    let n = 0;
    const body = () => {
      const p = list[n++ % list.length];
      return JSON.stringify({ currency: p.currency, amount: p.amount, country: p.country, method: p.method, payment_id: `${p.paymentId}_${n}` });
    };
    const warm = await fetch(`${url}/api/mesh/route`, { method: 'POST', headers: { authorization, 'content-type': 'application/json' }, body: body() });
    if (warm.status !== 200) throw new Error(`warm-up: ${warm.status} ${await warm.text()}`);
    const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;
    const run = async (conns: number) => {
      const latencies: number[] = [];
      const s0 = procTicks(child.pid!), l0 = procTicks('self'), m0 = machineBusyTicks(), t0 = performance.now();
      const result = await new Promise<CannonResult>((resolve, reject) => {
        const inst = autocannon({
          url, connections: conns, duration, pipelining: 1,
          requests: [{ method: 'POST', path: '/api/mesh/route', headers: { authorization, 'content-type': 'application/json' }, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: body() }) }],
        }, (err, res) => (err ? reject(err) : resolve(res)));
        inst.on('response', (_c, _s, _b, ms) => { latencies.push(ms); });
      });
      if (result.non2xx || result.errors || result.timeouts) throw new Error(`${result.non2xx} non-2xx, ${result.errors} errors, ${result.timeouts} timeouts: ${JSON.stringify(result.statusCodeStats)}`);
      const wall = (performance.now() - t0) / 1000;
      const serverCpuS = (procTicks(child.pid!) - s0) / CLK_TCK, loadgenCpuS = (procTicks('self') - l0) / CLK_TCK;
      const otherCpuS = Math.max(0, (machineBusyTicks() - m0) / CLK_TCK - serverCpuS - loadgenCpuS);
      const sorted = Float64Array.from(latencies).sort();
      const ms2 = (p: number) => Math.round(quantile(sorted, p) * 100) / 100;
      return {
        connections: conns, requests: sorted.length, perSecond: Math.round(sorted.length / result.duration),
        // What a decision costs the server, whatever else the machine does: requests per CPU-second of the server.
        perServerCpuSecond: Math.round(sorted.length / serverCpuS),
        cpuPct: { server: r1((serverCpuS / wall) * 100), loadgen: r1((loadgenCpuS / wall) * 100), other: r1((otherCpuS / wall) * 100) },
        p50Ms: ms2(0.5), p95Ms: ms2(0.95), p99Ms: ms2(0.99),
      };
    };
    const runs = [];
    for (const c of [...new Set([1, connections])]) {
      log(`HTTP, ${c} connection(s)…`);
      runs.push(await run(c));
    }
    return runs;
  } finally {
    child.kill('SIGTERM');
  }
}

const { values, positionals } = parseArgs({
  allowPositionals: true, options: { duration: { type: 'string', default: '8' }, connections: { type: 'string', default: '10' } },
});
if (positionals[0] === 'serve') {
  await serve(positionals[1]);
} else {
  log('in process…');
  const engine = inProcess();
  log(`in process: P95 ${engine.p95Us} µs, ${engine.perSecond.toLocaleString('en-US')} decisions/s; over HTTP…`);
  const http = await overHttp(Number(values.duration), Number(values.connections));
  process.stdout.write(`${JSON.stringify({ engine, http })}\n`);
}
