// The markdown table of the live bench (bench/live-run.ts's JSON), printed by bench/main.ts.

interface Lat { samples: number; p50: number; p95: number; p99: number; max: number; deltaBefore2xx: number; missing: number }
interface Scenario {
  name: string; replicas: number; clients: number; connected: number; events: number; eventsPerSecond: number;
  maxBehindScheduleMs: number; latencyMs: Lat; latencyMsByReplica: Record<string, Lat | null>;
  deltasPerClientPerSecond: Record<string, { deltasPerSecond: number; min: number; max: number }>;
  servers: Array<{ name: string; cpuPct: number; peakRssMB: number; vmHwmMB: number; streaming: { messages: number; meanMs: number; p95Ms: number; droppedSlow: number } }>;
  loadgenCpuPct: number; clientProcsCpuPct: number; otherCpuPct: number; droppedClients: number;
}
interface Live { clients: number; rate: number; batch: number; duration: number; warmup: number; clientProcs: number; coalesceMs: number; scenarios: Scenario[] }

export function printLive(live: Live, f: (n: number, d?: number) => string): void {
  const ss = live.scenarios;
  const each = (cell: (s: Scenario) => string) => ss.map(cell).join(' | ');
  const per = (s: Scenario, cell: (x: Scenario['servers'][number]) => string) => s.servers.map((x) => (s.replicas > 1 ? `${x.name} ${cell(x)}` : cell(x))).join(', ');
  const lat = (l: Lat | null) => (l ? `${f(l.p50)} / **${f(l.p95)}** / ${f(l.p99)}` : '—');
  console.log(`\nLive: ${f(live.clients, 0)} clients, ${f(live.rate, 0)} events/s in batches of ${live.batch} for ${live.duration} s `
    + `(+ ${live.warmup} s warm-up), LIVE_COALESCE_MS=${live.coalesceMs}, ${live.clientProcs} client processes; latencies in ms`);
  console.log(`\n| live | ${each((s) => (s.replicas > 1 ? `${s.replicas} replicas + Redis (ingest into A)` : '1 replica'))} |`);
  console.log(`|---|${ss.map(() => '---').join('|')}|`);
  const row = (label: string, cell: (s: Scenario) => string) => console.log(`| ${label} | ${each(cell)} |`);
  row('clients connected', (s) => `${f(s.connected, 0)} / ${f(s.clients, 0)}`);
  row('events ingested, events/s', (s) => `${f(s.events, 0)}, ${f(s.eventsPerSecond, 0)} (schedule slipped ≤ ${f(s.maxBehindScheduleMs, 0)} ms)`);
  row('ingest 2xx → delta at a global client, P50 / P95 / P99 (target P95 < 200)', (s) => lat(s.latencyMs));
  row('… by the client\'s replica', (s) => (s.replicas > 1 ? Object.entries(s.latencyMsByReplica).map(([k, l]) => `${k}: ${lat(l)}`).join('; ') : '—'));
  row('max; samples; delta before the 2xx; never seen', (s) => `${f(s.latencyMs.max)}; ${f(s.latencyMs.samples, 0)}; ${f(s.latencyMs.deltaBefore2xx, 0)}; ${s.latencyMs.missing}`);
  row('commit → emit (server histogram) mean / ≈P95', (s) => per(s, (x) => `${f(x.streaming.meanMs)} / ${f(x.streaming.p95Ms)}`));
  row('deltas per client per second, by room kind', (s) => Object.entries(s.deltasPerClientPerSecond).map(([k, v]) => `${k} ${f(v.deltasPerSecond)}`).join(', '));
  row('server CPU, % of a core', (s) => per(s, (x) => f(x.cpuPct)));
  row('server RSS peak, MB', (s) => per(s, (x) => f(x.peakRssMB, 0)));
  row('bench CPU: ingest + clients; rest of the machine', (s) => `${f(s.loadgenCpuPct)} + ${f(s.clientProcsCpuPct)}; ${f(s.otherCpuPct)}`);
  row('clients dropped (client side; server dropped_slow)', (s) => `${s.droppedClients}; ${s.servers.reduce((a, x) => a + x.streaming.droppedSlow, 0)}`);
}
