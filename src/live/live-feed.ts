// Feeds the live window: once started, from the last hour of minute rollups, then from every
// committed batch of the engine (and, with replicas, from theirs via `applyRemote`). Listeners
// hear which room minutes changed. FX rates for the window's days are held in memory and
// reloaded when rates change. Built unstarted (the `live-feed` part, src/start-parts.ts): until
// then the window is empty and nothing is read or subscribed.

import type { CommittedBatch } from '../ingest/engine.ts';
import type { IngestView } from '../ingest/ingest-view.ts';
import type { AnalyticsStore, RollupColumns } from '../store/analytics-store.ts';
import { DIM_CITY, DIM_MERCHANT, valueOf, type Dictionary } from '../ingest/indexes/dimensions.ts';
import { countryCode } from '../reference/countries.ts';
import { createLiveWindow, WINDOW_MINUTES, type LiveRow, type LiveWindow } from './live-window.ts';

export type ChangeListener = (changed: Map<string, Set<number>>, origin: 'local' | 'remote', committedAt: number) => void;

export interface LiveFeed {
  window: LiveWindow;
  onChange(listener: ChangeListener): () => void;
  /** Rows committed by another replica. */
  applyRemote(rows: LiveRow[], committedAt: number): void;
  /** Hears the rows of each local commit (to publish them to other replicas). */
  onLocalRows(listener: (rows: LiveRow[], committedAt: number) => void): () => void;
  /** Reloads the FX rates of the window's days (nothing before start: start loads them). */
  reloadRates(): Promise<void>;
  /**
   * Seeds the window again from the store (a reader that missed commits of the feed): commits
   * heard meanwhile are held, and those after the seed's last batch applied on top of it.
   */
  reseed(): Promise<void>;
  /** Loads the rates and the last hour, then follows the engine's commits. */
  start(): Promise<void>;
  /** Stops following the engine's commits. */
  stop(): Promise<void>;
}

/** A batch's minute deltas, decoded; minutes before `fromMinute` (outside any window) are left out. */
export function liveRows(d: RollupColumns, dict: Dictionary, fromMinute: number): LiveRow[] {
  const rows: LiveRow[] = [];
  for (let i = 0; i < d.minute.length; i++) {
    if (d.minute[i] < fromMinute) continue;
    rows.push({
      minute: d.minute[i],
      merchant: valueOf(dict, DIM_MERCHANT, d.merchantKey[i]),
      country: countryCode(d.countryKey[i]) ?? null,
      city: valueOf(dict, DIM_CITY, d.cityKey[i]),
      currency: d.currencyKey[i],
      kind: d.kind[i],
      cnt: d.cnt[i],
      minor: Number(d.amountMinor[i]),
    });
  }
  return rows;
}

/** A row from another replica, checked before it touches the window. */
function isLiveRow(r: unknown): r is LiveRow {
  const o = r as Record<string, unknown>;
  const text = (v: unknown) => v === null || (typeof v === 'string' && v.length <= 128);
  return typeof o === 'object' && o !== null && Number.isInteger(o.minute) && Number.isInteger(o.currency)
    && Number.isInteger(o.kind) && (o.kind as number) >= 1 && (o.kind as number) <= 7
    && Number.isFinite(o.cnt) && Number.isFinite(o.minor) && text(o.merchant) && text(o.country) && text(o.city);
}

