// Custom event statistics per interval (GET /api/v1/custom-events/{name}/stats): the events'
// count and distinct users, and one measure's count, sum, avg, min, max and p50/p95/p99, per
// bucket of 1m, 5m, 15m, 1h or 1d in any time zone, filtered and grouped by declared dimensions.
//
// Planning: one rollup grain answers the whole range — the coarsest of 1d, 1h, 1m that divides
// the interval, on whose boundaries `from` and `to` lie, and whose boundaries are the time
// zone's over the whole range (1d: a zone at UTC+0 throughout; 1h: whole-hour offsets). So a
// day in Europe/Paris is 24 (or 23, 25) hour rows, in Asia/Kolkata 1 440 minute rows; 5m and
// 15m are minute rows (every zone's offset is a multiple of 15 minutes since 1972); `all` (one
// bucket) takes the coarsest grain the range's ends lie on (30 UTC days: 30 day rows). Sketches
// merge exactly, so the error bounds hold whatever the grain: quantiles within 1 % relative
// (clamped into the exact min and max), distinct users at 0.81 % standard error.
// Platform-wide, like definitions: a merchant's token gets 404 (docs/custom-events.md, "Scope").
//
// Answers are kept in the query result cache (scope 'custom'): a committed tracked batch drops
// those whose minute range holds a minute it added; the key holds the latest definition's version
// (read for every request), so a new definition is never answered from an older one's answer.

import { AppError } from '../errors.ts';
import { quantilesFromBins, RELATIVE_ACCURACY } from '../sketch/quantile-sketch.ts';
import { estimateDistinctFromRanks, HLL_STANDARD_ERROR } from '../sketch/distinct-sketch.ts';
import { bucketFormatter, bucketShape, bucketStarts, isValidTimeZone, offsetPeriods } from '../query/time-buckets.ts';
import type { AnalyticsStore, CustomGrain } from '../store/analytics-store.ts';
import type { BucketShape } from '../store/query-shapes.ts';
import type { Queryable } from '../state-store/state-store.ts';
import type { CustomStatsAnswer } from '../store/analytics-store.ts';
import type { ResultCache } from '../query/result-cache.ts';
import { latestDefinitions } from './custom-event-definitions.ts';
import type { PropertyDefinition } from './definition.ts';

/** Bucket sizes in minutes; `all`: one bucket for the whole range (a month's p95 from day rows). */
export const INTERVALS = { '1m': 1, '5m': 5, '15m': 15, '1h': 60, '1d': 1440, all: 0 } as const;
export type Interval = keyof typeof INTERVALS;

export interface StatsRequest {
  name: string;
  measure: string | null;
  interval: Interval;
  /** Epoch ms. */
  from: number;
  to: number;
  tz: string;
  groupBy: string | null;
  filters: Record<string, string[]>;
  merchantId: string | null;
}

export interface StatsItem {
  bucket: string;
  group?: string;
  count: number;
  distinct_users: number;
  measure_count?: number;
  /** Money (minor_units): exact integers as strings; otherwise numbers. */
  sum?: number | string | null;
  avg?: number | null;
  min?: number | string | null;
  max?: number | string | null;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
}

export interface StatsAnswer {
  event_type: string;
  definition_version: number | null;
  measure: string | null;
  unit: string | null;
  interval: Interval;
  tz: string;
  from: string;
  to: string;
  group_by: string | null;
  grain: '1m' | '1h' | '1d';
  accuracy: { quantile_relative_error: number; distinct_users_standard_error: number };
  buckets: string[];
  items: StatsItem[];
}

export interface StatsDeps { store: AnalyticsStore; state: Queryable; maxBuckets: number; cache?: ResultCache }

/** The result cache's scope of custom-event answers (invalidated by CommittedBatch.customMinutes). */
export const CUSTOM_CACHE_SCOPE = 'custom';

const GRAIN_NAME = { 1: '1m', 60: '1h', 1440: '1d' } as const;

