// Bench child: opens an ingested data directory (timing the state rebuild a restart costs),
// then times the reference queries: warm-up runs, then N timed runs each, P50/P95.

import { loadConfig } from '../src/config.ts';
import { benchLogger } from './bench-support.ts';
import { openPlatform } from '../src/platform.ts';
import { runQuery, type QuerySpec } from '../src/query/run-query.ts';
import { DateTime } from 'luxon';

const [dataDir, runsArg = '50'] = process.argv.slice(2);
const runs = Number(runsArg);
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const t0 = performance.now();
const platform = await openPlatform(config, benchLogger());
const openSeconds = (performance.now() - t0) / 1000;
const { store, engine, regions } = platform;
const now = Number((await store.loadMeta()).maxOccurredAt) + 60_000; // "now" = just after the data's end
const deps = {
  store, regions, now: () => now, get dict() { return engine.state.dict; },
  limits: { minuteDays: config.MINUTE_RETENTION_DAYS, hourDays: config.HOUR_RETENTION_DAYS, maxBuckets: 10_000, maxMinuteSpanDays: 31 },
};
const top = await runQuery(deps, {
  metrics: ['tx_count'], dimensions: ['merchant_id'], filters: {}, from: Math.ceil((now - 365 * 86_400_000) / 86_400_000) * 86_400_000, to: now,
  granularity: 'all', tz: 'UTC', orderBy: { metric: 'tx_count', desc: true }, limit: 1,
});
const largest = top.rows[0].dims.merchant_id!;
const lagosDay = DateTime.fromMillis(now, { zone: 'Africa/Lagos' }).startOf('day');
const DAY = 86_400_000;
const queries: Record<string, QuerySpec> = {
  'summary, 30 days, all metrics': {
    metrics: [], dimensions: [], filters: {}, from: now - 30 * DAY, to: now, granularity: 'all', tz: 'UTC',
  },
  'hourly series, 1 year, largest merchant': {
    metrics: ['tx_count', 'gross_volume_usd', 'success_rate'], dimensions: [], filters: { merchant_id: [largest] },
    from: Math.floor(now / 3_600_000) * 3_600_000 - 365 * DAY, to: Math.floor(now / 3_600_000) * 3_600_000,
    granularity: 'hour', tz: 'UTC', fill: true,
  },
  'top 10 merchants, 30 days': {
    metrics: ['gross_volume_usd', 'tx_count', 'success_rate'], dimensions: ['merchant_id'], filters: {},
    from: now - 30 * DAY, to: now, granularity: 'all', tz: 'UTC', orderBy: { metric: 'gross_volume_usd', desc: true }, limit: 10,
  },
  'success rate by country, 7 days, Africa/Lagos': {
    metrics: ['success_rate'], dimensions: ['country'], filters: {},
    from: lagosDay.minus({ days: 7 }).toMillis(), to: lagosDay.toMillis(), granularity: 'all', tz: 'Africa/Lagos',
  },
};
const results: Record<string, { p50: number; p95: number; max: number; rows: number; tables: string[] }> = {};
for (const [name, spec] of Object.entries(queries)) {
  for (let i = 0; i < 5; i++) await runQuery(deps, spec);
  const times: number[] = [];
  let last;
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    last = await runQuery(deps, spec);
    times.push(performance.now() - s);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  results[name] = { p50: q(0.5), p95: q(0.95), max: times[times.length - 1], rows: last!.rows.length, tables: last!.tables };
}
const counts = await store.counts();
await platform.close();
console.log(JSON.stringify({
  openSeconds, largestMerchant: largest, runs, queries: results,
  rows: { raw: counts.rawEvents, ...counts.rollupRows },
}));
