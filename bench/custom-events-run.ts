// Bench child: custom events (docs/custom-events.md). Tracks N synthetic trading events
// (src/custom-events/trading-stream.ts, 30 days of event time) into a fresh data directory
// through the track use case and the engine — framed NDJSON bodies of `batch` events, 4 in
// flight, as producers would send them — then times the statistics the dashboard asks for: a
// 30-day p95 in one bucket (day rows), hourly p50/p95/p99 over 7 days grouped by symbol (hour
// rows), and 15-minute buckets over a day (minute rows), `runs` times each; last, closes the
// platform and times opening it again on the same data (the engine rebuilds its track dedupe
// index from every raw custom event at start). Bodies are built per group of in-flight
// requests, before that group's clock starts (the bench measures the server, not the producer;
// 10M bodies at once would take ~3 GB). `store`: duckdb (embedded, the default) or clickhouse
// (a private clickhouse-server started here, as bench/clickhouse-run.ts does). Prints one JSON
// line: events/s, query latencies, disk bytes per event (sketch rows included), this process's
// peak RSS, the reopen time. Run by bench/main.ts (`--only custom-events`).
// Usage: node --import tsx bench/custom-events-run.ts N DATA_DIR [batch] [runs] [duckdb|clickhouse]

import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { benchLogger, procStatusMB } from './bench-support.ts';
import { startClickHouse } from '../test/support/clickhouse-server.ts';
import { openPlatform } from '../src/platform.ts';
import { loadCustomEvents } from '../src/custom-events/custom-event-definitions.ts';
import { parseDefinitionsFile } from '../src/custom-events/definitions-file.ts';
import { createDefinitionCache } from '../src/custom-events/definition-cache.ts';
import { trackEvents } from '../src/custom-events/track-events.ts';
import { customEventStats, type StatsRequest } from '../src/custom-events/custom-event-stats.ts';
import { TRADING_EVENTS_FILE, tradingStream } from '../src/custom-events/trading-stream.ts';
import { frameNdjson } from '../src/ingest/frame-events.ts';

const [n = '1000000', dataDir = '.bench/custom-events', batch = '10000', runs = '20', storeName = 'duckdb'] = process.argv.slice(2);
if (storeName !== 'duckdb' && storeName !== 'clickhouse') throw new Error(`store must be duckdb or clickhouse (got ${storeName})`);
const N = Number(n);
const B = Number(batch);
const DAY = 86_400_000;
rmSync(dataDir, { recursive: true, force: true });
const server = storeName === 'clickhouse' ? await startClickHouse() : null;
try {
  const config = loadConfig({
    ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn',
    ...(server ? { ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: server.database } : { ANALYTICS_STORE: 'duckdb' }),
  });
  const platform = await openPlatform(config, benchLogger());
  const now = Math.floor(Date.now() / DAY) * DAY;
  const start = now - 30 * DAY;
  const definitions = parseDefinitionsFile(readFileSync(TRADING_EVENTS_FILE, 'utf8'));
  await loadCustomEvents({ state: platform.state, now: () => now }, definitions, 'bench');
  const deps = {
    definitions: createDefinitionCache(platform.state, { ttlMs: 60_000, now: () => now }), submit: platform.engine.submitTracked,
    now: () => now, maxFutureMs: 300_000, rawRetentionDays: 90,
  };
  const stream = tradingStream(2026, definitions);
  const step = (30 * DAY) / N;

  // Ingest: each group's bodies built before its clock starts; only the tracking is timed.
  const body = (i: number) => {
    const lines: string[] = [];
    for (let k = i; k < Math.min(N, i + B); k++) lines.push(JSON.stringify(stream.next(Math.floor(start + k * step))));
    return Buffer.from(lines.join('\n'));
  };
  let ingestMs = 0;
  let accepted = 0;
  const inflight = 4;
  for (let i = 0; i < N; i += B * inflight) {
    const bodies: Buffer[] = [];
    for (let j = i; j < Math.min(N, i + B * inflight); j += B) bodies.push(body(j));
    const t = performance.now();
    const results = await Promise.all(bodies.map((b) => trackEvents(deps, frameNdjson(b))));
    ingestMs += performance.now() - t;
    accepted += results.flat().filter((r) => r.status === 'accepted').length;
  }
  const t = performance.now();
  await platform.engine.flush();
  const ingestSeconds = (ingestMs + performance.now() - t) / 1000;
  const rssAfterIngestMB = procStatusMB('self', 'VmRSS');

  async function time(name: string, r: Partial<StatsRequest>) {
    const ask = () => customEventStats({ store: platform.store, state: platform.state, maxBuckets: config.QUERY_MAX_BUCKETS }, {
      name: 'order.filled', measure: 'fill_latency_ms', interval: 'all', from: start, to: now, tz: 'UTC', groupBy: null, filters: {}, merchantId: null, ...r,
    });
    await ask(); // warm
    const ms: number[] = [];
    for (let i = 0; i < Number(runs); i++) {
      const t = performance.now();
      await ask();
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    return { name, p50Ms: ms[Math.floor(0.5 * (ms.length - 1))], p95Ms: ms[Math.floor(0.95 * (ms.length - 1))] };
  }
  const queries = [
    await time('p95 over 30 days, one bucket (day rows)', {}),
    await time('hourly over 7 days by symbol (hour rows)', { interval: '1h', from: now - 7 * DAY, groupBy: 'symbol' }),
    await time('15 minutes over a day (minute rows)', { interval: '15m', from: now - DAY }),
  ];
  const serverDisk = server ? await platform.store.diskBytes() : 0;
  await platform.close();
  const disk = server ? serverDisk : statSync(join(dataDir, 'analytics.duckdb')).size;
  // Reopen on the same data: the engine's start rebuilds the track dedupe index from raw.
  const t1 = performance.now();
  const reopened = await openPlatform(config, benchLogger());
  const reopenSeconds = (performance.now() - t1) / 1000;
  await reopened.close();
  console.log(JSON.stringify({
    store: storeName, version: server?.version, events: N, batch: B, accepted, ingestSeconds, eventsPerSecond: N / ingestSeconds, queries,
    diskBytes: disk, bytesPerEvent: disk / Math.max(accepted, 1), rssAfterIngestMB, peakRssMB: procStatusMB('self', 'VmHWM'), reopenSeconds,
  }));
} finally {
  await server?.stop();
}
