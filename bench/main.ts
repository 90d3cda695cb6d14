// npm run bench [-- --events N] [--runs R] [--batch B]
// Generates N synthetic events (a year of event time; cached under .bench/), ingests them end
// to end in a child process, then times the reference queries in another. Raw retention is set
// to 400 days for the run so that a whole year of generated events is kept and queryable.
// Results go to stdout and .bench/results-N.json; docs/benchmarks.md records them.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { events: { type: 'string', default: '10000000' }, runs: { type: 'string', default: '50' }, batch: { type: 'string', default: '50000' } },
});
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

if (!existsSync(file)) {
  console.error(`generating ${events.toLocaleString('en-US')} events → ${file}`);
  const t = performance.now();
  child(['src/cli/main.ts', 'generate', '--count', String(events), '--days', '365', '--seed', '1', '--out', file]);
  console.error(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`);
}
console.error('ingesting…');
const ingest = JSON.parse(child(['bench/ingest-run.ts', file, dataDir, values.batch!]));
console.error('querying…');
const query = JSON.parse(child(['bench/query-run.ts', dataDir, values.runs!]));
const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const result = { date: new Date().toISOString(), machine, events, ingest, query };
writeFileSync(join(dir, `results-${events}.json`), JSON.stringify(result, null, 2));

const f = (n: number, d = 1) => n.toLocaleString('en-US', { maximumFractionDigits: d });
console.log(`\n## ${f(events, 0)} events — ${machine.cpu}, ${machine.cores} cores, node ${machine.node}\n`);
console.log('| ingest | value |\n|---|---|');
console.log(`| events/s (end to end, durable) | ${f(ingest.eventsPerSecond, 0)} |`);
console.log(`| wall time | ${f(ingest.ingestSeconds)} s (+ ${f(ingest.closeSeconds)} s final checkpoint) |`);
console.log(`| accepted / duplicates / rejected | ${f(ingest.accepted, 0)} / ${f(ingest.duplicates, 0)} / ${f(ingest.rejected, 0)} |`);
console.log(`| peak RSS | ${f(ingest.peakRssMB, 0)} MB |`);
console.log(`| disk | ${f(ingest.diskBytes / 2 ** 20, 0)} MB = ${f(ingest.bytesPerEvent)} bytes/event |`);
console.log(`| restart (state rebuild) | ${f(query.openSeconds)} s |`);
console.log('\n| query | P50 ms | P95 ms | rows | rollups |\n|---|---|---|---|---|');
for (const [name, q] of Object.entries(query.queries as Record<string, { p50: number; p95: number; rows: number; tables: string[] }>)) {
  console.log(`| ${name} | ${f(q.p50)} | ${f(q.p95)} | ${q.rows} | ${q.tables.join(', ')} |`);
}
console.log(`\nrollup rows: ${JSON.stringify(query.rows)}`);
