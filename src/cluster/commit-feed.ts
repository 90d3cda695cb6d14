// The commit feed: in a cluster, the process that ingests publishes each committed batch on Redis
// (`<REDIS_PREFIX>:commits`), and the processes that only read the store follow it
// (remote-ingest.ts): their live windows, caches, as-of watermark and dictionaries move with
// every commit, as an ingesting process's do with its engine's.
//
// A message carries what a reader cannot cheaply ask the store for at each commit: the batch's
// net minute deltas (the live window), the dictionary entries it added (to decode them), its id
// (a gap means messages were lost: the reader reloads from the store) and the store's id (a feed
// of another store is ignored). Redis pub/sub keeps nothing: a reader that was away reloads what
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
  return JSON.stringify(m);
}

/** The batch a message describes (as much of it as readers use), or null if it is not one. */
export function decodeCommit(text: string): { storeId: string; batch: CommittedBatch } | null {
  let m: CommitMessage;
  try {
    m = JSON.parse(text) as CommitMessage;
  } catch {
    return null;
  }
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
    },
  };
}

/**
 * Publishes each commit of `ingest` on the feed. Publishing never holds ingest back: while Redis
 * is away messages are dropped (readers notice the gap and reload from the store).
 */
export async function publishCommits(o: { ingest: IngestView; storeId: string; url: string; prefix: string; log: Logger }): Promise<() => Promise<void>> {
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
  return async () => {
    stop();
    await pub.quit().catch(() => pub.destroy());
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