export function createLiveFeed(deps: {
  store: AnalyticsStore; ingest: IngestView; regions: ReadonlyMap<string, string>; now: () => number;
}): LiveFeed {
  const { store, ingest, now } = deps;
  const window = createLiveWindow(deps.regions);
  const listeners = new Set<ChangeListener>();
  const rowListeners = new Set<(rows: LiveRow[], committedAt: number) => void>();
  const oldest = () => Math.floor(now() / 60000) - WINDOW_MINUTES;

  const emit = (changed: Map<string, Set<number>>, origin: 'local' | 'remote', at: number) => {
    for (const l of listeners) l(changed, origin, at);
  };
  let started = false;
  let unsubscribe = (): void => undefined;
  const loadRates = async () => {
    const today = Math.floor(now() / 86_400_000);
    const rates = new Map<number, number>();
    for (const r of await store.fxEffective(today - 2, today + 2)) rates.set(r.currencyKey * 100_000 + r.day, r.usdPerMinor);
    window.setRates((currency, day) => rates.get(currency * 100_000 + day));
    // Every USD figure may have moved: every room's minutes count as changed.
    emit(window.everything(), 'local', Date.now());
  };
  /** The last hour of minute rollups as window rows, and the last batch they hold. */
  const readLastHour = async (): Promise<{ batchId: number; rows: LiveRow[] }> => {
    const seed = await store.liveSeed(oldest());
    const rows = liveRows({
      minute: seed.minute,
      merchantKey: seed.merchantKey,
      countryKey: seed.countryKey,
      cityKey: seed.cityKey,
      currencyKey: seed.currencyKey,
      methodKey: new Int32Array(seed.count),
      providerKey: new Int32Array(seed.count),
      kind: seed.kind,
      cnt: seed.cnt,
      amountMinor: seed.amountMinor,
      feeMinor: new BigInt64Array(seed.count),
    }, ingest.dict, oldest());
    return { batchId: seed.batchId, rows };
  };

  // While the window is seeded again, commits are held here rather than applied.
  let held: CommittedBatch[] | null = null;
  let reseeding: Promise<void> | null = null;
  const reseed = async () => {
    held = [];
    let changed = new Map<string, Set<number>>();
    try {
      const seed = await readLastHour();
      // From here on synchronous: no commit lands between the emptying and the held ones.
      changed = window.clear(); // minutes that held something and may hold nothing now
      merge(changed, window.apply(seed.rows));
      for (const b of held) if (b.batchId > seed.batchId) merge(changed, apply(b));
    } catch (err) {
      // The store did not answer: the window stays as it was, with the held commits on top.
      for (const b of held) merge(changed, apply(b));
      throw err;
    } finally {
      held = null;
      emit(changed, 'local', Date.now());
    }
  };

  const merge = (into: Map<string, Set<number>>, from: Map<string, Set<number>>) => {
    for (const [room, minutes] of from) {
      const set = into.get(room);
      if (set) for (const m of minutes) set.add(m);
      else into.set(room, new Set(minutes));
    }
  };

  /** Applies a commit's minutes to the window; the rooms and minutes that changed. */
  const apply = (b: CommittedBatch): Map<string, Set<number>> => {
    const rows = liveRows(b.minuteDeltas, ingest.dict, oldest());
    if (rows.length === 0) return new Map();
    window.prune(oldest());
    return window.apply(rows);
  };

  const follow = (b: CommittedBatch) => {
    const rows = liveRows(b.minuteDeltas, ingest.dict, oldest());
    if (rows.length === 0) return;
    // The listener runs right after the store commit: that instant is what latency is measured from.
    const committedAt = Date.now();
    if (held) held.push(b);
    else {
      window.prune(oldest());
      emit(window.apply(rows), 'local', committedAt);
    }
    for (const l of rowListeners) l(rows, committedAt);
  };

  return {
    window,
    onChange(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    applyRemote(rows, committedAt) {
      window.prune(oldest());
      emit(window.apply(rows.filter((r) => isLiveRow(r) && r.minute >= oldest())), 'remote', Number(committedAt) || Date.now());
    },
    onLocalRows(l) {
      rowListeners.add(l);
      return () => rowListeners.delete(l);
    },
    reloadRates: () => (started ? loadRates() : Promise.resolve()),
    reseed() {
      if (!started) return Promise.resolve();
      reseeding ??= reseed().finally(() => { reseeding = null; });
      return reseeding;
    },
    async start() {
      started = true;
      await loadRates();
      window.apply((await readLastHour()).rows);
      unsubscribe = ingest.onCommit(follow);
    },
    async stop() {
      started = false;
      unsubscribe();
    },
  };
}
