// Feeds the live window: once started, from the last hour of minute rollups, then from every
// committed batch of the engine (and, with replicas, from theirs via `applyRemote`). Listeners
// hear which room minutes changed. FX rates for the window's days are held in memory and
// reloaded when rates change. Built unstarted (the `live-feed` part, src/start-parts.ts): until
// then the window is empty and nothing is read or subscribed.

import type { Engine, CommittedBatch } from '../ingest/engine.ts';
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
  store: AnalyticsStore; engine: Engine; regions: ReadonlyMap<string, string>; now: () => number;
}): LiveFeed {
  const { store, engine, now } = deps;
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
    const rows = await store.query(
      `SELECT currency_key, day, usd_per_minor FROM fx_effective WHERE day BETWEEN ${today - 2} AND ${today + 2}`);
    const rates = new Map<number, number>();
    for (const r of rows) rates.set(Number(r.currency_key) * 100_000 + Number(r.day), Number(r.usd_per_minor));
    window.setRates((currency, day) => rates.get(currency * 100_000 + day));
    // Every USD figure may have moved: every room's minutes count as changed.
    emit(window.everything(), 'local', Date.now());
  };
  /** The last hour of minute rollups, into the window. */
  const loadLastHour = async () => {
    const { names, columns, rowCount } = await store.queryColumns(
      `SELECT minute, merchant_key, country_key, city_key, currency_key, kind, sum(cnt)::INTEGER AS cnt, sum(amount_minor)::BIGINT AS amount_minor
       FROM rollup_minute WHERE minute >= ${oldest()} GROUP BY ALL`);
    const col = (n: string) => (rowCount === 0 ? [] : columns[names.indexOf(n)]);
    const asTyped = <T extends { [i: number]: number | bigint }>(make: (n: number) => T, src: unknown[]) => {
      const out = make(rowCount);
      src.forEach((v, i) => { (out as Record<number, unknown>)[i] = v; });
      return out;
    };
    window.apply(liveRows({
      minute: asTyped((n) => new Int32Array(n), col('minute')),
      merchantKey: asTyped((n) => new Int32Array(n), col('merchant_key')),
      countryKey: asTyped((n) => new Int32Array(n), col('country_key')),
      cityKey: asTyped((n) => new Int32Array(n), col('city_key')),
      currencyKey: asTyped((n) => new Int32Array(n), col('currency_key')),
      methodKey: new Int32Array(rowCount),
      providerKey: new Int32Array(rowCount),
      kind: asTyped((n) => new Uint8Array(n), col('kind')),
      cnt: asTyped((n) => new Int32Array(n), col('cnt')),
      amountMinor: asTyped((n) => new BigInt64Array(n), col('amount_minor')),
      feeMinor: new BigInt64Array(rowCount),
    }, engine.state.dict, oldest()));
  };

  const follow = (b: CommittedBatch) => {
    const rows = liveRows(b.minuteDeltas, engine.state.dict, oldest());
    if (rows.length === 0) return;
    window.prune(oldest());
    // The listener runs right after the store commit: that instant is what latency is measured from.
    const committedAt = Date.now();
    emit(window.apply(rows), 'local', committedAt);
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
    async start() {
      started = true;
      await loadRates();
      await loadLastHour();
      unsubscribe = engine.onCommit(follow);
    },
    async stop() {
      started = false;
      unsubscribe();
    },
  };
}