/** The coarsest grain that answers exactly (see the header). */
export function chooseGrain(interval: number, fromMin: number, toMin: number, tz: string): CustomGrain {
  // One bucket: only the range's ends matter, not the zone's boundaries.
  if (interval === 0) return ([1440, 60] as const).find((g) => fromMin % g === 0 && toMin % g === 0) ?? 1;
  const offsets = offsetPeriods(fromMin, toMin, tz).map((p) => p.offset);
  for (const g of [1440, 60] as const) {
    if (interval % g !== 0 || fromMin % g !== 0 || toMin % g !== 0) continue;
    if (g === 1440 ? offsets.every((o) => o === 0) : offsets.every((o) => o % 60 === 0)) return g;
  }
  return 1;
}

function shapeOf(interval: number, tz: string, fromMin: number, toMin: number): BucketShape {
  if (interval === 0) return { kind: 'constant', minute: fromMin };
  if (interval === 1) return { kind: 'minute' };
  if (interval === 60 || interval === 1440) return bucketShape(interval === 60 ? 'hour' : 'day', tz, fromMin, toMin);
  return { kind: 'pieces', pieces: [{ end: toMin, bucket: { shift: 0, period: interval } }] };
}

function startsOf(interval: number, tz: string, fromMin: number, toMin: number, max: number): number[] {
  if (interval === 0) return [fromMin];
  if (interval === 60 || interval === 1440) return bucketStarts(fromMin, toMin, interval === 60 ? 'hour' : 'day', tz, { maxBuckets: max });
  const first = Math.floor(fromMin / interval) * interval;
  if ((toMin - first) / interval > max) throw new RangeError('too many buckets');
  const out: number[] = [];
  for (let b = first; b < toMin; b += interval) out.push(b);
  return out;
}

function checkRequest(r: StatsRequest, props: readonly PropertyDefinition[]): PropertyDefinition | null {
  const byName = new Map(props.map((p) => [p.name, p]));
  const dimension = (name: string, what: string) => {
    if (byName.get(name)?.role !== 'dimension') throw new AppError('unknown_dimension', `${what} ${name} is not a dimension of ${r.name}`);
  };
  if (r.groupBy !== null) dimension(r.groupBy, 'group_by');
  for (const d of Object.keys(r.filters)) dimension(d, 'filter');
  if (r.measure === null) return null;
  const m = byName.get(r.measure);
  if (m?.role !== 'measure') throw new AppError('unknown_metric', `${r.measure} is not a measure of ${r.name}`);
  // Amounts of the event's own currency are never summed across currencies.
  if (m.unit === 'minor_units' && r.groupBy !== 'currency' && r.filters.currency?.length !== 1) {
    throw new AppError('invalid_parameter', `${r.measure} is money in the currency of each event: group_by=currency or filter[currency]=<one currency>`);
  }
  return m;
}

export async function customEventStats(deps: StatsDeps, r: StatsRequest): Promise<StatsAnswer> {
  // Platform-wide: a merchant's token sees no custom event, as for another merchant's objects.
  if (r.merchantId !== null) throw new AppError('not_found', `no custom event ${r.name}`);
  if (!isValidTimeZone(r.tz)) throw new AppError('invalid_time_zone', `${r.tz.slice(0, 64)} is not an IANA time zone`);
  if (r.to <= r.from) throw new AppError('invalid_range', '`to` must be after `from`');
  const [def] = await latestDefinitions(deps.state, [r.name]);
  const measure = checkRequest(r, def?.properties ?? []);
  const interval = INTERVALS[r.interval];
  const fromMin = Math.floor(r.from / 60_000);
  const toMin = Math.ceil(r.to / 60_000);
  let starts: number[];
  try {
    starts = startsOf(interval, r.tz, fromMin, toMin, deps.maxBuckets);
  } catch {
    throw new AppError('range_too_large', `more than ${deps.maxBuckets} buckets of ${r.interval} (QUERY_MAX_BUCKETS): ask for a shorter range or a longer interval`);
  }
  const compute = () => answerOf(deps, r, def?.version ?? null, measure, interval, fromMin, toMin, starts);
  if (!deps.cache) return compute();
  // Every field that shapes the answer; client text (names, filter values) as JSON.
  const key = `custom|${def?.version ?? 0}|${fromMin}|${toMin}|${r.interval}|${r.tz}|${JSON.stringify([r.name, r.measure, r.groupBy, r.filters])}`;
  return deps.cache.get(key, fromMin, toMin, compute, CUSTOM_CACHE_SCOPE);
}

