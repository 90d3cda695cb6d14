// Bench child: ingests an NDJSON file end to end into a fresh data directory through the
// in-process engine (parse → dedupe → state → raw + rollups, durable per batch), then
// checkpoints. Prints one JSON line with the figures. Run by bench/main.ts.

import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { benchLogger, serverCpuSeconds } from './bench-support.ts';
import { openPlatform } from '../src/platform.ts';
import { engineSubmitter, ingestFile } from '../src/ingest/sources/ingest-file.ts';
import { dedupeBytes } from '../src/ingest/indexes/dedupe-index.ts';
import { txnBytes } from '../src/ingest/indexes/txn-index.ts';

const [file, dataDir, batch = '50000'] = process.argv.slice(2);
rmSync(dataDir, { recursive: true, force: true });
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const platform = await openPlatform(config, benchLogger());
const cpu0 = process.cpuUsage();
const serverCpu0 = serverCpuSeconds(); // ClickHouse's, when the parent names its server
const t0 = performance.now();
let peakRss = 0;
let atPeak = process.memoryUsage();
const sampler = setInterval(() => {
  const m = process.memoryUsage();
  if (m.rss > peakRss) { peakRss = m.rss; atPeak = m; }
}, 200);
const totals = await ingestFile({
  path: file, format: 'ndjson', batchSize: Number(batch),
  submit: engineSubmitter(platform.engine, 'bench'),
});
const ingestSeconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const serverCpu = serverCpuSeconds() - serverCpu0;
const indexes = {
  dedupeMB: dedupeBytes(platform.engine.state.dedupe) / 2 ** 20, dedupeEntries: platform.engine.state.dedupe.size,
  txnMB: txnBytes(platform.engine.state.txns) / 2 ** 20, txnEntries: platform.engine.state.txns.size,
};
// ClickHouse: the parts on the server (read before closing); DuckDB: the file after its checkpoint.
const serverDisk = config.ANALYTICS_STORE === 'clickhouse' ? await platform.store.diskBytes() : 0;
const t1 = performance.now();
await platform.close(); // includes the final checkpoint
const closeSeconds = (performance.now() - t1) / 1000;
clearInterval(sampler);
const disk = config.ANALYTICS_STORE === 'clickhouse' ? serverDisk : statSync(join(dataDir, 'analytics.duckdb')).size;
console.log(JSON.stringify({
  events: totals.received, accepted: totals.accepted, duplicates: totals.duplicates, rejected: totals.rejected,
  rejectedByCode: totals.rejectedByCode,
  ingestSeconds, eventsPerSecond: totals.received / ingestSeconds, closeSeconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6, ...(Number.isNaN(serverCpu) ? {} : { serverCpuSeconds: serverCpu }),
  peakRssMB: Math.max(peakRss, process.resourceUsage().maxRSS * 1024) / 2 ** 20,
  diskBytes: disk, bytesPerEvent: disk / totals.accepted, indexes,
  atPeakMB: Object.fromEntries(Object.entries(atPeak).map(([k, v]) => [k, Math.round(v / 2 ** 20)])),
}));
