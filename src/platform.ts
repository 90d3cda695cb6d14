// Opens the stores and the engine from a config: what the server and the CLI share. The CLI
// needs the analytics side only (openAnalytics); the server also the state store, opened
// alongside the analytics store — or in the background, the server serving meanwhile.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Config } from './config.ts';
import { createEngine, type Engine } from './ingest/engine.ts';
import { openAnalyticsStore } from './store/open-analytics-store.ts';
import { DEFAULT_REGIONS_FILE, loadRegions } from './reference/regions.ts';
import { loadFxRates, parseFxCsv, rebuildEffective } from './fx/fx-rates.ts';
import type { AnalyticsStore } from './store/analytics-store.ts';
import { openStateStore, openStateStoreInBackground } from './state-store/open-state-store.ts';
import type { StateStore } from './state-store/state-store.ts';
import { openRemoteIngest, type RemoteIngest } from './cluster/remote-ingest.ts';

export interface AnalyticsPlatform {
  store: AnalyticsStore;
  engine: Engine;
  regions: Map<string, string>;
  close(): Promise<void>;
}

/** A process that only reads the analytics store (ROLE=api, evaluator): no engine, the commit feed instead. */
export interface ReaderAnalytics {
  store: AnalyticsStore;
  engine: null;
  ingest: RemoteIngest;
  regions: Map<string, string>;
  close(): Promise<void>;
}

interface WithState {
  /** The relational state store: alerts, silences, webhooks, outbox, audit. */
  state: StateStore;
  /** Resolves once the state store is open (at once unless opened in the background). */
  stateOpened: Promise<void>;
}

export interface Platform extends AnalyticsPlatform, WithState {}
export interface ReaderPlatform extends ReaderAnalytics, WithState {}

/** The analytics side of a reading process: the store opened for reading, and the remote ingest view. */
export async function openReader(config: Config, log: Logger, now: () => number = Date.now): Promise<ReaderAnalytics> {
  if (!config.REDIS_URL) throw new Error(`ROLE=${config.ROLE} follows the ingesting process's commits through Redis: set REDIS_URL`);
  const regions = loadRegions(readFileSync(config.REGIONS_FILE || DEFAULT_REGIONS_FILE, 'utf8'));
  const store = await openAnalyticsStore(config, log, { reader: true });
  try {
    const ingest = await openRemoteIngest({ store, redisUrl: config.REDIS_URL, prefix: config.REDIS_PREFIX, log, now });
    return {
      store, engine: null, ingest, regions,
      async close() {
        await ingest.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

export async function openAnalytics(config: Config, log: Logger, now: () => number = Date.now): Promise<AnalyticsPlatform> {
  const regions = loadRegions(readFileSync(config.REGIONS_FILE || DEFAULT_REGIONS_FILE, 'utf8'));
  let store: AnalyticsStore;
  try {
    store = await openAnalyticsStore(config, log);
  } catch (err) {
    const msg = String((err as Error).message);
    if (config.ANALYTICS_STORE === 'clickhouse' && /in use by another writing process/.test(msg)) {
      throw new Error(`${msg}. Stop it, or send events to it over HTTP (ingest --url http://localhost:8080).`);
    }
    if (config.ANALYTICS_STORE === 'duckdb' && /lock/i.test(msg)) {
      throw new Error(`the store in ${config.DATA_DIR} is in use by another process (a running server?). ` +
        'Stop it, or send events to it over HTTP (ingest --url http://localhost:8080).');
    }
    throw err;
  }
  try {
    // The per-day FX table follows today (and USD = 1 needs no file): refresh it at every start.
    await rebuildEffective(store, now());
    if (config.FX_FILE) {
      const n = await loadFxRates(store, parseFxCsv(readFileSync(config.FX_FILE, 'utf8'), now()), `file:${config.FX_FILE}`, now());
      log.info({ rates: n, file: config.FX_FILE }, 'FX rates loaded');
    }
    const engine = await createEngine({
      store, log, now,
      maxFutureMs: config.MAX_FUTURE_SKEW_SECONDS * 1000,
      rawRetentionDays: config.RAW_RETENTION_DAYS,
      maxBatchEvents: config.INGEST_MAX_BATCH_EVENTS,
      parseWorkers: config.PARSE_WORKERS,
      snapshotPath: join(config.DATA_DIR, 'ingest-state.snapshot'),
      snapshotIntervalMs: config.STATE_SNAPSHOT_INTERVAL_SECONDS * 1000,
    });
    return {
      store, engine, regions,
      async close() {
        await engine.close();
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

/**
 * Both stores and the engine. The state store opens alongside the analytics store; with
 * `stateInBackground` the platform is returned without waiting for it (its store answers
 * state_unavailable until `stateOpened`, and an unreachable PostgreSQL is retried), and it starts
 * opening once `stateAfter` settles.
 */
export async function openPlatform(config: Config, log: Logger, now: () => number = Date.now,
  o: { stateInBackground?: boolean; stateAfter?: Promise<unknown> } = {}): Promise<Platform> {
  return withStateStore(config, log, () => openAnalytics(config, log, now), o);
}

/** Both stores, the analytics one opened for reading (a cluster's api and evaluator replicas). */
export async function openReaderPlatform(config: Config, log: Logger, now: () => number = Date.now,
  o: { stateInBackground?: boolean; stateAfter?: Promise<unknown> } = {}): Promise<ReaderPlatform> {
  return withStateStore(config, log, () => openReader(config, log, now), o);
}

async function withStateStore<A extends { close(): Promise<void> }>(config: Config, log: Logger, openAnalyticsSide: () => Promise<A>,
  o: { stateInBackground?: boolean; stateAfter?: Promise<unknown> }): Promise<A & WithState> {
  const stateOptions = { databaseUrl: config.DATABASE_URL, schema: config.DATABASE_SCHEMA, dataDir: config.DATA_DIR };
  const background = o.stateInBackground ? openStateStoreInBackground(stateOptions, log, o.stateAfter) : null;
  const opening = background ? null : openStateStore(stateOptions);
  opening?.catch(() => undefined); // awaited below; this only keeps a failure while the analytics store opens from going unhandled
  let analytics: A;
  try {
    analytics = await openAnalyticsSide();
  } catch (err) {
    await (background ? background.store.close() : opening!.then((s) => s.close(), () => undefined));
    throw err;
  }
  let state: StateStore;
  try {
    state = background ? background.store : await opening!;
  } catch (err) {
    await analytics.close();
    throw err;
  }
  return {
    ...analytics, state,
    stateOpened: background ? background.opened : Promise.resolve(),
    async close() {
      await analytics.close();
      await state.close();
    },
  };
}
