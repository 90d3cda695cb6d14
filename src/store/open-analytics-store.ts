// The analytics store: a backend chosen by configuration (ANALYTICS_STORE), with the named
// queries of queries/ bound to it. Adding a backend: a folder like duckdb/ implementing
// StoreBackend, a branch below, and its SQL side in each query module.

import type { Logger } from 'pino';
import type { AnalyticsStore } from './analytics-store.ts';
import { openDuckDbBackend, type DuckDbOptions } from './duckdb/open-duckdb-backend.ts';
import { openClickHouseBackend } from './clickhouse/open-clickhouse-backend.ts';
import type { StoreBackend } from './backend.ts';
import { MIGRATIONS as DUCKDB_MIGRATIONS } from './duckdb/migrations.ts';
import { rawEventById, rawEventPage, rawEventStats } from './queries/raw-events.ts';
import { deadLetters } from './queries/dead-letters.ts';
import { customEventStats } from './queries/custom-event-stats.ts';
import { customDimensionTuples, scanCustomEventKeys } from './queries/custom-event-state.ts';
import { fxEffective, fxRateCount, fxRates, replaceFxEffective, saveFxRates } from './queries/fx.ts';
import { liveSeed } from './queries/live-seed.ts';
import { expireBefore, retentionPreview } from './queries/retention.ts';
import { reprocessRaw } from './queries/reprocess-raw.ts';
import { probeWrite, schemaVersion, storeCounts } from './queries/store-facts.ts';
import { rollupCells } from './queries/rollup-cells.ts';
import { rollupVerify, summaryVerify } from './queries/rollup-verify.ts';
import { rollupAggregate } from './queries/rollup-aggregate.ts';
import { merchantTransactionPage } from './queries/merchant-transactions.ts';
import { merchantDisputePage } from './queries/merchant-disputes.ts';
import { merchantPayoutPage } from './queries/merchant-payouts.ts';
import { merchantBalance } from './queries/merchant-balance.ts';
import { providerHealth } from './queries/provider-health.ts';
import { providerReplay } from './queries/provider-replay.ts';
import { merchantPayoutCoverage } from './queries/merchant-payout-coverage.ts';

export interface StoreConfig {
  ANALYTICS_STORE: string;
  DATA_DIR: string;
  DUCKDB_MEMORY_LIMIT: string;
  DUCKDB_THREADS: number;
  DUCKDB_CHECKPOINT_THRESHOLD: string;
  CLICKHOUSE_URL: string;
  CLICKHOUSE_DATABASE: string;
  CLICKHOUSE_USER: string;
  CLICKHOUSE_PASSWORD: string;
}

/**
 * The store the configuration names. `reader`: for a process that only reads a store another
 * process writes (ClickHouse only: an embedded DuckDB file has one process).
 */
export async function openAnalyticsStore(config: StoreConfig, log?: Logger, o: { reader?: boolean } = {}): Promise<AnalyticsStore> {
  if (config.ANALYTICS_STORE === 'clickhouse') {
    return analyticsStore(await openClickHouseBackend({
      url: config.CLICKHOUSE_URL, database: config.CLICKHOUSE_DATABASE,
      user: config.CLICKHOUSE_USER || undefined, password: config.CLICKHOUSE_PASSWORD || undefined, log, reader: o.reader,
    }));
  }
  if (o.reader) throw new Error('a reading process needs a store it can share: ANALYTICS_STORE=clickhouse (embedded DuckDB belongs to one process)');
  return analyticsStore(await openDuckDbBackend({
    dataDir: config.DATA_DIR, memoryLimit: config.DUCKDB_MEMORY_LIMIT, threads: config.DUCKDB_THREADS,
    checkpointThreshold: config.DUCKDB_CHECKPOINT_THRESHOLD,
  }));
}

/** The store on embedded DuckDB in a directory (tools and tests). */
export async function openDuckDbStore(opts: DuckDbOptions): Promise<AnalyticsStore> {
  return analyticsStore(await openDuckDbBackend(opts));
}

export { inspectDuckDbFile } from './duckdb/backup-duckdb.ts';
/** Minutes per bucket of each rollup table. */
export { BUCKET_MINUTES } from './queries/rollup-verify.ts';
/** The schema version this code migrates an embedded store to. */
export const DUCKDB_SCHEMA_VERSION = Math.max(...DUCKDB_MIGRATIONS.map((m) => m.version));

/** The port over one backend. */
export function analyticsStore(b: StoreBackend): AnalyticsStore {
  return {
    backend: b.kind,
    commitBatch: (batch) => b.commitBatch(batch),
    scanState: (visit, after) => b.scanState(visit, after),
    loadDictionary: () => b.loadDictionary(),
    loadMeta: () => b.loadMeta(),
    sourcePosition: (source) => b.sourcePosition(source),
    rollupAggregate: (q) => rollupAggregate(b, q),
    rawEventPage: (q) => rawEventPage(b, q),
    rawEventStats: (q) => rawEventStats(b, q),
    rawEventById: (id) => rawEventById(b, id),
    merchantTransactionPage: (q) => merchantTransactionPage(b, q),
    merchantDisputePage: (q) => merchantDisputePage(b, q),
    merchantPayoutPage: (q) => merchantPayoutPage(b, q),
    merchantBalance: (q) => merchantBalance(b, q),
    merchantPayoutCoverage: (q) => merchantPayoutCoverage(b, q),
    providerHealth: (q) => providerHealth(b, q),
    providerReplay: (q) => providerReplay(b, q),
    deadLetters: (q) => deadLetters(b, q),
    customEventStats: (q) => customEventStats(b, q),
    scanCustomEventKeys: (visit) => scanCustomEventKeys(b, visit),
    customDimensionTuples: () => customDimensionTuples(b),
    fxRates: (f) => fxRates(b, f),
    fxRateCount: () => fxRateCount(b),
    fxEffective: (from, to) => fxEffective(b, from, to),
    liveSeed: (from) => liveSeed(b, from),
    rollupCells: (t, r) => rollupCells(b, t, r),
    reprocessRaw: (from, to) => reprocessRaw(b, from, to),
    rollupVerify: (q) => rollupVerify(b, q),
    summaryVerify: (q) => summaryVerify(b, q),
    summaryMend: (q) => b.summaryMend(q.table, q.fromMinute, q.toMinute),
    counts: () => storeCounts(b),
    schemaVersion: async () => ({ applied: await schemaVersion(b), expected: b.latestSchemaVersion }),
    saveFxRates: (rates, source, at) => saveFxRates(b, rates, source, at),
    replaceFxEffective: (rows) => replaceFxEffective(b, rows),
    expireBefore: (c) => expireBefore(b, c),
    retentionPreview: (c) => retentionPreview(b, c),
    probeWrite: (now) => probeWrite(b, now),
    compactRollups: () => b.compactRollups(),
    ...(b.backupTo ? { backupTo: (path: string) => b.backupTo!(path) } : {}),
    diskBytes: () => b.diskBytes(),
    close: () => b.close(),
  };
}
