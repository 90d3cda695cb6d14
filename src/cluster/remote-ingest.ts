// The ingest view of a process that only reads the store (ROLE=api, evaluator): what the engine
// tells an ingesting process, learnt from the store at start and then from the commit feed.
// - as-of: the store's latest committed event time, then each commit's;
// - the dictionary: the store's, then each commit's additions (a query decodes keys with it);
// - commits: each feed message, to the live window, the cache and the metrics.
// A gap in batch ids (messages lost while Redis or this process was away, or a writer killed
// between its commit and its message) reloads the dictionary and the as-of from the store, then
// tells the app (`onStale('gap')`), which empties its result cache and seeds the live window again
// from the store; a periodic check does the same for a quiet feed that lost its last messages.
// An FX change on the consumer arrives as its own message (`onStale('fx')`).

import type { Logger } from 'pino';
import type { CommittedBatch } from '../ingest/engine.ts';
import type { IngestView, StaleReason } from '../ingest/ingest-view.ts';
import { createDictionary, restoreKey, type Dictionary } from '../ingest/indexes/dimensions.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import { decodeFeed, subscribeCommits } from './commit-feed.ts';

export interface RemoteIngest extends IngestView {
  /** Called after a reload from the store that followed lost messages, and when FX rates changed (cached answers are stale then). */
  onStale(listener: (why: StaleReason) => void): void;
  close(): Promise<void>;
}

const CHECK_MS = 30_000;

export async function openRemoteIngest(o: {
  store: AnalyticsStore; redisUrl: string; prefix: string; log: Logger; now?: () => number; checkMs?: number;
}): Promise<RemoteIngest> {
  const now = o.now ?? Date.now;
  const listeners = new Set<(b: CommittedBatch) => void>();
  const staleListeners = new Set<(why: StaleReason) => void>();
  const stale = (why: StaleReason) => {
    for (const l of staleListeners) {
      try {
        l(why);
      } catch (err) {
        o.log.error({ err }, 'stale listener failed');
      }
    }
  };
  let dict: Dictionary = createDictionary();
  let storeId = '';
  let lastBatchId = 0;
  let maxOccurredAt: number | null = null;

  async function reload(): Promise<void> {
    const [meta, entries] = await Promise.all([o.store.loadMeta(), o.store.loadDictionary()]);
    const fresh = createDictionary();
    for (const d of entries) restoreKey(fresh, d.dim, d.key, d.value);
    dict = fresh;
    storeId = meta.storeId;
    lastBatchId = Math.max(lastBatchId, meta.lastBatchId);
    if (meta.maxOccurredAt !== null && (maxOccurredAt === null || meta.maxOccurredAt > maxOccurredAt)) maxOccurredAt = meta.maxOccurredAt;
  }

  let reloading: Promise<void> | null = null;
  function resync(why: string): void {
    reloading ??= reload()
      .then(() => stale('gap'))
      .catch((err) => o.log.error({ err, why }, 'commit feed: reload from the store failed; trying again at the next check'))
      .finally(() => { reloading = null; });
  }

  function onMessage(text: string): void {
    const m = decodeFeed(text);
    if (!m) {
      o.log.warn('commit feed: a message that is neither a commit nor an FX change, ignored');
      return;
    }
    if (m.storeId !== storeId) return; // another store's writer on the same prefix
    if (!('batch' in m)) {
      stale('fx');
      return;
    }
    const b = m.batch;
    if (b.batchId <= lastBatchId && !reloading) return; // seen already (or read from the store)
    if (b.batchId > lastBatchId + 1) resync(`batch ${b.batchId} after ${lastBatchId}`);
    for (const d of b.dictionary) restoreKey(dict, d.dim, d.key, d.value);
    lastBatchId = Math.max(lastBatchId, b.batchId);
    if (b.maxOccurredAt !== null && (maxOccurredAt === null || b.maxOccurredAt > maxOccurredAt)) maxOccurredAt = b.maxOccurredAt;
    for (const l of listeners) {
      try {
        l(b);
      } catch (err) {
        o.log.error({ err }, 'commit listener failed');
      }
    }
  }

  await reload();
  const unsubscribe = await subscribeCommits({
    url: o.redisUrl, prefix: o.prefix, log: o.log, onMessage, onReconnect: () => resync('redis reconnected'),
  });
  // A quiet feed, or one that lost its last messages: the store says whether anything was missed.
  const timer = setInterval(() => {
    o.store.loadMeta().then((meta) => { if (meta.lastBatchId > lastBatchId) resync(`the store is at batch ${meta.lastBatchId}, the feed at ${lastBatchId}`); })
      .catch((err) => o.log.warn({ err }, 'commit feed: store check failed'));
  }, o.checkMs ?? CHECK_MS);
  timer.unref();

  return {
    asOf: () => (maxOccurredAt === null ? null : Math.min(maxOccurredAt, now())),
    onCommit(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    get dict() { return dict; },
    stats: null,
    onStale(l) { staleListeners.add(l); },
    async close() {
      clearInterval(timer);
      await unsubscribe();
      await reloading;
    },
  };
}
