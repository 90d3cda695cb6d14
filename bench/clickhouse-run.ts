// Bench child: the ClickHouse backend on a private clickhouse-server (Debian's, started here on
// a free port with its own directory). Side by side in one run, on the same NDJSON file:
// 1. ClickHouse's own best insert of the events (bench/clickhouse-native-run.ts);
// 2. the platform's ingest into the ClickHouse backend (bench/ingest-run.ts with
//    ANALYTICS_STORE=clickhouse): parse, dedupe, state, raw + three rollups, commit protocol;
// 3. the reference queries over what 2 stored (bench/query-run.ts);
// 4. the compaction of its per-batch rollup rows (bench/compact-run.ts), and the queries again.
// For 1 and 2 it also counts the server's CPU seconds (all threads, from /proc), so that the two
// sides' core-seconds can be set against the machine's cores: the ingest's wall time cannot fall
// below (the server's CPU + the platform's CPU) / cores.
// Prints one JSON line. Run by bench/main.ts (`--only clickhouse`).

import { spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { startClickHouse } from '../test/support/clickhouse-server.ts';

const [file, batch = '50000', runs = '50'] = process.argv.slice(2);
const server = await startClickHouse();

function child(args: string[], env: Record<string, string> = {}): Record<string, unknown> {
  const serverCpu0 = server.cpuSeconds();
  const r = spawnSync(process.execPath, ['--import', 'tsx', ...args], {
    env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`${args.join(' ')} exited with ${r.status}`);
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()!), serverCpuSeconds: server.cpuSeconds() - serverCpu0 };
}

try {
  const store = { ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: 'bench' };
  console.error('clickhouse: native insert…');
  const native = child(['bench/clickhouse-native-run.ts', file, server.url, 'native', batch]);
  console.error('clickhouse: ingest through the platform…');
  const ingest = child(['bench/ingest-run.ts', file, '.bench/data-clickhouse', batch], store);
  console.error('clickhouse: queries…');
  const query = child(['bench/query-run.ts', '.bench/data-clickhouse', runs], store);
  console.error('clickhouse: compaction, and the queries again…');
  const compaction = child(['bench/compact-run.ts'], store);
  const compacted = child(['bench/query-run.ts', '.bench/data-clickhouse', runs], store);
  console.log(JSON.stringify({
    version: server.version, cores: availableParallelism(), native, ingest, query, compaction, compacted,
    ratio: (ingest.eventsPerSecond as number) / (native.rowsPerSecond as number),
  }));
} finally {
  await server.stop();
}
