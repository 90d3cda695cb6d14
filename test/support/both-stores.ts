// Test helper: the same events in an embedded DuckDB store and in a real ClickHouse database (a
// private clickhouse-server, test/support/clickhouse-server.ts), each opened through the port as
// the platform opens it and filled by its own ingest engine — for the tests that compare a store
// query's answer with an independent fold of the events, and the two backends with each other.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse } from './clickhouse-server.ts';
import { openAnalyticsStore, type StoreConfig } from '../../src/store/open-analytics-store.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { createEngine, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';

export interface StoreSide { name: 'duckdb' | 'clickhouse'; store: AnalyticsStore; engine: Engine }

export interface BothStores {
  /** DuckDB first, then ClickHouse. */
  sides: StoreSide[];
  /** Closes the engines and stores, stops the server, removes the directory. */
  close(): Promise<void>;
}

export interface BothStoresOptions {
  /** Names the source, the temp directory and the ClickHouse database. */
  name: string;
  /** The engines' clock. */
  now: number;
  events: readonly Record<string, string>[];
  /** Events per submit (default: all in one). */
  chunk?: number;
  /** The engines' batch size (default 300). */
  maxBatchEvents?: number;
}

export async function openBothStores(o: BothStoresOptions): Promise<BothStores> {
  const server = await startClickHouse();
  const dir = mkdtempSync(join(tmpdir(), `molam-${o.name}-`));
  const sides: StoreSide[] = [];
  const close = async () => {
    for (const s of sides) {
      await s.engine.close();
      await s.store.close();
    }
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const config: StoreConfig = {
      ANALYTICS_STORE: 'duckdb', DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '256MB', DUCKDB_THREADS: 1, DUCKDB_CHECKPOINT_THRESHOLD: '16MB',
      CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: await server.createDatabase(o.name.replace(/\W/g, '_')), CLICKHOUSE_USER: '', CLICKHOUSE_PASSWORD: '',
    };
    for (const name of ['duckdb', 'clickhouse'] as const) {
      const store = await openAnalyticsStore({ ...config, ANALYTICS_STORE: name });
      const engine = await createEngine({
        store, log: createLogger('silent'), now: () => o.now, maxFutureMs: 300_000, rawRetentionDays: 400,
        maxBatchEvents: o.maxBatchEvents ?? 300, parseWorkers: 0,
      });
      sides.push({ name, store, engine });
      const chunk = o.chunk ?? o.events.length;
      for (let i = 0; i < o.events.length; i += chunk) await engine.submit({ source: o.name, positions: [], items: o.events.slice(i, i + chunk) });
      await engine.flush();
    }
    return { sides, close };
  } catch (err) {
    await close().catch(() => {});
    throw err;
  }
}
