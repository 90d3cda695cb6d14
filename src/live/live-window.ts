// The live window: per room and minute, the counters of the last hour, kept in memory from the
// engine's committed minute deltas (and, with several replicas, from theirs). Counts are exact;
// money is kept per currency in minor units and converted with the day's rate when asked, so
// the REST live answer and the stream's messages come from one computation and agree exactly.
// The figures are the registry's metrics, computed from the same base measures as a query's.

import { getBaseMeasure, type BaseMeasure } from '../metrics/base-measures.ts';
import { evaluateMetric } from '../metrics/define-metric.ts';
import { getMetric, type Metric } from '../metrics/registry.ts';
import { OTHER_REGION } from '../reference/regions.ts';
import { roomName } from './rooms.ts';

/** One rollup delta with its dimensions decoded (dictionary keys differ between replicas). */
export interface LiveRow {
  minute: number;
  merchant: string | null;
  country: string | null;
  city: string | null;
  /** ISO 4217 index (stable everywhere). */
  currency: number;
  kind: number;
  cnt: number;
  minor: number;
}

export const WINDOW_MINUTES = 60;
const KINDS = 8;

/** Per currency: counts and minor-unit sums by kind. */
type Cell = Map<number, { cnt: Float64Array; minor: Float64Array }>;

/** The metrics of every live point and total, in this order. */
export const LIVE_METRICS = [
  'tx_count', 'succeeded_count', 'failed_count', 'pending_count', 'gross_volume_usd', 'success_rate',
  'refund_count', 'refund_volume_usd', 'dispute_count', 'payout_count',
] as const;
export type LiveMetric = (typeof LIVE_METRICS)[number];

export type LivePoint = { ts: string } & Record<LiveMetric, number | null>;

const LIVE: readonly Metric[] = LIVE_METRICS.map((n) => getMetric(n)!);
/**
 * The window keeps counts and USD amounts (converted from `minor`, the amount column) per kind:
 * the base measures it can compute are the counts over all rows and the USD amount sums. A live
 * metric needing another (fees, local sums, converted counts) is refused at load.
 */
const LIVE_MEASURES: readonly BaseMeasure[] = [...new Set(LIVE.flatMap((m) => [...m.num, ...(m.den ?? [])]).map((t) => t.measure))]
  .map((name) => {
    const b = getBaseMeasure(name)!;
    if (!((b.value === 'cnt' && b.fx === 'none') || (b.value === 'amount_minor' && b.fx === 'usd'))) {
      throw new Error(`live metrics cannot use the base measure ${name}`);
    }
    return b;
  });

export interface LiveWindow {
  /** Adds rows; returns the minutes each room saw change. */
  apply(rows: readonly LiveRow[]): Map<string, Set<number>>;
  /** The room's minute points over [fromMinute, toMinute) plus their totals and unconverted count. */
  answer(room: string, fromMinute: number, toMinute: number): { points: LivePoint[]; totals: Omit<LivePoint, 'ts'>; unconverted: number };
  point(room: string, minute: number): LivePoint;
  /** Drops minutes before `minute` (a no-op unless `minute` moved on since the last call). */
  prune(minute: number): void;
  /** Every room with every minute it holds (to resend all after an FX change). */
  everything(): Map<string, Set<number>>;
  /** Empties the window (before it is seeded again); what it held, as `everything()` said. */
  clear(): Map<string, Set<number>>;
  /** USD per minor unit of a currency on a UTC day (epoch days), or undefined. */
  setRates(rate: (currency: number, day: number) => number | undefined): void;
  /** Whether a region name is one the window files rows under. */
  hasRegion(name: string): boolean;
}

