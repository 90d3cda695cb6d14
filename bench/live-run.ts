// Bench child: the live stream under ingest load. bench/live-run.ts [--clients 1000] [--rate 10000]
// [--batch 500] [--duration 30] [--warmup 2] [--client-procs 2] [--record 20] [--scenarios single,replicas]
// [--coalesce-ms 100] (the servers' LIVE_COALESCE_MS; 100 is the default)
//
// Per scenario, the real server(s) start on fresh temp data directories (`replicas`: two, with
// REDIS_URL=redis://127.0.0.1:6379 and a unique REDIS_PREFIX). Client processes
// (bench/live-clients.ts) connect the clients over WebSocket, spread over rooms (10% global,
// 10% regions, 30% countries, 20% cities, 30% merchants with merchant tokens; with replicas,
// alternately on A and B). Then NDJSON batches are POSTed on a fixed schedule to replica A only,
// every event a new payment at "now". Latency of batch i: the first delta a recorded `global`
// client receives whose last_60m.tx_count ≥ the events sent up to batch i, minus the time
// batch i's 2xx arrived (clamped at 0 when the delta came first; counted). Batches of the
// first --warmup seconds are left out of the percentiles. CPU is % of one core over the ingest
// period, from /proc. One JSON line on stdout; progress on stderr. Run by bench/main.ts.

import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ingestLoad, MERCHANTS, roomsFor, type BatchRecord } from './live-load.ts';
import {
  CLK_TCK, histogramSummary, machineBusyTicks, mint, procStatusMB, procTicks, quantile, r1, readMetrics, startBenchServer, type BenchServer,
} from './bench-support.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '1000' }, rate: { type: 'string', default: '10000' }, batch: { type: 'string', default: '500' },
    duration: { type: 'string', default: '30' }, warmup: { type: 'string', default: '2' }, 'client-procs': { type: 'string', default: '2' },
    record: { type: 'string', default: '20' }, scenarios: { type: 'string', default: 'single,replicas' }, 'max-in-flight': { type: 'string', default: '8' },
    'coalesce-ms': { type: 'string', default: '100' },
  },
});
const n = (k: keyof typeof values) => Number(values[k]);
const log = (msg: string) => process.stderr.write(`  live: ${msg}\n`);

interface ClientProc { child: ChildProcess; lines: AsyncIterator<string> }

function spawnClients(): ClientProc {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/live-clients.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}
async function nextMessage(p: ClientProc): Promise<Record<string, unknown>> {
  const r = await p.lines.next();
  if (r.done) throw new Error('a client process ended early');
  return JSON.parse(r.value);
}

/** Per recorded client and measured batch: receipt of the first delta counting the batch − its 2xx. */
function latencies(series: number[], batches: BatchRecord[]) {
  const out: number[] = [];
  let early = 0, missing = 0, k = 0;
  for (const b of batches) {
    while (k < series.length && series[k + 1] < b.n) k += 2;
    if (k >= series.length) { missing++; continue; }
    const ms = series[k] - b.ackAt;
    if (ms < 0) early++;
    out.push(Math.max(0, ms));
  }
  return { out, early, missing };
}
function stats(ms: number[], early: number, missing: number) {
  const s = Float64Array.from(ms).sort();
  return { samples: s.length, p50: r1(quantile(s, 0.5)), p95: r1(quantile(s, 0.95)), p99: r1(quantile(s, 0.99)), max: r1(s[s.length - 1]), deltaBefore2xx: early, missing };
}

