// Rollup choice: splits a query range into pieces each answered exactly by the coarsest rollup
// table (rollup_minute / rollup_hour / rollup_day, all keyed by UTC epoch minutes). Every output
// bucket boundary is a cut, so no hour or day row ever straddles two output buckets; between
// cuts we take a minute head up to the next whole hour, an hour head up to the next UTC
// midnight, whole days, then an hour tail and a minute tail. Finer tables are retained for less
// time, so a piece that falls outside its table's retention is an error, never a silent gap.
import { bucketShape, bucketStarts, type BucketOptions, type Granularity } from './time-buckets.ts';
import { ROLLUP_TABLES, type BucketShape, type RollupTable, type TablePlan } from '../store/query-shapes.ts';

export interface PlanOptions {
  /** Epoch milliseconds; retention ages are relative to it. */
  now: number;
  minuteDays: number;
  hourDays: number;
  maxMinuteSpanMinutes?: number;
  maxRanges?: number;
}
export interface QueryPlan {
  tables: TablePlan[];
  buckets: number[];
  bucket: BucketShape;
}

const HOUR = 60;
const DAY = 1440;
const DEFAULT_MAX_MINUTE_SPAN = 31 * DAY;
const DEFAULT_MAX_RANGES = 2000;
const RETENTION_HINT: Record<RollupTable, string> = {
  minute: 'align the range to whole hours, or use hour/day granularity in a whole-hour time zone such as UTC',
  hour: 'align the range to whole UTC days, or use day granularity in UTC',
  day: '',
};

function floorTo(t: number, p: number): number {
  return t - (((t % p) + p) % p);
}

function ceilTo(t: number, p: number): number {
  return floorTo(t + p - 1, p);
}

/** [a, b) as minute head, hour head, whole days, hour tail, minute tail (empty ones dropped), each passed to `take`. */
function splitInterval(a: number, b: number, take: (table: RollupTable, start: number, end: number) => void): void {
  const h1 = ceilTo(a, HOUR);
  const h2 = floorTo(b, HOUR);
  if (h1 >= h2) {
    take('minute', a, b);
    return;
  }
  if (a < h1) take('minute', a, h1);
  const d1 = ceilTo(h1, DAY);
  const d2 = floorTo(h2, DAY);
  if (d1 >= d2) {
    take('hour', h1, h2);
  } else {
    if (h1 < d1) take('hour', h1, d1);
    take('day', d1, d2);
    if (d2 < h2) take('hour', d2, h2);
  }
  if (h2 < b) take('minute', h2, b);
}

function utcLabel(minute: number): string {
  return `${new Date(minute * 60_000).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** Earliest minute each table still holds (the day table is kept forever). */
function retentionStarts(opts: PlanOptions): Record<RollupTable, number> {
  const nowMin = Math.floor(opts.now / 60_000);
  return { minute: nowMin - opts.minuteDays * DAY, hour: nowMin - opts.hourDays * DAY, day: -Infinity };
}

function checkRetention(table: RollupTable, start: number, keptFrom: number, opts: PlanOptions): void {
  if (start >= keptFrom) return;
  const days = table === 'minute' ? opts.minuteDays : opts.hourDays;
  throw new RangeError(
    `beyond_retention: the ${table} rollup keeps ${days} days (back to ${utcLabel(keptFrom)}), `
    + `but this query needs ${table} rows from ${utcLabel(start)}; ${RETENTION_HINT[table]}`,
  );
}

/** The points {from} ∪ cuts ∪ {to}, sorted, deduplicated, cuts outside (from, to) ignored. */
function boundaries(fromMin: number, toMin: number, cuts: number[]): number[] {
  const inside = cuts.filter((c) => c > fromMin && c < toMin).sort((x, y) => x - y);
  const points = [fromMin];
  for (const c of inside) if (c !== points[points.length - 1]) points.push(c);
  points.push(toMin);
  return points;
}

function assertRange(fromMin: number, toMin: number): void {
  if (!Number.isSafeInteger(fromMin) || !Number.isSafeInteger(toMin) || fromMin >= toMin) {
    throw new RangeError(`invalid_range: expected integer epoch minutes with from < to, got [${fromMin}, ${toMin})`);
  }
}

/** Decompose [from, to) into per-table ranges (sorted, adjacent merged) that never straddle a cut. */
export function planRanges(fromMin: number, toMin: number, cuts: number[], opts: PlanOptions): TablePlan[] {
  assertRange(fromMin, toMin);
  const maxRanges = opts.maxRanges ?? DEFAULT_MAX_RANGES;
  const maxMinuteSpan = opts.maxMinuteSpanMinutes ?? DEFAULT_MAX_MINUTE_SPAN;
  const keptFrom = retentionStarts(opts);
  const ranges: Record<RollupTable, Array<[number, number]>> = { minute: [], hour: [], day: [] };
  let count = 0;
  let minuteSpan = 0;
  const points = boundaries(fromMin, toMin, cuts);
  const take = (table: RollupTable, start: number, end: number): void => {
    checkRetention(table, start, keptFrom[table], opts);
    if (table === 'minute') minuteSpan += end - start;
    const list = ranges[table];
    const last = list[list.length - 1];
    if (last !== undefined && last[1] === start) last[1] = end;
    else if (++count > maxRanges) throw tooManyRanges(maxRanges);
    else list.push([start, end]);
  };
  for (let i = 0; i + 1 < points.length; i++) {
    splitInterval(points[i], points[i + 1], take);
    if (minuteSpan > maxMinuteSpan) throw minuteSpanTooLarge(maxMinuteSpan);
  }
  return ROLLUP_TABLES.filter((t) => ranges[t].length > 0).map((table) => ({ table, ranges: ranges[table] }));
}

function tooManyRanges(max: number): RangeError {
  return new RangeError(
    `range_too_large: the query splits into more than ${max} rollup ranges; use a coarser granularity, UTC, or a shorter range`,
  );
}

function minuteSpanTooLarge(max: number): RangeError {
  return new RangeError(
    `range_too_large: the query needs more than ${+(max / DAY).toFixed(2)} days of minute-level rows; `
    + 'use a coarser granularity, a whole-hour time zone such as UTC, or a shorter range',
  );
}

/** Buckets, table ranges and the bucket expression for one query. */
export function plan(
  fromMin: number, toMin: number, granularity: Granularity, tz: string, opts: PlanOptions & BucketOptions,
): QueryPlan {
  const buckets = bucketStarts(fromMin, toMin, granularity, tz, opts);
  // Every bucket after the first starts strictly inside (from, to): those are the cuts.
  const tables = planRanges(fromMin, toMin, buckets.slice(1), opts);
  return {
    tables,
    buckets,
    bucket: bucketShape(granularity, tz, fromMin, toMin),
  };
}
