// The commit feed: in a cluster, the process that ingests publishes each committed batch on Redis
// (`<REDIS_PREFIX>:commits`), and the processes that only read the store follow it
// (remote-ingest.ts): their live windows, caches, as-of watermark and dictionaries move with
// every commit, as an ingesting process's do with its engine's.
//
// A second kind of message says the FX rates changed (loaded on the consumer): readers empty
// their caches and reload the live window's rates.
//
// A commit message carries what a reader cannot cheaply ask the store for at each commit: the batch's
// net minute deltas (the live window), the minutes of the custom events it added (the cache), the
// dictionary entries it added (to decode them), its id (a gap means messages were lost: the
// reader reloads from the store) and the store's id (a feed of another store is ignored). Redis pub/sub keeps nothing: a reader that was away reloads what
// matters from the store, which stays the truth.

import { createClient } from 'redis';
import type { Logger } from 'pino';
import type { CommittedBatch } from '../ingest/engine.ts';
import type { IngestView } from '../ingest/ingest-view.ts';
import type { RollupColumns } from '../store/analytics-store.ts';

export interface CommitMessage {
  v: 1;
  storeId: string;
  batchId: number;
  committedAt: number;
  maxOccurredAt: number | null;
  dictionary: Array<{ dim: number; key: number; value: string }>;
  /** The minute deltas, column by column; money as decimal strings. */
  minute: Record<keyof RollupColumns, Array<number | string>>;
  /** The distinct minutes of the tracked custom events the batch added (absent: none). */
  custom?: number[];
}

const INT_COLUMNS = ['minute', 'merchantKey', 'countryKey', 'cityKey', 'currencyKey', 'methodKey', 'providerKey', 'cnt'] as const;

export function channelOf(prefix: string): string {
  return `${prefix}:commits`;
}

export function encodeCommit(storeId: string, b: CommittedBatch): string {
  const d = b.minuteDeltas;
  const minute = {} as CommitMessage['minute'];
  for (const c of INT_COLUMNS) minute[c] = Array.from(d[c]);
  minute.kind = Array.from(d.kind);
  minute.amountMinor = Array.from(d.amountMinor, String);
  minute.feeMinor = Array.from(d.feeMinor, String);
  const m: CommitMessage = {
    v: 1, storeId, batchId: b.batchId, committedAt: b.committedAt, maxOccurredAt: b.maxOccurredAt,
    dictionary: [...b.dictionary], minute,
  };
  if (b.customMinutes.length > 0) m.custom = Array.from(b.customMinutes);
  return JSON.stringify(m);
}

export interface FxMessage {
  v: 1;
  storeId: string;
  /** When the rates were loaded. */
  fxChangedAt: number;
}

export function encodeFxChange(storeId: string, at: number): string {
  const m: FxMessage = { v: 1, storeId, fxChangedAt: at };
  return JSON.stringify(m);
}

export type FeedMessage = { storeId: string; batch: CommittedBatch } | { storeId: string; fxChangedAt: number };

/** What a message says (a commit, as much of it as readers use, or an FX change), or null if it is neither. */
export function decodeFeed(text: string): FeedMessage | null {
  let m: CommitMessage & Partial<FxMessage>;
  try {
    m = JSON.parse(text) as CommitMessage;
  } catch {
    return null;
  }
  if (m?.v === 1 && typeof m.storeId === 'string' && Number.isFinite(m.fxChangedAt)) return { storeId: m.storeId, fxChangedAt: m.fxChangedAt! };
  if (m?.v !== 1 || typeof m.storeId !== 'string' || !Number.isInteger(m.batchId) || !m.minute) return null;
  const n = m.minute.minute?.length ?? 0;
  const ints = (c: (typeof INT_COLUMNS)[number]) => Int32Array.from(m.minute[c] as number[]);
  if (![...INT_COLUMNS, 'kind', 'amountMinor', 'feeMinor'].every((c) => m.minute[c as keyof RollupColumns]?.length === n)) return null;
  const minuteDeltas: RollupColumns = {
    minute: ints('minute'), merchantKey: ints('merchantKey'), countryKey: ints('countryKey'), cityKey: ints('cityKey'),
    currencyKey: ints('currencyKey'), methodKey: ints('methodKey'), providerKey: ints('providerKey'), cnt: ints('cnt'),
    kind: Uint8Array.from(m.minute.kind as number[]),
    amountMinor: BigInt64Array.from(m.minute.amountMinor, (v) => BigInt(v)),
    feeMinor: BigInt64Array.from(m.minute.feeMinor, (v) => BigInt(v)),
  };
  return {
    storeId: m.storeId,
    batch: {
      batchId: m.batchId, committedAt: m.committedAt, source: 'feed', accepted: 0, duplicates: 0, rejected: 0,
      maxOccurredAt: m.maxOccurredAt, minuteDeltas, dictionary: m.dictionary ?? [], commitMs: 0,
      customMinutes: Array.isArray(m.custom) ? Int32Array.from(m.custom) : new Int32Array(0),
    },
  };
}

export interface CommitPublisher {
  /** Tells the readers the FX rates changed. */
  fxChanged(): void;
  stop(): Promise<void>;
}

/**
 * Publishes each commit of `ingest` on the feed, and FX changes when told. Publishing never holds
 * ingest back: while Redis is away messages are dropped (readers notice a gap in batch ids and
 * reload from the store; a lost FX notice is made up by their periodic FX reload).
 */
export async function publishCommits(o: { ingest: IngestView; storeId: string; url: string; prefix: string; log: Logger }): Promise<CommitPublisher> {
  const pub = createClient({ url: o.url, disableOfflineQueue: true });
  let lastError = 0;
  pub.on('error', (err) => {
    if (Date.now() - lastError > 10_000) o.log.error({ err }, 'redis (commit feed) unavailable; commits are not published meanwhile');
    lastError = Date.now();
  });
  await pub.connect().catch((err) => o.log.error({ err }, 'redis (commit feed) not reachable at start; retrying in the background'));
  const channel = channelOf(o.prefix);
  const stop = o.ingest.onCommit((b) => {
    if (!pub.isReady) return;
    pub.publish(channel, encodeCommit(o.storeId, b)).catch(() => undefined);
  });
  return {
    fxChanged() {
      if (pub.isReady) pub.publish(channel, encodeFxChange(o.storeId, Date.now())).catch(() => undefined);
    },
    async stop() {
      stop();
      await pub.quit().catch(() => pub.destroy());
    },
  };
}

/** Follows the feed; `onMessage` gets each message's text. */
export async function subscribeCommits(o: { url: string; prefix: string; log: Logger; onMessage: (text: string) => void; onReconnect: () => void }): Promise<() => Promise<void>> {
  const sub = createClient({ url: o.url });
  let lastError = 0;
  let wasDown = false;
  sub.on('error', (err) => {
    wasDown = true;
    if (Date.now() - lastError > 10_000) o.log.error({ err }, 'redis (commit feed) unavailable; the live window and caches follow again once it is back');
    lastError = Date.now();
  });
  sub.on('ready', () => {
    if (wasDown) o.onReconnect();
    wasDown = false;
  });
  await sub.connect();
  await sub.subscribe(channelOf(o.prefix), (text) => o.onMessage(text));
  return async () => {
    await sub.quit().catch(() => sub.destroy());
  };
}
