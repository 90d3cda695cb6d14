// The analytics store: a backend chosen by configuration (ANALYTICS_STORE), with the named
// queries of queries/ bound to it. Adding a backend: a folder like duckdb/ implementing
// StoreBackend, a branch below, and its SQL side in each query module.

import type { AnalyticsStore } from './analytics-store.ts';
import type { StoreBackend } from './backend.ts';
import { rawEventById, rawEventPage, rawEventStats } from './queries/raw-events.ts';
import { deadLetters } from './queries/dead-letters.ts';
import { fxEffective, fxRateCount, fxRates, replaceFxEffective, saveFxRates } from './queries/fx.ts';
import { liveSeed } from './queries/live-seed.ts';
import { expireBefore } from './queries/retention.ts';
import { probeWrite, schemaVersion, storeCounts } from './queries/store-facts.ts';
import { rollupCells } from './queries/rollup-cells.ts';

/** The port over one backend. */
export function analyticsStore(b: StoreBackend): AnalyticsStore {
  return {
    backend: b.kind,
    commitBatch: (batch) => b.commitBatch(batch),
    scanState: (visit, after) => b.scanState(visit, after),
    loadDictionary: () => b.loadDictionary(),
    loadMeta: () => b.loadMeta(),
    sourcePosition: (source) => b.sourcePosition(source),
    queryColumns: (sql) => b.selectColumns(sql),
    rawEventPage: (q) => rawEventPage(b, q),
    rawEventStats: (q) => rawEventStats(b, q),
    rawEventById: (id) => rawEventById(b, id),
    deadLetters: (q) => deadLetters(b, q),
    fxRates: (f) => fxRates(b, f),
    fxRateCount: () => fxRateCount(b),
    fxEffective: (from, to) => fxEffective(b, from, to),
    liveSeed: (from) => liveSeed(b, from),
    rollupCells: (t) => rollupCells(b, t),
    counts: () => storeCounts(b),
    schemaVersion: async () => ({ applied: await schemaVersion(b), expected: b.latestSchemaVersion }),
    saveFxRates: (rates, source, at) => saveFxRates(b, rates, source, at),
    replaceFxEffective: (rows, version) => replaceFxEffective(b, rows, version),
    expireBefore: (c) => expireBefore(b, c),
    probeWrite: (now) => probeWrite(b, now),
    diskBytes: () => b.diskBytes(),
    close: () => b.close(),
  };
}