async function answerOf(
  deps: StatsDeps, r: StatsRequest, version: number | null, measure: PropertyDefinition | null, interval: number, fromMin: number, toMin: number, starts: number[],
): Promise<StatsAnswer> {
  const grain = chooseGrain(interval, fromMin, toMin, r.tz);
  const answer = await deps.store.customEventStats({
    grain, eventType: r.name, measure: r.measure, fromMin, toMin, bucket: shapeOf(interval, r.tz, fromMin, toMin),
    filters: Object.entries(r.filters).map(([dimension, values]) => ({ dimension, values })), groupBy: r.groupBy,
  });
  const label = bucketFormatter(starts[0], toMin, r.tz);
  return {
    event_type: r.name, definition_version: version, measure: r.measure,
    unit: measure?.role === 'measure' ? measure.unit : null, interval: r.interval, tz: r.tz,
    from: new Date(fromMin * 60_000).toISOString(), to: new Date(toMin * 60_000).toISOString(), group_by: r.groupBy,
    grain: GRAIN_NAME[grain],
    accuracy: { quantile_relative_error: RELATIVE_ACCURACY, distinct_users_standard_error: HLL_STANDARD_ERROR },
    buckets: starts.map(label),
    items: itemsOf(answer, r, measure?.role === 'measure' && measure.unit.startsWith('minor_units'), label),
  };
}

function itemsOf(a: CustomStatsAnswer, r: StatsRequest, money: boolean, label: (m: number) => string): StatsItem[] {
  const cellKey = (c: { bucket: number; group: string | null }) => `${c.bucket}\u0000${c.group ?? ''}`;
  const cells = new Map<string, { bucket: number; group: string | null; item: StatsItem }>();
  const cell = (c: { bucket: number; group: string | null }) => {
    const k = cellKey(c);
    let e = cells.get(k);
    if (!e) {
      const item: StatsItem = { bucket: label(c.bucket), count: 0, distinct_users: 0 };
      if (c.group !== null) item.group = c.group;
      if (r.measure !== null) Object.assign(item, { measure_count: 0, sum: null, avg: null, min: null, max: null, p50: null, p95: null, p99: null });
      cells.set(k, (e = { bucket: c.bucket, group: c.group, item }));
    }
    return e.item;
  };
  const bounds = new Map<string, { min: number; max: number }>();
  for (const s of a.stats) {
    const item = cell(s);
    if (s.measure === '') {
      item.count = s.cnt;
      continue;
    }
    item.measure_count = s.cnt;
    if (money) {
      item.sum = s.sumMinor.toString();
      item.min = s.minMinor.toString();
      item.max = s.maxMinor.toString();
      item.avg = s.cnt ? Number(s.sumMinor) / s.cnt : null;
      bounds.set(cellKey(s), { min: Number(s.minMinor), max: Number(s.maxMinor) });
    } else {
      item.sum = s.sumValue;
      item.min = s.minValue;
      item.max = s.maxValue;
      item.avg = s.cnt ? s.sumValue / s.cnt : null;
      bounds.set(cellKey(s), { min: s.minValue, max: s.maxValue });
    }
  }
  const bins = new Map<string, Array<{ bin: number; count: number }>>();
  for (const b of a.bins) {
    const k = cellKey(b);
    let rows = bins.get(k);
    if (!rows) bins.set(k, (rows = []));
    rows.push({ bin: b.bin, count: b.cnt });
  }
  for (const [k, rows] of bins) {
    const e = cells.get(k);
    if (!e) continue;
    const [p50, p95, p99] = quantilesFromBins(rows, [0.5, 0.95, 0.99], bounds.get(k));
    Object.assign(e.item, { p50, p95, p99 });
  }
  const users = new Map<string, Array<{ rank: number; registers: number }>>();
  for (const u of a.users) {
    const k = cellKey(u);
    let rows = users.get(k);
    if (!rows) users.set(k, (rows = []));
    rows.push({ rank: u.rank, registers: u.registers });
  }
  for (const [k, rows] of users) {
    const e = cells.get(k);
    if (e) e.item.distinct_users = Math.round(estimateDistinctFromRanks(rows));
  }
  return [...cells.values()]
    .sort((x, y) => x.bucket - y.bucket || (x.group ?? '').localeCompare(y.group ?? ''))
    .map((e) => e.item);
}
