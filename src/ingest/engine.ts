// The ingest engine: the one writer. Sources submit inputs; the engine groups queued
// submissions into batches (group commit), prepares each batch on the in-memory state while the
// previous one commits, and answers a submission only once its batch is durable. After each
// commit it publishes the batch's minute deltas to in-process listeners (live, alerts).

import { prepareBatch, type BatchInput, type ItemResult } from './prepare-batch.ts';
import { concatParsed, type ParsedBatch } from './parsed-batch.ts';
import { createParsePool } from './parse-pool.ts';
import { writeSnapshot } from './indexes/state-snapshot.ts';
import { rebuildState } from './ingest-state.ts';
import { emptyRaw } from './batch-columns.ts';
import { emptyTxnRows } from './txn-rows.ts';

/** An empty rollup table's delta rows. */
const noRows = (): RollupColumns => ({
  minute: new Int32Array(0), kind: new Uint8Array(0), cnt: new Int32Array(0), amountMinor: new BigInt64Array(0), feeMinor: new BigInt64Array(0),
  merchantKey: new Int32Array(0), countryKey: new Int32Array(0), cityKey: new Int32Array(0), currencyKey: new Int32Array(0),
  methodKey: new Int32Array(0), providerKey: new Int32Array(0),
});
import type { IngestState } from './indexes/ingest-indexes.ts';
import type { AnalyticsStore, PreparedBatch, RollupColumns, SourcePosition } from '../store/analytics-store.ts';
import type { ParseContext } from '../events/contract.ts';
import type { Logger } from 'pino';
import type { IngestView } from './ingest-view.ts';
import { prepareTrackBatch, TRACK_SOURCE } from '../custom-events/prepare-track-batch.ts';
import { evictTrackedBefore, rebuildTrackState, type TrackState } from '../custom-events/track-state.ts';
import type { TrackItem } from '../custom-events/tracked-event.ts';
import { distinctMinutes } from '../query/result-cache.ts';

const NO_MINUTES = new Int32Array(0);

export interface EngineOptions {
  store: AnalyticsStore;
  log: Logger;
  now?: () => number;
  maxFutureMs: number;
  rawRetentionDays: number;
  maxBatchEvents: number;
  /** Worker threads parsing NDJSON ahead of the engine (0 = parse in the engine thread). */
  parseWorkers?: number;
  /** Where the state snapshot lives (null = never snapshot; restarts replay every raw event). */
  snapshotPath?: string | null;
  /** How often to snapshot while running (0 = only at close). */
  snapshotIntervalMs?: number;
}

export interface CommittedBatch {
  batchId: number;
  committedAt: number;
  source: string;
  accepted: number;
  duplicates: number;
  rejected: number;
  maxOccurredAt: number | null;
  /** Net rollup changes of the batch at minute resolution, with dimension keys. */
  minuteDeltas: RollupColumns;
  /** Dictionary entries the batch added (its keys are in the store from this commit on). */
  dictionary: ReadonlyArray<{ dim: number; key: number; value: string }>;
  /** The distinct minutes (sorted) of the tracked custom events the batch added; empty for payment batches. */
  customMinutes: Int32Array;
  commitMs: number;
}

export interface EngineStats {
  batches: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  rejectedByCode: Record<string, number>;
  failedCommits: number;
  lastCommitMs: number;
  /** Tracked custom events (POST /api/v1/track), apart from the payment events above. */
  tracked: { accepted: number; duplicates: number; rejected: number };
}

interface Pending extends BatchInput {
  /** Null for tracked custom events (checked before they are submitted). */
  parsed: Promise<ParsedBatch> | null;
  resolve: (r: ItemResult[]) => void;
  reject: (e: Error) => void;
}

export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
}

