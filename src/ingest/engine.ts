// The ingest engine: the one writer. Sources submit inputs; the engine groups queued
// submissions into batches (group commit), prepares each batch on the in-memory state while the
// previous one commits, and answers a submission only once its batch is durable. After each
// commit it publishes the batch's minute deltas to in-process listeners (live, alerts).

import { prepareBatch, type BatchInput, type ItemResult } from './prepare-batch.ts';
import { concatParsed, type ParsedBatch } from './parsed-batch.ts';
import { createParsePool } from './parse-pool.ts';
import { rebuildState, type IngestState } from './ingest-state.ts';
import type { AnalyticsStore, PreparedBatch, RollupColumns } from '../store/analytics-store.ts';
import type { ParseContext } from '../events/contract.ts';
import type { Logger } from 'pino';

export interface EngineOptions {
  store: AnalyticsStore;
  log: Logger;
  now?: () => number;
  maxFutureMs: number;
  rawRetentionDays: number;
  maxBatchEvents: number;
  /** Worker threads parsing NDJSON ahead of the engine (0 = parse in the engine thread). */
  parseWorkers?: number;
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
}

interface Pending extends BatchInput {
  parsed: Promise<ParsedBatch>;
  resolve: (r: ItemResult[]) => void;
  reject: (e: Error) => void;
}

export class StoreUnavailableError extends Error {
  readonly code = 'store_unavailable';
}

export interface Engine {
  submit(input: BatchInput): Promise<ItemResult[]>;
  onCommit(listener: (b: CommittedBatch) => void): () => void;
  readonly state: IngestState;
  readonly stats: EngineStats;
  /** Event time up to which committed data reaches (the latest committed occurred_at, capped at now). */
  asOf(): number | null;
  /** Waits for queued work to commit. */
  flush(): Promise<void>;
  close(): Promise<void>;
}

export async function createEngine(opts: EngineOptions): Promise<Engine> {
  const now = opts.now ?? Date.now;
  const started = now();
  let { state, events } = await rebuildState(opts.store);
  opts.log.info({ events, ms: now() - started, txns: state.txns.size }, 'ingest state rebuilt from raw events');
  const listeners = new Set<(b: CommittedBatch) => void>();
  const pool = createParsePool(opts.parseWorkers ?? 0, opts.log);
  const queue: Pending[] = [];
  const stats: EngineStats = {
    batches: 0, accepted: 0, duplicates: 0, rejected: 0, rejectedByCode: {}, failedCommits: 0, lastCommitMs: 0,
  };
  let draining: Promise<void> | null = null;
  let epoch = 0;
  let reloading: Promise<void> | null = null;
  let closed = false;

  function context(): ParseContext {
    const t = now();
    return { now: t, maxFutureMs: opts.maxFutureMs, minOccurredAt: t - opts.rawRetentionDays * 86_400_000 };
  }

  function takeGroup(): Pending[] {
    const first = queue.shift()!;
    const group = [first];
    let size = first.items.length;
    while (queue.length > 0 && queue[0].source === first.source && !queue[0].replayIds && !first.replayIds &&
      size + queue[0].items.length <= opts.maxBatchEvents) {
      const next = queue.shift()!;
      size += next.items.length;
      group.push(next);
    }
    return group;
  }

  function merge(group: Pending[]): BatchInput {
    if (group.length === 1) return group[0];
    const items: unknown[] = [];
    let position: string | null = null;
    for (const g of group) {
      for (const it of g.items) items.push(it);
      if (g.position !== null) position = g.position;
    }
    return { source: group[0].source, position, items };
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
      epoch++;
      opts.log.error({ err, batchId: batch.batchId }, 'batch commit failed; rebuilding state from the store');
      reloading = rebuildState(opts.store).then((r) => { state = r.state; }).finally(() => { reloading = null; });
      group.forEach((g) => g.reject(new StoreUnavailableError('the analytics store could not commit the batch; retry')));
      return;
    }
    const commitMs = performance.now() - t0;
    stats.batches++;
    stats.accepted += batch.accepted;
    stats.duplicates += batch.duplicates;
    stats.rejected += batch.rejected;
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
    const committed: CommittedBatch = {
      batchId: batch.batchId, committedAt: batch.committedAt, source: batch.source, accepted: batch.accepted,
      duplicates: batch.duplicates, rejected: batch.rejected, maxOccurredAt: batch.maxOccurredAt,
      minuteDeltas: batch.rollups.minute, commitMs,
    };
    for (const l of listeners) {
      try {
        l(committed);
      } catch (err) {
        opts.log.error({ err }, 'commit listener failed');
      }
    }
  }

  async function drain(): Promise<void> {
    let inflight: Promise<void> | null = null;
    for (;;) {
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
        const parsed = concatParsed(await Promise.all(group.map((g) => g.parsed)));
        // TRICKY: nothing may await between this check and prepareBatch, which mutates the state:
        // a batch prepared on a state that a failed commit has invalidated must never commit.
        if (reloading) await reloading;
        batchEpoch = epoch;
        prepared = prepareBatch(state, merge(group), parsed, now());
      } catch (err) {
        // A bug in preparation may have half-applied the batch to the state: rebuild it, after
        // the commit in flight (prepared on the good state) has finished.
        opts.log.error({ err }, 'batch preparation failed; rebuilding state');
        group.forEach((g) => g.reject(err as Error));
        if (inflight) await inflight.catch(() => undefined);
        inflight = null;
        epoch++;
        state = (await rebuildState(opts.store)).state;
        continue;
      }
      const prev: Promise<void> | null = inflight;
      inflight = commit(prev, prepared.batch, prepared.results, group, batchEpoch);
      if (prev) await prev;
    }
  }

  function kick(): void {
    if (!draining) draining = drain().finally(() => { draining = null; if (queue.length > 0) kick(); });
  }

  return {
    get state() { return state; },
    stats,
    submit(input) {
      if (closed) return Promise.reject(new StoreUnavailableError('the engine is shutting down'));
      if (input.items.length === 0) return Promise.resolve([]);
      return new Promise<ItemResult[]>((resolve, reject) => {
        queue.push({ ...input, parsed: pool.parse(input.items, context()), resolve, reject });
        kick();
      });
    },
    onCommit(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    asOf() {
      if (state.maxOccurredAt === null) return null;
      return Math.min(state.maxOccurredAt, now());
    },
    async flush() {
      while (draining) await draining;
    },
    async close() {
      closed = true;
      while (draining) await draining;
      await pool.close();
    },
  };
}
