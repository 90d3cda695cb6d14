// Bench child: the ClickHouse backend on a private clickhouse-server (Debian's, started here on
// a free port with its own directory). Side by side in one run, on the same NDJSON file:
// 1. ClickHouse's own best insert of the events (bench/clickhouse-native-run.ts);
// 2. the platform's ingest into the ClickHouse backend (bench/ingest-run.ts with
//    ANALYTICS_STORE=clickhouse): parse, dedupe, state, raw + three rollups, commit protocol;
// 3. the reference queries over what 2 stored (bench/query-run.ts);
// 4. the compaction of its per-batch rollup rows (bench/compact-run.ts), and the queries again.
// For 1 and 2, each child also counts the server's CPU seconds (all threads, from /proc) over its
// timed part, beside its own, so that the two sides' core-seconds can be set against the
// machine's cores: that part's wall time cannot fall below (server CPU + client CPU) / cores.
// Before each child, the server's merges of the previous one's rows are let finish.
// Prints one JSON line. Run by bench/main.ts (`--only clickhouse`).

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { startClickHouse } from '../test/support/clickhouse-server.ts';

const [file, batch = '50000', runs = '50'] = process.argv.slice(2);
const server = await startClickHouse();

async function child(args: string[], env: Record<string, string> = {}): Promise<Record<string, unknown>> {
  await mergesDone();
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, CLICKHOUSE_SERVER_PID: String(server.pid), ...env }, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** Waits (2 minutes at most) until the server runs no merge. */
async function mergesDone(): Promise<void> {
  for (const deadline = Date.now() + 120_000; Date.now() < deadline;) {
    const res = await fetch(server.url, { method: 'POST', body: 'SELECT count() FROM system.merges', headers: { connection: 'close' } });
    if (Number((await res.text()).trim()) === 0) return;
    await new Promise((r) => setTimeout(r, 500));
  }
}

try {
  const store = { ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: 'bench' };
  console.error('clickhouse: native insert…');
  const native = await child(['bench/clickhouse-native-run.ts', file, server.url, 'native', batch]);
  console.error('clickhouse: ingest through the platform…');
  const ingest = await child(['bench/ingest-run.ts', file, '.bench/data-clickhouse', batch], store);
  console.error('clickhouse: queries…');
  const query = await child(['bench/query-run.ts', '.bench/data-clickhouse', runs], store);
  console.error('clickhouse: compaction, and the queries again…');
  const compaction = await child(['bench/compact-run.ts'], store);
  const compacted = await child(['bench/query-run.ts', '.bench/data-clickhouse', runs], store);
  console.log(JSON.stringify({
    version: server.version, cores: availableParallelism(), native, ingest, query, compaction, compacted,
    ratio: (ingest.eventsPerSecond as number) / (native.rowsPerSecond as number),
  }));
} finally {
  await server.stop();
}