export interface Engine extends IngestView {
  submit(input: BatchInput): Promise<ItemResult[]>;
  /**
   * Tracked custom events (POST /api/v1/track), already checked against their definitions: batched
   * and committed by the same loop as payment events (one writer, one batch id sequence), each
   * batch of one kind. Answers once durable.
   */
  submitTracked(items: TrackItem[]): Promise<ItemResult[]>;
  /** Forgets tracked event ids before a cutoff (custom raw retention). */
  evictTrackedBefore(beforeMs: number): number;
  readonly state: IngestState;
  readonly stats: EngineStats;
  /** Event time up to which committed data reaches (the latest committed occurred_at, capped at now). */
  asOf(): number | null;
  /** Waits for queued work to commit. */
  flush(): Promise<void>;
  /**
   * Rollup corrections (reprocess): at a safe point (no batch prepared and uncommitted, ingest
   * paused), `compute` reads the store and returns delta rows per table, committed as one batch
   * with no raw rows through the store's commit protocol. Resolves to its batch id, or null when
   * `compute` returns null (nothing to correct). A failed commit rebuilds the state and throws.
   */
  correctRollups(source: string, compute: (state: IngestState) => Promise<PreparedBatch['rollups'] | null>): Promise<number | null>;
  /**
   * Records sources' positions with no events (a Kafka partition moved back to reprocess from an
   * offset): one batch with only positions, at a safe point. Resolves to its batch id.
   */
  commitPositions(source: string, positions: readonly SourcePosition[]): Promise<number>;
  /** Writes the state snapshot between two batches; resolves to its size in bytes (0 if skipped). */
  snapshot(): Promise<number>;
  close(): Promise<void>;
}

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const now = opts.now ?? Date.now;
  const started = now();
  const snapshotPath = opts.snapshotPath ?? null;
  let { state, events, fromSnapshot } = await rebuildState(opts.store, snapshotPath);
  let trackState: TrackState = await rebuildTrackState(opts.store);
  const { storeId } = await opts.store.loadMeta();
  opts.log.info({ replayedEvents: events, fromSnapshot, ms: now() - started, txns: state.txns.size }, 'ingest state rebuilt');
  const listeners = new Set<(b: CommittedBatch) => void>();
  const pool = createParsePool(opts.parseWorkers ?? 0, opts.log);
  const queue: Pending[] = [];
  const stats: EngineStats = {
    batches: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {}, failedCommits: 0, lastCommitMs: 0,
    tracked: { accepted: 0, duplicates: 0, rejected: 0 },
  };
  let draining: Promise<void> | null = null;
  let epoch = 0;
  let reloading: Promise<void> | null = null;
  // Backpressure: beyond this many queued events, submissions are refused (503, retry).
  const maxQueuedEvents = opts.maxBatchEvents * 8;
  let queuedEvents = 0;
  let closed = false;

  function context(): ParseContext {
    const t = now();
    return { now: t, maxFutureMs: opts.maxFutureMs, minOccurredAt: t - opts.rawRetentionDays * 86_400_000 };
  }

  function takeGroup(): Pending[] {
    const first = queue.shift()!;
    queuedEvents -= first.items.length;
    const group = [first];
    let size = first.items.length;
    while (queue.length > 0 && queue[0].source === first.source && !queue[0].replayIds && !first.replayIds &&
      (queue[0].parsed === null) === (first.parsed === null) &&
      size + queue[0].items.length <= opts.maxBatchEvents) {
      const next = queue.shift()!;
      queuedEvents -= next.items.length;
      size += next.items.length;
      group.push(next);
    }
    return group;
  }

  function merge(group: Pending[]): BatchInput {
    if (group.length === 1) return group[0];
    const items: unknown[] = [];
    const itemIndex = new Int32Array(group.reduce((n, g) => n + g.items.length, 0));
    // Later submissions of a source stand further along it: the last position of each source wins.
    const positions = new Map<string, SourcePosition>();
    for (const g of group) {
      for (let i = 0; i < g.items.length; i++) {
        itemIndex[items.length] = i;
        items.push(g.items[i]);
      }
      for (const p of g.positions ?? []) positions.set(p.source, p);
    }
    return { source: group[0].source, positions: [...positions.values()], items, itemIndex };
  }

  async function commit(prev: Promise<void> | null, batch: PreparedBatch, results: ItemResult[],
    group: Pending[], batchEpoch: number): Promise<void> {
    if (prev) await prev;
    if (batchEpoch !== epoch) {
      group.forEach((g) => g.reject(new StoreUnavailableError('an earlier batch failed to commit; retry')));
      return;
    }
    const t0 = performance.now();
    try {
      await opts.store.commitBatch(batch);
    } catch (err) {
      stats.failedCommits++;
      opts.log.error({ err, batchId: batch.batchId }, 'batch commit failed; rebuilding state from the store');
      startReload();
      group.forEach((g) => g.reject(new StoreUnavailableError('the analytics store could not commit the batch; retry')));
      return;
    }
    const commitMs = performance.now() - t0;
    stats.batches++;
    const counts = batch.custom ? stats.tracked : stats;
    counts.accepted += batch.accepted;
    counts.duplicates += batch.duplicates;
    counts.rejected += batch.rejected;
    stats.lastCommitMs = commitMs;
    for (const d of batch.deadLetters) stats.rejectedByCode[d.code] = (stats.rejectedByCode[d.code] ?? 0) + 1;
    if (batch.maxOccurredAt !== null && (state.maxOccurredAt === null || batch.maxOccurredAt > state.maxOccurredAt)) {
      state.maxOccurredAt = batch.maxOccurredAt;
    }
    state.lastCommittedAt = batch.committedAt;
    let offset = 0;
    for (const g of group) {
      g.resolve(results.slice(offset, offset + g.items.length));
      offset += g.items.length;
    }
    publish(batch, commitMs);
  }

  function publish(batch: PreparedBatch, commitMs: number): void {
    const committed: CommittedBatch = {
      batchId: batch.batchId, committedAt: batch.committedAt, source: batch.source, accepted: batch.accepted,
      duplicates: batch.duplicates, rejected: batch.rejected, maxOccurredAt: batch.maxOccurredAt,
      minuteDeltas: batch.rollups.minute, dictionary: batch.dictionary, commitMs,
      customMinutes: batch.custom ? distinctMinutes(batch.custom.raw.map((e) => Math.floor(e.occurredAt / 60_000))) : NO_MINUTES,
    };
    for (const l of listeners) {
      try {
        l(committed);
      } catch (err) {
        opts.log.error({ err }, 'commit listener failed');
      }
    }
  }

  /**
   * Invalidates every batch prepared so far and rebuilds the state from the store, retrying
   * with backoff until it succeeds; no batch is prepared meanwhile (drain awaits `reloading`).
   */
  function startReload(): void {
    epoch++;
    if (reloading) return;
    reloading = (async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          state = (await rebuildState(opts.store, snapshotPath)).state;
          trackState = await rebuildTrackState(opts.store);
          return;
        } catch (err) {
          opts.log.error({ err, attempt }, 'state rebuild failed; retrying');
          await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)));
        }
      }
    })().finally(() => { reloading = null; });
  }

  // A safe point is a moment with no batch prepared and uncommitted: the state then equals the
  // store. atSafePoint runs a synchronous function at the next one.
  let pauseRequest: (() => void) | null = null;
  let resume: Promise<void> = Promise.resolve();

  let safePoints: Promise<unknown> = Promise.resolve();

  /** Runs `fn` at the next safe point; concurrent callers take turns. */
  function atSafePoint<T>(fn: () => T | Promise<T>): Promise<T> {
    const turn = safePoints.then(() => atNextSafePoint(fn));
    safePoints = turn.catch(() => undefined);
    return turn;
  }

  async function atNextSafePoint<T>(fn: () => T | Promise<T>): Promise<T> {
    if (draining) {
      let release!: () => void;
      resume = new Promise<void>((r) => { release = r; });
      await new Promise<void>((reached) => { pauseRequest = reached; });
      try {
        return await fn();
      } finally {
        release();
      }
    }
    return await fn();
  }

  async function drain(): Promise<void> {
    let inflight: Promise<void> | null = null;
    for (;;) {
      if (pauseRequest) {
        if (inflight) await inflight;
        inflight = null;
        const reached = pauseRequest;
        pauseRequest = null;
        reached();
        await resume;
        continue;
      }
      if (queue.length === 0) {
        if (!inflight) return;
        await inflight;
        inflight = null;
        continue;
      }
      const group = takeGroup();
      let prepared;
      let batchEpoch;
      try {
        const tracked = group[0].parsed === null;
        const parsed = tracked ? null : concatParsed(await Promise.all(group.map((g) => g.parsed!)));
        // TRICKY: nothing may await between this check and prepareBatch, which mutates the state:
        // a batch prepared on a state that a failed commit has invalidated must never commit.
        if (reloading) await reloading;
        batchEpoch = epoch;
        const input = merge(group);
        prepared = parsed === null
          ? prepareTrackBatch(state, trackState, input.items as TrackItem[], now(), input.itemIndex)
          : prepareBatch(state, input, parsed, now());
      } catch (err) {
        // A bug in preparation may have half-applied the batch to the state: rebuild it, after
        // the commit in flight (prepared on the good state) has finished.
        opts.log.error({ err }, 'batch preparation failed; rebuilding state');
        group.forEach((g) => g.reject(err as Error));
        if (inflight) await inflight.catch(() => undefined);
        inflight = null;
        startReload();
        continue;
      }
      const prev: Promise<void> | null = inflight;
      inflight = commit(prev, prepared.batch, prepared.results, group, batchEpoch);
      if (prev) await prev;
    }
  }

  function kick(): void {
    if (!draining) {
      draining = drain().catch((err) => {
        opts.log.error({ err }, 'ingest loop failed; rebuilding state');
        startReload();
      }).finally(() => {
        draining = null;
        // A pause asked for while the loop was finishing: idle is a safe point too.
        if (pauseRequest) { const reached = pauseRequest; pauseRequest = null; reached(); }
        if (queue.length > 0) void resume.then(kick);
      });
    }
  }

  function takeSnapshot(): number {
    if (!snapshotPath || reloading) return 0;
    const t0 = performance.now();
    const bytes = writeSnapshot(snapshotPath, state, storeId);
    opts.log.info({ bytes, ms: Math.round(performance.now() - t0), lastBatchId: state.nextBatchId - 1 }, 'state snapshot written');
    return bytes;
  }

  /** Commits a batch without events (rollup corrections, positions); at a safe point only. */
  async function commitWithoutEvents(source: string, rollups: PreparedBatch['rollups'], positions: readonly SourcePosition[]): Promise<number> {
    if (closed) throw new StoreUnavailableError('the engine is shutting down');
    const batch: PreparedBatch = {
      batchId: state.nextBatchId++, committedAt: now(), source, positions, raw: emptyRaw(0), rollups, txns: emptyTxnRows(),
      dictionary: [], deadLetters: [], replayed: [], accepted: 0, duplicates: 0, rejected: 0, maxOccurredAt: null,
    };
    const t0 = performance.now();
    try {
      await opts.store.commitBatch(batch);
    } catch (err) {
      stats.failedCommits++;
      opts.log.error({ err, batchId: batch.batchId }, 'batch without events failed to commit; rebuilding state from the store');
      startReload();
      throw new StoreUnavailableError('the analytics store could not commit the batch; retry');
    }
    stats.batches++;
    state.lastCommittedAt = batch.committedAt;
    publish(batch, performance.now() - t0);
    return batch.batchId;
  }

  const snapshotTimer = snapshotPath && opts.snapshotIntervalMs
    ? setInterval(() => { atSafePoint(takeSnapshot).catch((err) => opts.log.error({ err }, 'state snapshot failed')); }, opts.snapshotIntervalMs)
    : null;
  snapshotTimer?.unref();

  return {
    get state() { return state; },
    get dict() { return state.dict; },
    stats,
    submit(input) {
      if (closed) return Promise.reject(new StoreUnavailableError('the engine is shutting down'));
      if (reloading) return Promise.reject(new StoreUnavailableError('the engine is recovering from a failed commit; retry'));
      if (queuedEvents + input.items.length > maxQueuedEvents) {
        return Promise.reject(new StoreUnavailableError('ingest is saturated; retry'));
      }
      if (input.items.length === 0) return Promise.resolve([]);
      return new Promise<ItemResult[]>((resolve, reject) => {
        queuedEvents += input.items.length;
        queue.push({ ...input, parsed: pool.parse(input.items, context(), input.refused), resolve, reject });
        kick();
      });
    },
    submitTracked(items) {
      if (closed) return Promise.reject(new StoreUnavailableError('the engine is shutting down'));
      if (reloading) return Promise.reject(new StoreUnavailableError('the engine is recovering from a failed commit; retry'));
      if (queuedEvents + items.length > maxQueuedEvents) return Promise.reject(new StoreUnavailableError('ingest is saturated; retry'));
      if (items.length === 0) return Promise.resolve([]);
      return new Promise<ItemResult[]>((resolve, reject) => {
        queuedEvents += items.length;
        queue.push({ source: TRACK_SOURCE, items, parsed: null, resolve, reject });
        kick();
      });
    },
    evictTrackedBefore: (beforeMs) => evictTrackedBefore(trackState, beforeMs),
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    asOf() {
      if (state.maxOccurredAt === null) return null;
      return Math.min(state.maxOccurredAt, now());
    },
    async flush() {
      while (draining || queue.length > 0) {
        if (draining) await draining;
        else await new Promise((r) => setImmediate(r));
      }
    },
    snapshot: () => atSafePoint(takeSnapshot),
    correctRollups(source, compute) {
      return atSafePoint(async () => {
        if (reloading) await reloading;
        const rollups = await compute(state);
        return rollups === null ? null : commitWithoutEvents(source, rollups, []);
      });
    },
    commitPositions(source, positions) {
      return atSafePoint(async () => {
        if (reloading) await reloading;
        return commitWithoutEvents(source, { minute: noRows(), hour: noRows(), day: noRows() }, positions);
      });
    },
    async close() {
      closed = true;
      if (snapshotTimer) clearInterval(snapshotTimer);
      while (draining) await draining;
      await pool.close();
      try {
        takeSnapshot();
      } catch (err) {
        opts.log.error({ err }, 'state snapshot at close failed');
      }
    },
  };
}
