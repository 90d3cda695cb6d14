// Calendar buckets in an IANA time zone, over integer epoch minutes (UTC).
// A bucket starts wherever the local calendar key changes: (date, hour, offset) for `hour`,
// the local date for `day`, the ISO week (Monday) for `week`, the local month for `month`.
// Within a stretch of constant UTC offset those starts are pure integer arithmetic, so the
// range is cut into offset periods and each period into "segments": either a grid
// (bucket = floor((t + offset + shift) / P) * P - shift - offset) or a fixed bucket (the part
// of a period before its first local boundary, e.g. a DST day's hours after the change).
// bucketStarts, cutPoints and bucketShape are all read off the same segments, so the buckets
// an engine computes and the buckets the API labels cannot drift apart.
import { DateTime, IANAZone } from 'luxon';
import type { BucketPiece, BucketShape } from '../store/query-shapes.ts';

export type Granularity = 'minute' | 'hour' | 'day' | 'week' | 'month' | 'all';
export interface OffsetPeriod { start: number; end: number; offset: number }
export interface BucketOptions { maxBuckets?: number }

const DAY = 1440;
const DEFAULT_MAX_BUCKETS = 10_000;
const TZ_RE = /^[A-Za-z][A-Za-z0-9_+\-]*(\/[A-Za-z0-9_+\-]+)*$/;

interface Grid { period: number; shift: number; breakOnOffset: boolean }
const GRIDS = {
  hour: { period: 60, shift: 0, breakOnOffset: true },
  day: { period: DAY, shift: 0, breakOnOffset: false },
  // Epoch day 0 (1970-01-01) was a Thursday: shifting by 3 days puts grid lines on Mondays.
  week: { period: 7 * DAY, shift: 3 * DAY, breakOnOffset: false },
} satisfies Record<string, Grid>;

/** [start, end): bucket = `fixed` if set, else the grid line at or before t under `offset`. */
interface Segment { start: number; end: number; offset: number; fixed?: number }

// Zones found valid: luxon checks by building an Intl formatter (about 0.1 ms a call, and a
// query checks its zone several times). Only valid names are kept, so the set stays small.
const validZones = new Set<string>();

export function isValidTimeZone(tz: string): boolean {
  if (validZones.has(tz)) return true;
  const valid = typeof tz === 'string' && TZ_RE.test(tz) && IANAZone.isValidZone(tz);
  if (valid) validZones.add(tz);
  return valid;
}

function zoneOf(tz: string): IANAZone {
  if (!isValidTimeZone(tz)) throw new RangeError(`invalid_time_zone: "${String(tz).slice(0, 64)}" is not an IANA time zone`);
  return IANAZone.create(tz);
}

function assertRange(fromMin: number, toMin: number): void {
  if (!Number.isSafeInteger(fromMin) || !Number.isSafeInteger(toMin) || fromMin >= toMin) {
    throw new RangeError(`invalid_range: expected integer epoch minutes with from < to, got [${fromMin}, ${toMin})`);
  }
}

function floorDiv(a: number, b: number): number {
  return Math.floor(a / b);
}

// Offsets are whole minutes for every zone since 1972; rounding keeps the SQL integral.
function offsetAt(zone: IANAZone, minute: number): number {
  return Math.round(zone.offset(minute * 60_000));
}

const periodCache = new Map<string, OffsetPeriod[]>();

/**
 * Constant-offset periods covering [from, to); transitions found day by day, bisected to the
 * minute. Memoised (a query plans, builds SQL and labels from the same periods).
 */
export function offsetPeriods(fromMin: number, toMin: number, tz: string): OffsetPeriod[] {
  const key = `${tz}|${fromMin}|${toMin}`;
  const hit = periodCache.get(key);
  if (hit) return hit;
  const periods = computeOffsetPeriods(fromMin, toMin, tz);
  if (periodCache.size >= 256) periodCache.delete(periodCache.keys().next().value!);
  periodCache.set(key, periods);
  return periods;
}

function computeOffsetPeriods(fromMin: number, toMin: number, tz: string): OffsetPeriod[] {
  assertRange(fromMin, toMin);
  const zone = zoneOf(tz);
  const periods: OffsetPeriod[] = [];
  let start = fromMin;
  let offset = offsetAt(zone, fromMin);
  let t = fromMin;
  while (t < toMin - 1) {
    const next = Math.min(t + DAY, toMin - 1);
    if (offsetAt(zone, next) === offset) { t = next; continue; }
    const change = firstChange(zone, t, next, offset);
    periods.push({ start, end: change, offset });
    start = t = change;
    offset = offsetAt(zone, change);
  }
  periods.push({ start, end: toMin, offset });
  return periods;
}

