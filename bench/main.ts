// npm run bench [-- --events N] [--runs R] [--batch B] [--only ingest|query|api|live|web|memory|startup|framing|clickhouse|merchant|kafka|refunds|exports|mesh|custom-events]
//   [--duration S] [--connections C] [--live-duration S] [--live-scenarios single,replicas] [--web-runs R] [--memory-clients C]
//   [--memory-env K=V,K=V] [--startup-runs R] [--kafka-events N] [--kafka-partitions 1,6] [--kafka-latency-seconds S] [--refunds-database URL]
//   [--custom-events N]
// Generates N synthetic events (a year of event time; cached under .bench/), ingests them end
// to end in a child process, times the reference queries in another, then loads the HTTP API of
// the real server with autocannon (bench/api-run.ts), and last measures the live stream under
// ingest load on fresh empty servers, one and two replicas (bench/live-run.ts; `--only live`
// needs no data set and Redis at 127.0.0.1:6379 for the replicas), and the dashboard's overview in
// Chromium over the data set (bench/web-run.ts), the server's memory under 20 concurrent
// clients asking for the largest answers (bench/query-memory-run.ts; its own small data set, so
// `--only memory` needs nothing else), and start-up on an empty data directory
// (bench/startup-run.ts; `--only startup` needs no data set), and the CPU cost of framing and
// parsing ingest bodies (bench/framing-run.ts; `--only framing`), and the ClickHouse backend
// against ClickHouse's own insert of the same events, then its queries (bench/clickhouse-run.ts;
// `--only clickhouse` starts its own private clickhouse-server), and the merchant portal's reads
// for the largest merchant (bench/merchant-run.ts; `--only merchant` reuses the data directory), and
// Kafka: the real server consuming a pre-produced topic into DuckDB and into ClickHouse, and
// produce → WebSocket delta, alone and as a cluster (bench/kafka-run.ts; `--only kafka` starts its
// own broker and clickhouse-server, generates its own data set of --kafka-events, 1M by default,
// and needs Redis at 127.0.0.1:6379), and merchant refunds one at a time and 1,000 at once on one
// transaction (bench/refunds-run.ts; `--only refunds` needs no data set; PostgreSQL too with
// --refunds-database), and merchant exports of 1M rows in the background, CSV, XLSX and PDF, with
// the server's peak RSS (bench/exports-run.ts; `--only exports` needs no data set; sizes with
// --export-rows and --export-transactions; the state store on PostgreSQL with --export-database URL),
// and routing decisions of the mesh, in process and over HTTP (bench/mesh-run.ts; `--only mesh`
// needs no data set; --duration and --connections for its HTTP part), and custom events: N tracked
// trading events (--custom-events, 10M by default) into DuckDB and then into a private
// clickhouse-server, the dashboard's statistics, the peak RSS and the reopen time
// (bench/custom-events-run.ts; `--only custom-events` needs no data set). Raw retention is set to 400 days for the
// run so that a whole year of generated events is kept and queryable. `--only query|api` reuses
// the data directory of an earlier run; `--only ingest` stops after ingesting.
// Results go to stdout and .bench/results-N.json (sections not run this time are kept from the
// previous file); docs/benchmarks.md records them.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { printKafka } from './kafka-table.ts';
import { printLive } from './live-table.ts';

