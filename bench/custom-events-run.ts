// Bench child: custom events (docs/custom-events.md). Tracks N synthetic trading events
// (src/custom-events/trading-stream.ts, 30 days of event time) into a fresh data directory
// through the track use case and the engine — framed NDJSON bodies of `batch` events, several in
// flight, as producers would send them — then times the statistics the dashboard asks for: a
// 30-day p95 in one bucket (day rows), hourly p50/p95/p99 over 7 days grouped by symbol (hour
// rows), and 15-minute buckets over a day (minute rows), `runs` times each. Prints one JSON line:
// events/s, query latencies, disk bytes per event (sketch rows included). Run by bench/main.ts.
// Usage: node --import tsx bench/custom-events-run.ts N DATA_DIR [batch] [runs]

import { readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../src/config.ts';
import { benchLogger } from './bench-support.ts';
import { openPlatform } from '../src/platform.ts';
import { loadCustomEvents } from '../src/custom-events/custom-event-definitions.ts';
import { parseDefinitionsFile } from '../src/custom-events/definitions-file.ts';
import { createDefinitionCache } from '../src/custom-events/definition-cache.ts';
import { trackEvents } from '../src/custom-events/track-events.ts';
import { customEventStats, type StatsRequest } from '../src/custom-events/custom-event-stats.ts';
import { TRADING_EVENTS_FILE, tradingStream } from '../src/custom-events/trading-stream.ts';
import { frameNdjson } from '../src/ingest/frame-events.ts';

const [n = '1000000', dataDir = '.bench/custom-events', batch = '10000', runs = '20'] = process.argv.slice(2);
const N = Number(n);
const DAY = 86_400_000;
rmSync(dataDir, { recursive: true, force: true });
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
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

// Ingest: bodies built ahead of the clock's start (the bench measures the server, not the producer).
const bodies: Buffer[] = [];
for (let i = 0; i < N; i += Number(batch)) {
  const lines: string[] = [];
  for (let k = i; k < Math.min(N, i + Number(batch)); k++) lines.push(JSON.stringify(stream.next(Math.floor(start + k * step))));
  bodies.push(Buffer.from(lines.join('\n')));
}
const t0 = performance.now();
let accepted = 0;
const inflight = 4;
for (let i = 0; i < bodies.length; i += inflight) {
  const results = await Promise.all(bodies.slice(i, i + inflight).map((b) => trackEvents(deps, frameNdjson(b))));
  accepted += results.flat().filter((r) => r.status === 'accepted').length;
}
await platform.engine.flush();
const ingestSeconds = (performance.now() - t0) / 1000;

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
const serverDisk = config.ANALYTICS_STORE === 'clickhouse' ? await platform.store.diskBytes() : 0;
await platform.close();
const disk = config.ANALYTICS_STORE === 'clickhouse' ? serverDisk : statSync(join(dataDir, 'analytics.duckdb')).size;
console.log(JSON.stringify({
  events: N, accepted, ingestSeconds, eventsPerSecond: N / ingestSeconds, queries, diskBytes: disk, bytesPerEvent: disk / Math.max(accepted, 1),
}));