/** First minute in (lo, hi] whose offset differs from `offset` (which holds at lo). */
function firstChange(zone: IANAZone, lo: number, hi: number, offset: number): number {
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (offsetAt(zone, mid) === offset) lo = mid; else hi = mid;
  }
  return hi;
}

/** The grid line at or before t for a period with this offset. */
function gridFloor(t: number, offset: number, grid: Grid): number {
  const k = offset + grid.shift;
  return floorDiv(t + k, grid.period) * grid.period - k;
}

function bucketIn(seg: Segment, t: number, grid: Grid): number {
  return seg.fixed ?? gridFloor(t, seg.offset, grid);
}

/**
 * Segments covering [from - lookback, to). The first period starts at an arbitrary instant,
 * so its part before the first grid line is unknown (NaN); the lookback keeps it before `from`.
 */
function gridSegments(fromMin: number, toMin: number, grid: Grid, tz: string): Segment[] {
  const lookbackFrom = fromMin - grid.period - 2 * DAY;
  const periods = offsetPeriods(lookbackFrom, toMin, tz);
  const segments: Segment[] = [];
  periods.forEach((p, i) => {
    const floor = gridFloor(p.start, p.offset, grid);
    let gridFrom = floor === p.start ? p.start : floor + grid.period;
    let fixed = Number.NaN;
    if (i > 0) {
      const prev = periods[i - 1];
      const keyChanged = grid.breakOnOffset
        || floorDiv(p.start - 1 + prev.offset + grid.shift, grid.period)
          !== floorDiv(p.start + p.offset + grid.shift, grid.period);
      if (keyChanged) fixed = p.start;
      else {
        fixed = bucketIn(segments[segments.length - 1], p.start - 1, grid);
        if (gridFrom === p.start) gridFrom += grid.period; // same local day continues past the change
      }
    }
    if (gridFrom > p.start) segments.push({ start: p.start, end: Math.min(gridFrom, p.end), offset: p.offset, fixed });
    if (gridFrom < p.end) segments.push({ start: gridFrom, end: p.end, offset: p.offset });
  });
  return segments;
}

function tooMany(granularity: Granularity, max: number): RangeError {
  return new RangeError(`range_too_large: more than ${max} ${granularity} buckets; use a coarser granularity or a shorter range`);
}

/** Bucket start containing `fromMin`, and every bucket start strictly inside (from, to). */
function gridBuckets(fromMin: number, toMin: number, grid: Grid, tz: string, max: number, g: Granularity): number[] {
  const segments = gridSegments(fromMin, toMin, grid, tz);
  const first = segments.find((s) => s.start <= fromMin && fromMin < s.end)!;
  const out = [bucketIn(first, fromMin, grid)];
  if (Number.isNaN(out[0])) throw new Error('time-buckets: lookback too short'); // unreachable by construction
  for (const seg of segments) {
    if (seg.end <= fromMin + 1) continue;
    if (seg.fixed === undefined) {
      for (let t = gridCeil(Math.max(seg.start, fromMin + 1), seg.offset, grid); t < seg.end; t += grid.period) {
        out.push(t);
        if (out.length > max) throw tooMany(g, max);
      }
    } else if (seg.fixed === seg.start && seg.start > fromMin) {
      out.push(seg.start);
      if (out.length > max) throw tooMany(g, max);
    }
  }
  return out;
}

function gridCeil(t: number, offset: number, grid: Grid): number {
  const floor = gridFloor(t, offset, grid);
  return floor === t ? t : floor + grid.period;
}

/** Start of the local day holding `minute` (day-grid semantics, so months agree with days). */
function dayStart(minute: number, tz: string): number {
  return gridBuckets(minute, minute + 1, GRIDS.day, tz, 2, 'day')[0];
}

function monthBuckets(fromMin: number, toMin: number, tz: string, max: number): number[] {
  const zone = zoneOf(tz);
  const local = DateTime.fromMillis(fromMin * 60_000, { zone });
  const out: number[] = [];
  for (let i = 0; ; i++) {
    // Noon on the 1st always exists and lies inside the 1st's day bucket.
    const noon = DateTime.fromObject({ year: local.year, month: local.month, day: 1, hour: 12 }, { zone }).plus({ months: i });
    const start = dayStart(Math.floor(noon.toMillis() / 60_000), tz);
    if (i > 0 && start >= toMin) return out;
    out.push(start);
    if (out.length > max) throw tooMany('month', max);
  }
}

function minuteBuckets(fromMin: number, toMin: number, max: number): number[] {
  if (toMin - fromMin > max) throw tooMany('minute', max);
  return Array.from({ length: toMin - fromMin }, (_, i) => fromMin + i);
}