const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '10000000' }, runs: { type: 'string', default: '50' }, 'web-runs': { type: 'string', default: '5' }, batch: { type: 'string', default: '50000' },
    only: { type: 'string', default: 'all' }, duration: { type: 'string', default: '8' }, connections: { type: 'string', default: '10' },
    'live-duration': { type: 'string', default: '30' }, 'live-scenarios': { type: 'string', default: 'single,replicas' },
    'memory-clients': { type: 'string', default: '20' }, 'memory-env': { type: 'string', default: '' },
    'startup-runs': { type: 'string', default: '5' },
    'kafka-events': { type: 'string', default: '1000000' }, 'kafka-partitions': { type: 'string', default: '1,6' },
    'kafka-latency-seconds': { type: 'string', default: '60' }, 'refunds-database': { type: 'string', default: '' },
    'export-rows': { type: 'string', default: '1000000' }, 'export-transactions': { type: 'string', default: '20000' },
    'export-database': { type: 'string', default: '' }, 'custom-events': { type: 'string', default: '10000000' },
  },
});
const only = values.only!;
const SECTIONS = ['ingest', 'query', 'api', 'live', 'web', 'memory', 'startup', 'framing', 'clickhouse', 'merchant', 'kafka', 'refunds', 'exports', 'mesh', 'custom-events'] as const;
if (!(SECTIONS as readonly string[]).includes(only) && only !== 'all') throw new Error(`--only must be one of ${SECTIONS.join(', ')} (got ${only})`);
const runs = (step: (typeof SECTIONS)[number]) => only === 'all' || only === step;
const events = Number(values.events);
const dir = '.bench';
mkdirSync(dir, { recursive: true });
const file = join(dir, `events-${events}.ndjson`);
const dataDir = join(dir, `data-${events}`);
const env = {
  ...process.env, RAW_RETENTION_DAYS: '400', FX_FILE: 'reference/fx-rates.sample.csv',
  DUCKDB_MEMORY_LIMIT: process.env.DUCKDB_MEMORY_LIMIT ?? '512MB',
};

function child(args: string[]): string {
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], { env, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return r.stdout.trim().split('\n').pop()!;
}

const resultsFile = join(dir, `results-${events}.json`);
const previous = existsSync(resultsFile) ? JSON.parse(readFileSync(resultsFile, 'utf8')) : {};
// When each section was measured (a file written before this field existed: its date).
const measured: Record<string, string> = {
  ...Object.fromEntries([...SECTIONS].filter((k) => previous[k]).map((k) => [k, previous.date])), ...previous.measured,
};
let startup = previous.startup;
let framing = previous.framing;
let ingest = previous.ingest;
let query = previous.query;
let api = previous.api;
let live = previous.live;
let web = previous.web;
let memory = previous.memory;
let clickhouse = previous.clickhouse;
let merchant = previous.merchant;
let kafka = previous.kafka;
let refunds = previous.refunds;
let exports = previous.exports;
let mesh = previous.mesh;
let customEvents = previous['custom-events'];