export function createLiveWindow(regions: ReadonlyMap<string, string>): LiveWindow {
  const regionNames = new Set([...regions.values(), OTHER_REGION]);
  const rooms = new Map<string, Map<number, Cell>>();
  let prunedTo = -Infinity;
  let rate: (currency: number, day: number) => number | undefined = () => undefined;

  const roomsOf = (r: LiveRow): string[] => {
    const out = [roomName.global()];
    if (r.country !== null) {
      out.push(roomName.region(regions.get(r.country) ?? OTHER_REGION), roomName.country(r.country));
      if (r.city !== null) out.push(roomName.city(r.country, r.city));
    }
    if (r.merchant !== null) out.push(roomName.merchant(r.merchant));
    return out;
  };

  const sums = (cell: Cell | undefined, minute: number) => {
    const cnt = new Float64Array(KINDS);
    const usd = new Float64Array(KINDS);
    let unconverted = 0;
    if (cell) {
      const day = Math.floor(minute / 1440);
      for (const [currency, c] of cell) {
        const r = rate(currency, day);
        for (let k = 1; k < KINDS; k++) {
          cnt[k] += c.cnt[k];
          if (r === undefined) unconverted += c.cnt[k];
          else usd[k] += c.minor[k] * r;
        }
      }
    }
    return { cnt, usd, unconverted };
  };

  const metrics = (cnt: Float64Array, usd: Float64Array): Omit<LivePoint, 'ts'> => {
    const values = new Map<string, number>();
    for (const b of LIVE_MEASURES) {
      const from = b.value === 'cnt' ? cnt : usd;
      values.set(b.name, b.kinds.reduce((s, k) => s + from[k], 0));
    }
    const out = {} as Omit<LivePoint, 'ts'>;
    for (const m of LIVE) out[m.name as LiveMetric] = evaluateMetric(m, (name) => values.get(name)!);
    return out;
  };

  const label = (minute: number) => new Date(minute * 60000).toISOString().slice(0, 16) + ':00+00:00';

  return {
    apply(rows) {
      const changed = new Map<string, Set<number>>();
      for (const r of rows) {
        if (r.cnt === 0 && r.minor === 0) continue;
        for (const name of roomsOf(r)) {
          let minutes = rooms.get(name);
          if (!minutes) rooms.set(name, (minutes = new Map()));
          let cell = minutes.get(r.minute);
          if (!cell) minutes.set(r.minute, (cell = new Map()));
          let c = cell.get(r.currency);
          if (!c) cell.set(r.currency, (c = { cnt: new Float64Array(KINDS), minor: new Float64Array(KINDS) }));
          c.cnt[r.kind] += r.cnt;
          c.minor[r.kind] += r.minor;
          let set = changed.get(name);
          if (!set) changed.set(name, (set = new Set()));
          set.add(r.minute);
        }
      }
      return changed;
    },
    answer(room, fromMinute, toMinute) {
      const minutes = rooms.get(room);
      const cnt = new Float64Array(KINDS);
      const usd = new Float64Array(KINDS);
      let unconverted = 0;
      const points: LivePoint[] = [];
      for (let m = fromMinute; m < toMinute; m++) {
        const s = sums(minutes?.get(m), m);
        for (let k = 1; k < KINDS; k++) {
          cnt[k] += s.cnt[k];
          usd[k] += s.usd[k];
        }
        unconverted += s.unconverted;
        points.push({ ts: label(m), ...metrics(s.cnt, s.usd) });
      }
      return { points, totals: metrics(cnt, usd), unconverted };
    },
    point(room, minute) {
      const s = sums(rooms.get(room)?.get(minute), minute);
      return { ts: label(minute), ...metrics(s.cnt, s.usd) };
    },
    prune(minute) {
      if (minute <= prunedTo) return;
      prunedTo = minute;
      for (const [name, minutes] of rooms) {
        for (const m of minutes.keys()) if (m < minute) minutes.delete(m);
        if (minutes.size === 0) rooms.delete(name);
      }
    },
    everything() {
      return new Map([...rooms].map(([name, minutes]) => [name, new Set(minutes.keys())]));
    },
    clear() {
      const held = new Map([...rooms].map(([name, minutes]) => [name, new Set(minutes.keys())]));
      rooms.clear();
      return held;
    },
    setRates(r) {
      rate = r;
    },
    hasRegion: (name) => regionNames.has(name),
  };
}