async function scenario(name: string, replicas: number) {
  const secret = randomBytes(32).toString('base64url');
  const env: Record<string, string> = { LIVE_COALESCE_MS: values['coalesce-ms']! };
  if (replicas > 1) Object.assign(env, { REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `molam-live-bench-${process.pid}-${randomBytes(4).toString('hex')}` });
  log(`${name}: starting ${replicas} server(s)…`);
  const servers: BenchServer[] = await Promise.all(Array.from({ length: replicas }, (_, i) => startBenchServer('AB'[i], secret, env)));
  const procs = Array.from({ length: n('client-procs') }, spawnClients);
  try {
    const ops = await mint(secret, { roles: ['analytics:ops'] }, 'bench-live-ops');
    const ingestToken = await mint(secret, { roles: ['events:write'] }, 'bench-live-ingest');
    const merchantTokens = new Map<string, string>();
    const rooms = roomsFor(n('clients'));
    const specs: Array<Array<{ url: string; token: string; room: string; record: boolean }>> = procs.map(() => []);
    let recorded = 0;
    for (const [j, room] of rooms.entries()) {
      const merchant = room.startsWith('merchant:') ? room.slice(9) : null;
      if (merchant && !merchantTokens.has(merchant)) merchantTokens.set(merchant, await mint(secret, { roles: ['merchant_admin'], merchant_id: merchant }, `bench-${merchant}`));
      const record = room === 'global' && recorded < n('record');
      if (record) recorded++;
      specs[Math.floor(j / replicas) % procs.length].push({ url: servers[j % replicas].url, token: merchant ? merchantTokens.get(merchant)! : ops, room, record });
    }
    log(`${name}: connecting ${rooms.length} clients (${MERCHANTS.length} merchants, ${procs.length} client processes)…`);
    const t0 = performance.now();
    procs.forEach((p, i) => p.child.stdin!.write(JSON.stringify({ clients: specs[i] }) + '\n'));
    const ready = await Promise.all(procs.map(nextMessage));
    const connected = ready.reduce((s, r) => s + (r.connected as number), 0);
    if (ready.some((r) => (r.failed as number) > 0)) throw new Error(`clients failed to connect: ${JSON.stringify(ready)}`);
    log(`${name}: ${connected} clients subscribed in ${((performance.now() - t0) / 1000).toFixed(1)} s; ingesting ${n('rate')} events/s for ${n('duration')} s into A…`);

    const before = await Promise.all(servers.map((s) => readMetrics(s.url)));
    const peakRss = servers.map(() => 0);
    const sampler = setInterval(() => servers.forEach((s, i) => { peakRss[i] = Math.max(peakRss[i], procStatusMB(s.child.pid!, 'VmRSS')); }), 250);
    const ticks = () => ({ servers: servers.map((s) => procTicks(s.child.pid!)), self: procTicks('self'), procs: procs.map((p) => procTicks(p.child.pid!)), machine: machineBusyTicks(), at: performance.now() });
    procs.forEach((p) => p.child.stdin!.write('start\n'));
    const c0 = ticks();
    const load = await ingestLoad({
      targets: [servers[0].url], token: ingestToken, rate: n('rate'), batch: n('batch'), seconds: n('duration') + n('warmup'),
      maxInFlight: n('max-in-flight'), run: `lb${process.pid}${name}`,
    });
    const c1 = ticks();
    await new Promise((r) => setTimeout(r, 1500)); // the last deltas
    clearInterval(sampler);
    const after = await Promise.all(servers.map((s) => readMetrics(s.url)));
    procs.forEach((p) => p.child.stdin!.write('stop\n'));
    const results = await Promise.all(procs.map(nextMessage));
    if (load.accepted !== load.sent) throw new Error(`${load.sent} events sent, ${load.accepted} accepted`);

    const measured = load.batches.slice(Math.round((n('warmup') * n('rate')) / n('batch')));
    const perUrl = new Map<string, { ms: number[]; early: number; missing: number }>();
    for (const r of results) {
      for (const c of r.recorded as Array<{ url: string; series: number[] }>) {
        const l = latencies(c.series, measured);
        const acc = perUrl.get(c.url) ?? { ms: [], early: 0, missing: 0 };
        acc.ms.push(...l.out); acc.early += l.early; acc.missing += l.missing;
        perUrl.set(c.url, acc);
      }
    }
    const all = [...perUrl.values()];
    const seconds = (c1.at - c0.at) / 1000;
    const pct = (t: number) => r1((t / CLK_TCK / seconds) * 100);
    const byKind: Record<string, { clients: number; deltasPerSecond: number; min: number; max: number }> = {};
    for (const r of results) {
      for (const [k, v] of Object.entries(r.byKind as Record<string, { clients: number; deltas: number; min: number; max: number }>)) {
        const e = (byKind[k] ??= { clients: 0, deltasPerSecond: 0, min: Infinity, max: 0 });
        e.deltasPerSecond += v.deltas / (r.seconds as number);
        e.clients += v.clients;
        e.min = Math.min(e.min, v.min / (r.seconds as number));
        e.max = Math.max(e.max, v.max / (r.seconds as number));
      }
    }
    for (const e of Object.values(byKind)) Object.assign(e, { deltasPerSecond: r1(e.deltasPerSecond / e.clients), min: r1(e.min), max: r1(e.max) });
    const serverTicks = servers.map((_, i) => c1.servers[i] - c0.servers[i]);
    const procTicksSum = procs.reduce((s, _, i) => s + c1.procs[i] - c0.procs[i], 0);
    const out = {
      name, replicas, clients: rooms.length, connected, ingestTo: 'A', recordedGlobalClients: recorded,
      events: load.sent, eventsPerSecond: Math.round(load.sent / load.seconds), batches: load.batches.length, measuredBatches: measured.length,
      maxBehindScheduleMs: load.maxBehindMs, maxInFlight: load.maxInFlight,
      latencyMs: stats(all.flatMap((a) => a.ms), all.reduce((s, a) => s + a.early, 0), all.reduce((s, a) => s + a.missing, 0)),
      latencyMsByReplica: Object.fromEntries(servers.map((s) => {
        const a = perUrl.get(s.url);
        return [s.name, a ? stats(a.ms, a.early, a.missing) : null];
      })),
      deltasPerClientPerSecond: byKind,
      servers: servers.map((s, i) => ({
        name: s.name, cpuPct: pct(serverTicks[i]), peakRssMB: Math.round(peakRss[i]), vmHwmMB: Math.round(procStatusMB(s.child.pid!, 'VmHWM')),
        streaming: histogramSummary(before[i], after[i]),
      })),
      loadgenCpuPct: pct(c1.self - c0.self), clientProcsCpuPct: pct(procTicksSum),
      otherCpuPct: pct(Math.max(0, c1.machine - c0.machine - serverTicks.reduce((a, b) => a + b, 0) - (c1.self - c0.self) - procTicksSum)),
      droppedClients: results.reduce((s, r) => s + (r.clients as number) - (r.connectedAtEnd as number), 0),
      dropReasons: results.map((r) => r.dropReasons), clientEventLoopDelayMs: results.map((r) => r.eventLoopDelayMs),
    };
    log(`${name}: P50/P95/P99 ${out.latencyMs.p50}/${out.latencyMs.p95}/${out.latencyMs.p99} ms over ${out.latencyMs.samples} samples; `
      + `server CPU ${out.servers.map((s) => `${s.name} ${s.cpuPct}%`).join(', ')}; ${out.eventsPerSecond} events/s`);
    return out;
  } finally {
    for (const p of procs) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(servers.map((s) => s.stop()));
  }
}

const scenarios = [];
for (const s of values.scenarios!.split(',')) {
  if (s !== 'single' && s !== 'replicas') throw new Error(`unknown scenario ${s}`);
  scenarios.push(await scenario(s, s === 'single' ? 1 : 2));
}
console.log(JSON.stringify({
  clients: n('clients'), rate: n('rate'), batch: n('batch'), duration: n('duration'), warmup: n('warmup'), clientProcs: n('client-procs'),
  coalesceMs: n('coalesce-ms'), cpuNote: 'CPU is % of one core over the ingest period (2 cores = 200%)', scenarios,
}));