/** The seeded data set of `count` events (a year of event time), generated once into .bench/. */
function generateEvents(count = events): string {
  const out = join(dir, `events-${count}.ndjson`);
  if (existsSync(out)) return out;
  console.error(`generating ${count.toLocaleString('en-US')} events → ${out}`);
  const t = performance.now();
  child(['src/cli/main.ts', 'generate', '--count', String(count), '--days', '365', '--seed', '1', '--out', out]);
  console.error(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return out;
}

if (runs('ingest')) {
  generateEvents();
  console.error('ingesting…');
  ingest = JSON.parse(child(['bench/ingest-run.ts', file, dataDir, values.batch!]));
  measured.ingest = new Date().toISOString();
} else if (!['live', 'memory', 'startup', 'framing', 'clickhouse', 'kafka', 'refunds', 'exports', 'mesh', 'custom-events'].includes(only) && !existsSync(dataDir)) {
  throw new Error(`${dataDir} does not exist: run npm run bench -- --events ${events} first`);
}
if (runs('clickhouse')) {
  generateEvents();
  console.error('the ClickHouse backend (a private clickhouse-server)…');
  clickhouse = JSON.parse(child(['bench/clickhouse-run.ts', file, values.batch!, values.runs!]));
  measured.clickhouse = new Date().toISOString();
}
if (runs('kafka')) {
  const kafkaFile = generateEvents(Number(values['kafka-events']));
  console.error('Kafka: consumers into DuckDB and ClickHouse, produce → delta (a private broker and clickhouse-server)…');
  kafka = JSON.parse(child(['bench/kafka-run.ts', kafkaFile, '--partitions', values['kafka-partitions']!, '--latency-seconds', values['kafka-latency-seconds']!]));
  measured.kafka = new Date().toISOString();
}
if (runs('query')) {
  console.error('querying…');
  query = JSON.parse(child(['bench/query-run.ts', dataDir, values.runs!]));
  measured.query = new Date().toISOString();
}
if (runs('merchant')) {
  console.error('the merchant portal\'s reads…');
  merchant = JSON.parse(child(['bench/merchant-run.ts', dataDir, values.runs!]));
  measured.merchant = new Date().toISOString();
}
if (runs('refunds')) {
  console.error('merchant refunds…');
  refunds = JSON.parse(child(['bench/refunds-run.ts', values['refunds-database']!]));
  measured.refunds = new Date().toISOString();
}
if (runs('exports')) {
  console.error('merchant exports…');
  exports = JSON.parse(child(['--expose-gc', 'bench/exports-run.ts', values['export-rows']!, values['export-transactions']!, values['export-database']!]));
  measured.exports = new Date().toISOString();
}
if (runs('mesh')) {
  console.error('routing decisions (the mesh)…');
  mesh = JSON.parse(child(['bench/mesh-run.ts', '--duration', values.duration!, '--connections', values.connections!]));
  measured.mesh = new Date().toISOString();
}
if (runs('custom-events')) {
  const n = values['custom-events']!;
  const run = (store: string) => JSON.parse(child(['bench/custom-events-run.ts', n, join(dir, `custom-events-${store}`), '10000', values.runs!, store]));
  console.error(`custom events: ${Number(n).toLocaleString('en-US')} tracked into DuckDB…`);
  const duckdb = run('duckdb');
  console.error('custom events: the same into a private clickhouse-server…');
  customEvents = { duckdb, clickhouse: run('clickhouse') };
  measured['custom-events'] = new Date().toISOString();
}
if (runs('api')) {
  console.error('loading the HTTP API…');
  api = JSON.parse(child(['bench/api-run.ts', dataDir, '--duration', values.duration!, '--connections', values.connections!]));
  measured.api = new Date().toISOString();
}
if (runs('live')) {
  console.error('streaming live deltas under ingest load…');
  live = JSON.parse(child(['bench/live-run.ts', '--duration', values['live-duration']!, '--scenarios', values['live-scenarios']!]));
  measured.live = new Date().toISOString();
}
if (runs('web')) {
  console.error('timing the dashboard overview in Chromium…');
  web = JSON.parse(child(['bench/web-run.ts', dataDir, '--runs', values['web-runs']!]));
  measured.web = new Date().toISOString();
}
if (runs('memory')) {
  console.error('server memory under concurrent heavy queries…');
  memory = JSON.parse(child(['bench/query-memory-run.ts', '--clients', values['memory-clients']!, '--env', values['memory-env']!]));
  measured.memory = new Date().toISOString();
}
if (runs('framing')) {
  console.error('framing and parsing ingest bodies…');
  const sample = join(dir, 'events-framing.ndjson');
  if (!existsSync(sample)) child(['src/cli/main.ts', 'generate', '--count', '50000', '--days', '7', '--seed', '3', '--out', sample]);
  framing = JSON.parse(child(['bench/framing-run.ts', sample, '50000', '15']));
  measured.framing = new Date().toISOString();
}
if (runs('startup')) {
  console.error('starting the server on empty data directories…');
  startup = Object.values(JSON.parse(child(['bench/startup-run.ts', '--runs', values['startup-runs']!])))[0];
  measured.startup = new Date().toISOString();
}
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const result = { date: new Date().toISOString(), machine, events, measured, ingest, query, api, live, web, memory, startup, framing, clickhouse, merchant, kafka, refunds, exports, mesh, 'custom-events': customEvents };
writeFileSync(resultsFile, JSON.stringify(result, null, 2));

const f = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d });
console.log(`\n## ${f(events, 0)} events — ${machine.cpu}, ${machine.cores} cores, node ${machine.node}\n`);
if (runs('ingest')) {
  console.log('| ingest | value |\n|---|---|');
  console.log(`| events/s (end to end, durable) | ${f(ingest.eventsPerSecond, 0)} |`);
  console.log(`| wall time | ${f(ingest.ingestSeconds)} s (+ ${f(ingest.closeSeconds)} s final checkpoint) |`);
  console.log(`| accepted / duplicates / rejected | ${f(ingest.accepted, 0)} / ${f(ingest.duplicates, 0)} / ${f(ingest.rejected, 0)} |`);
  console.log(`| peak RSS | ${f(ingest.peakRssMB, 0)} MB |`);
  console.log(`| disk | ${f(ingest.diskBytes / 2 ** 20, 0)} MB = ${f(ingest.bytesPerEvent)} bytes/event |`);
}
if (runs('query')) {
  if (!runs('ingest')) console.log('| open | value |\n|---|---|');
  console.log(`| restart (state rebuild) | ${f(query.openSeconds)} s |`);
  console.log('\n| query | P50 ms | P95 ms | rows | rollups |\n|---|---|---|---|---|');
  for (const [name, q] of Object.entries(query.queries as Record<string, { p50: number; p95: number; rows: number; tables: string[] }>)) {
    console.log(`| ${name} | ${f(q.p50)} | ${f(q.p95)} | ${q.rows} | ${q.tables.join(', ')} |`);
  }
  console.log(`\nrollup rows: ${JSON.stringify(query.rows)}`);
}
if (runs('merchant')) {
  const m = merchant as { merchant: string; transactions: number; rawEvents: number; cases: Record<string, { p50: number; p95: number; cpuMs?: number }> };
  console.log(`\nMerchant portal, largest merchant ${m.merchant} (${f(m.transactions, 0)} transactions of ${f(m.rawEvents, 0)} raw events), uncached`);
  console.log('\n| read | P50 ms | P95 ms | CPU ms a run |\n|---|---|---|---|');
  for (const [name, q] of Object.entries(m.cases)) console.log(`| ${name} | ${f(q.p50)} | ${f(q.p95)} | ${q.cpuMs === undefined ? '–' : f(q.cpuMs)} |`);
}
if (runs('refunds')) {
  interface Backend { sequential: { runs: number; p50: number; p95: number; max: number }; contended: { requests: number; wallMs: number; perSecond: number } }
  console.log('\nMerchant refunds over app.inject (one at a time: distinct transactions; contended: 1,000 at once on one)');
  console.log('\n| state store | one at a time P50 / P95 / max ms | 1,000 at once: wall s | requests/s |\n|---|---|---|---|');
  for (const [name, b] of Object.entries(refunds as Record<string, Backend>)) {
    console.log(`| ${name} | ${f(b.sequential.p50)} / ${f(b.sequential.p95)} / ${f(b.sequential.max)} | ${f(b.contended.wallMs / 1000)} | ${f(b.contended.perSecond, 0)} |`);
  }
}
if (runs('exports')) {
  interface Case { rows: number; seconds: number; rowsPerSecond: number; cpuSeconds: number; rowsPerCpuSecond: number; fileMB: number; downloadSeconds: number; rssBeforeMB: number; peakRssMB: number }
  console.log(`\nMerchant exports in the background (refunds from the state store on ${exports.stateStore}; transactions from the analytics store), then the download by signed link`);
  console.log('\n| export | rows | to ready s | rows/s | CPU s | rows per CPU s | file MB | download s | RSS before → peak MB |\n|---|---|---|---|---|---|---|---|---|');
  for (const [name, c] of Object.entries(exports.cases as Record<string, Case>)) {
    console.log(`| ${name} | ${f(c.rows, 0)} | ${f(c.seconds)} | ${f(c.rowsPerSecond, 0)} | ${f(c.cpuSeconds)} | ${f(c.rowsPerCpuSecond, 0)} | ${f(c.fileMB)} | ${f(c.downloadSeconds)} | ${c.rssBeforeMB} → ${c.peakRssMB} |`);
  }
}
if (runs('mesh')) {
  interface HttpRun { connections: number; perSecond: number; perServerCpuSecond: number; cpuPct: { server: number; loadgen: number; other: number }; p50Ms: number; p95Ms: number; p99Ms: number }
  const { engine: e, http } = mesh as { engine: { p50Us: number; p95Us: number; p99Us: number; perSecond: number }; http: HttpRun[] };
  console.log('\nRouting decisions (POST /api/mesh/route; docs/mesh.md): in process, one at a time; over HTTP, autocannon with keep-alive');
  console.log('\n| case | P50 | P95 | P99 | decisions/s | CPU % of a core: server / load generator / rest of the machine |\n|---|---|---|---|---|---|');
  console.log(`| in process (decideRoute) | ${f(e.p50Us)} µs | ${f(e.p95Us)} µs | ${f(e.p99Us)} µs | ${f(e.perSecond, 0)} (one core, back to back) | — |`);
  for (const h of http) {
    console.log(`| HTTP, ${h.connections} connection(s) | ${f(h.p50Ms, 2)} ms | ${f(h.p95Ms, 2)} ms | ${f(h.p99Ms, 2)} ms | ${f(h.perSecond, 0)} (${f(h.perServerCpuSecond, 0)} per server CPU-second) | ${h.cpuPct.server} / ${h.cpuPct.loadgen} / ${h.cpuPct.other} |`);
  }
}
if (runs('api')) {
  interface Run { p50: number; p95: number; rps: number }
  const c = api.connections as number;
  const pr = (r: Run | undefined, rps = true) => (r ? `${f(r.p50)} / ${f(r.p95)}${rps ? ` | ${f(r.rps, 0)}` : ''}` : (rps ? '— | —' : '—'));
  console.log(`\nHTTP API (code ${api.code ?? 'unknown'}), autocannon ${api.duration} s per cell, pipelining 1; latencies in ms (P50 / P95)`);
  console.log(`\n| endpoint | uncached c=1 | uncached c=${c} | req/s | cached c=${c} | req/s |\n|---|---|---|---|---|---|`);
  for (const [name, e] of Object.entries(api.endpoints as Record<string, { uncached?: { c1: Run; cN: Run }; cached?: { cN: Run } }>)) {
    console.log(`| ${name} | ${pr(e.uncached?.c1, false)} | ${pr(e.uncached?.cN)} | ${pr(e.cached?.cN)} |`);
  }
  if (api.skipped.length) console.log(`\nskipped (no such route): ${api.skipped.join(', ')}`);
}
if (runs('live')) printLive(live, f);
if (runs('web')) {
  interface Stat { p50: number; max: number }
  console.log(`\nDashboard overview in Chromium, result cache off, data as of ${web.as_of}; ms from navigation start (P50 / max of ${web.runs})`);
  console.log('\n| range | KPI cards shown (interactive) | chart drawn | map drawn |\n|---|---|---|---|');
  for (const [range, r] of Object.entries(web.ranges as Record<string, { interactive: Stat; chart: Stat; map: Stat }>)) {
    console.log(`| ${range} | ${f(r.interactive.p50, 0)} / ${f(r.interactive.max, 0)} | ${f(r.chart.p50, 0)} / ${f(r.chart.max, 0)} | ${f(r.map.p50, 0)} / ${f(r.map.max, 0)} |`);
  }
}
if (runs('memory')) {
  const m = memory;
  console.log(`\nServer memory: ${m.clients} clients × ${m.rounds} requests for every metric by merchant_id,city by minute over ${m.hours} h`
    + ` (${f(m.events, 0)} events; one answer: ${m.single.status}, ${f(m.single.bytes / 2 ** 20)} MB${m.single.rows ? `, ${f(m.single.rows, 0)} rows` : ''})`);
  console.log(`settings: ${Object.keys(m.env).length ? JSON.stringify(m.env) : 'defaults'}`);
  console.log('\n| RSS at start | before the load | peak RSS | after | answers |\n|---|---|---|---|---|');
  console.log(`| ${f(m.rssStartMB, 0)} MB | ${f(m.rssBeforeMB, 0)} MB | **${f(m.peakRssMB, 0)} MB** | ${f(m.rssAfterMB, 0)} MB | ${Object.entries(m.statuses).map(([k, n]) => `${n} × ${k}`).join(', ')} |`);
}
if (runs('framing')) {
  console.log(`\nIngest bodies → parsed columns, CPU µs per event (median of ${framing.rounds} rounds; ${f(framing.events, 0)} events of ${framing.bytesPerEvent} bytes)`);
  console.log('\n| path | µs/event |\n|---|---|');
  for (const [name, us] of Object.entries(framing.usPerEvent as Record<string, number>)) console.log(`| ${name} | ${f(us, 2)} |`);
}
if (runs('startup')) {
  interface Stat { median: number; min: number; max: number }
  const st = startup as { runs: number; healthz: Stat; health: Stat; ready: Stat; cpu: Record<'healthz' | 'health' | 'ready', Stat>; steps: Record<string, Stat> };
  const row = (name: string, v: Stat) => console.log(`| ${name} | ${f(v.median, 0)} | ${f(v.min, 0)}–${f(v.max, 0)} |`);
  console.log(`\nStart-up on an empty data directory (embedded stores), ms from spawn, median of ${st.runs}`);
  console.log('\n| reached | median | range |\n|---|---|---|');
  row('`/healthz` 200 (alive)', st.healthz);
  row('`/health` 200 (the app serves)', st.health);
  row('`/ready` 200 (every part ready)', st.ready);
  row('server CPU used by `/health` 200', st.cpu.health);
  row('server CPU used by `/ready` 200', st.cpu.ready);
  for (const [name, v] of Object.entries(st.steps)) row(`log: ${name}`, v);
}
if (runs('clickhouse')) {
  const c = clickhouse;
  console.log(`\nClickHouse ${c.version} (private server), ${f(c.ingest.events, 0)} events, batches of ${values.batch}`);
  console.log('\n| ingest | events/s | seconds |\n|---|---|---|');
  console.log(`| ClickHouse's own insert: JSONEachRow into raw + minute and hour views | ${f(c.native.rowsPerSecond, 0)} | ${f(c.native.seconds)} |`);
  console.log(`| the platform into the ClickHouse backend (parse, dedupe, state, raw + 3 rollups, commit protocol) | ${f(c.ingest.eventsPerSecond, 0)} | ${f(c.ingest.ingestSeconds)} |`);
  console.log(`| ratio | **${f(c.ratio, 2)}×** | |`);
  // Core-seconds over each side's timed part: what it costs the machine, whatever runs in parallel.
  const coreSeconds = c.ingest.cpuSeconds + c.ingest.serverCpuSeconds;
  const floor = coreSeconds / c.cores;
  console.log(`\n| CPU seconds | server | client | wall-time floor on ${c.cores} cores |\n|---|---|---|---|`);
  console.log(`| ClickHouse's own insert | ${f(c.native.serverCpuSeconds)} | ${f(c.native.cpuSeconds)} | |`);
  console.log(`| the platform | ${f(c.ingest.serverCpuSeconds)} | ${f(c.ingest.cpuSeconds)} | ${f(floor)} s: ratio at most ${f(c.native.seconds / floor, 2)}× |`);
  type Q = Record<string, { p50: number; p95: number; rows: number }>;
  const after = (c.compacted?.queries ?? {}) as Q;
  console.log(`\n| query on ClickHouse | P50 ms | P95 ms | compacted: P50 ms | P95 ms | rows |\n|---|---|---|---|---|---|`);
  for (const [name, q] of Object.entries(c.query.queries as Q)) {
    console.log(`| ${name} | ${f(q.p50)} | ${f(q.p95)} | ${after[name] ? f(after[name].p50) : '—'} | ${after[name] ? f(after[name].p95) : '—'} | ${q.rows} |`);
  }
  console.log(`\nrollup rows: ${JSON.stringify(c.query.rows)}; compaction: ${c.compaction ? `${f(c.compaction.seconds)} s, ${c.compaction.partitions} partitions, rows after ${JSON.stringify(c.compaction.rows)}` : '—'}`);
}
if (runs('kafka')) printKafka(kafka, f);
if (runs('custom-events')) {
  interface Run { store: string; version?: string; events: number; batch: number; eventsPerSecond: number; ingestSeconds: number; bytesPerEvent: number; peakRssMB: number; reopenSeconds: number; queries: Array<{ name: string; p50Ms: number; p95Ms: number }> }
  const sides = [customEvents.duckdb, customEvents.clickhouse] as Run[];
  console.log(`\nCustom events: ${f(sides[0].events, 0)} trading events over 30 days tracked (track use case + engine), bodies of ${f(sides[0].batch, 0)}, 4 in flight`);
  console.log('\n| store | events/s | ingest s | bytes/event | peak RSS MB (bench process) | reopen s (track index rebuilt) |\n|---|---|---|---|---|---|');
  for (const r of sides) {
    console.log(`| ${r.store}${r.version ? ` ${r.version}` : ''} | ${f(r.eventsPerSecond, 0)} | ${f(r.ingestSeconds)} | ${f(r.bytesPerEvent)} | ${f(r.peakRssMB, 0)} | ${f(r.reopenSeconds, 2)} |`);
  }
  console.log('\n| statistics (uncached) | DuckDB P50 / P95 ms | ClickHouse P50 / P95 ms |\n|---|---|---|');
  sides[0].queries.forEach((q, i) => {
    const c = sides[1].queries[i];
    console.log(`| ${q.name} | ${f(q.p50Ms)} / ${f(q.p95Ms)} | ${f(c.p50Ms)} / ${f(c.p95Ms)} |`);
  });
}
