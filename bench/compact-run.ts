// Bench child: folds the store's per-batch rollup rows (compactRollups) and times it. Prints
// one JSON line. Run by bench/clickhouse-run.ts between two query runs.

import { loadConfig } from '../src/config.ts';
import { benchLogger } from './bench-support.ts';
import { openAnalyticsStore } from '../src/store/open-analytics-store.ts';

const config = loadConfig({ ...process.env, LOG_LEVEL: 'warn' });
const store = await openAnalyticsStore(config, benchLogger());
const t0 = performance.now();
const report = await store.compactRollups();
const seconds = (performance.now() - t0) / 1000;
const rows = (await store.counts()).rollupRows;
await store.close();
console.log(JSON.stringify({ ...report, seconds, rows }));
