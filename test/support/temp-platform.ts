// Test helper: a real embedded store and engine in a fresh temp directory.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAnalyticsStore, openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import { createEngine, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import { loadRegions, DEFAULT_REGIONS_FILE } from '../../src/reference/regions.ts';
import { readFileSync } from 'node:fs';
import { runQuery, type QuerySpec, type QueryResult } from '../../src/query/run-query.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';

export interface TempPlatform {
  dir: string;
  store: AnalyticsStore;
  engine: Engine;
  query(spec: Partial<QuerySpec> & Pick<QuerySpec, 'from' | 'to'>): Promise<QueryResult>;
  close(): Promise<void>;
}

export const REGIONS = loadRegions(readFileSync(DEFAULT_REGIONS_FILE, 'utf8'));

export interface TempPlatformOptions {
  now?: () => number;
  dir?: string;
  rawRetentionDays?: number;
  /** A ClickHouse database to hold the analytics store instead of DuckDB in `dir`. */
  clickhouse?: { url: string; database: string };
}

export async function openTempPlatform(opts: TempPlatformOptions = {}): Promise<TempPlatform> {
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'molam-test-'));
  const store = opts.clickhouse
    ? await openAnalyticsStore({
      ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: opts.clickhouse.url, CLICKHOUSE_DATABASE: opts.clickhouse.database,
      CLICKHOUSE_USER: '', CLICKHOUSE_PASSWORD: '', DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '', DUCKDB_THREADS: 1, DUCKDB_CHECKPOINT_THRESHOLD: '',
    })
    : await openDuckDbStore({ dataDir: dir, memoryLimit: '512MB', threads: 2 });
  const now = opts.now ?? Date.now;
  const engine = await createEngine({
    store, log: createLogger('silent'), now, maxFutureMs: 300_000,
    rawRetentionDays: opts.rawRetentionDays ?? 90, maxBatchEvents: 50_000, parseWorkers: 1,
    snapshotPath: join(dir, 'ingest-state.snapshot'),
  });
  return {
    dir, store, engine,
    query: (spec) => runQuery(
      {
        store, now, dict: engine.state.dict, regions: REGIONS,
        limits: { minuteDays: 180, hourDays: 365, maxBuckets: 10_000, maxMinuteSpanDays: 31 },
      },
      { metrics: [], dimensions: [], filters: {}, granularity: 'all', tz: 'UTC', ...spec },
    ),
    async close() {
      await engine.close();
      await store.close();
      if (!opts.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