/** Start of every output bucket overlapping [from, to), in order; the first may start before `from`. */
export function bucketStarts(fromMin: number, toMin: number, granularity: Granularity, tz: string, opts: BucketOptions = {}): number[] {
  assertRange(fromMin, toMin);
  zoneOf(tz);
  const max = opts.maxBuckets ?? DEFAULT_MAX_BUCKETS;
  switch (granularity) {
    case 'all': return [fromMin];
    case 'minute': return minuteBuckets(fromMin, toMin, max);
    case 'month': return monthBuckets(fromMin, toMin, tz, max);
    case 'hour': case 'day': case 'week':
      return gridBuckets(fromMin, toMin, GRIDS[granularity], tz, max, granularity);
    default: throw new RangeError(`invalid_granularity: ${String(granularity)}`);
  }
}

/** Bucket boundaries strictly inside (from, to). */
export function cutPoints(fromMin: number, toMin: number, granularity: Granularity, tz: string, opts: BucketOptions = {}): number[] {
  return bucketStarts(fromMin, toMin, granularity, tz, opts).slice(1);
}

/** RFC 3339 with the zone's offset at that instant, e.g. 2026-03-29T00:00:00+01:00. */
export function formatBucket(minute: number, tz: string): string {
  return DateTime.fromMillis(minute * 60_000, { zone: zoneOf(tz) }).toFormat("yyyy-MM-dd'T'HH:mm:ssZZ");
}

/**
 * formatBucket for many instants in [fromMin, toMin): the offsets are resolved once per offset
 * period, then each label is plain arithmetic (luxon per label costs ~80 µs; this ~0.1 µs). Labels
 * asked in ascending order (a series) find their period and date without a search.
 */
export function bucketFormatter(fromMin: number, toMin: number, tz: string): (minute: number) => string {
  const periods = offsetPeriods(fromMin, Math.max(toMin, fromMin + 1), tz);
  const suffixes = periods.map((p) => {
    const abs = Math.abs(p.offset);
    return `:00${p.offset < 0 ? '-' : '+'}${TWO_DIGITS[Math.floor(abs / 60)]}:${TWO_DIGITS[abs % 60]}`;
  });
  let at = 0;
  let lastDay = NaN;
  let lastDate = '';
  return (minute) => {
    if (!(minute >= periods[at].start && minute < periods[at].end)) {
      at = periods.findIndex((q) => minute >= q.start && minute < q.end);
      if (at < 0) {
        at = 0;
        return formatBucket(minute, tz);
      }
    }
    const local = minute + periods[at].offset;
    const day = Math.floor(local / 1440);
    if (day !== lastDay) {
      lastDay = day;
      lastDate = `${new Date(day * 86_400_000).toISOString().slice(0, 10)}T`;
    }
    const inDay = local - day * 1440;
    return lastDate + TWO_DIGITS[Math.floor(inDay / 60)] + ':' + TWO_DIGITS[inDay % 60] + suffixes[at];
  };
}

/** '00' … '99': hours, minutes and offset parts of a label. */
const TWO_DIGITS = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);

function gridPiece(seg: Segment, grid: Grid): BucketPiece {
  if (seg.fixed !== undefined) {
    if (Number.isNaN(seg.fixed)) throw new Error('time-buckets: lookback too short'); // unreachable by construction
    return { fixed: seg.fixed };
  }
  const k = seg.offset + grid.shift;
  // Engines truncate integer division toward zero, so the dividend must be >= 0.
  if (seg.start + k < 0) throw new RangeError('invalid_range: bucketing before 1970 is not supported');
  return { shift: k, period: grid.period };
}

function clip(segments: Segment[], fromMin: number, toMin: number): Segment[] {
  return segments
    .map((s) => ({ ...s, start: Math.max(s.start, fromMin), end: Math.min(s.end, toMin) }))
    .filter((s) => s.start < s.end);
}

/** The output bucket start of any rollup row's minute in [from, to), as data (store/query-shapes.ts). */
export function bucketShape(granularity: Granularity, tz: string, fromMin: number, toMin: number): BucketShape {
  assertRange(fromMin, toMin);
  zoneOf(tz);
  switch (granularity) {
    case 'all': return { kind: 'constant', minute: fromMin };
    case 'minute': return { kind: 'minute' };
    case 'month': {
      const starts = bucketStarts(fromMin, toMin, 'month', tz, { maxBuckets: Number.MAX_SAFE_INTEGER });
      return { kind: 'pieces', pieces: starts.map((s, i) => ({ end: starts[i + 1] ?? toMin, bucket: { fixed: s } })) };
    }
    case 'hour': case 'day': case 'week': {
      const grid = GRIDS[granularity];
      const segments = clip(gridSegments(fromMin, toMin, grid, tz), fromMin, toMin);
      return { kind: 'pieces', pieces: segments.map((s) => ({ end: s.end, bucket: gridPiece(s, grid) })) };
    }
    default: throw new RangeError(`invalid_granularity: ${String(granularity)}`);
  }
}
