// When people pay: an activity curve over local time of day (quiet at night, peaks late morning
// and evening), a day factor (Sundays quiet, Fridays and month-ends busy), and a clock that
// places the n-th share of a stream's events at the matching point of the cumulative intensity.

import { civilFromDays } from './time.ts';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;
const BUCKET_MS = 10 * MS_PER_MINUTE;
const BUCKETS_PER_DAY = MS_PER_DAY / BUCKET_MS;

/** Relative activity at the start of each local hour; the peak is 1. */
const HOURLY = [
  0.16, 0.1, 0.07, 0.05, 0.06, 0.11, 0.24, 0.45, 0.66, 0.83, 0.95, 1.0,
  0.96, 0.88, 0.82, 0.8, 0.82, 0.88, 0.95, 0.98, 0.92, 0.74, 0.5, 0.29,
];

/** HOURLY interpolated linearly to every minute of the day. */
const BY_MINUTE = new Float64Array(1440);
for (let m = 0; m < 1440; m++) {
  const h = Math.floor(m / 60);
  const f = (m % 60) / 60;
  BY_MINUTE[m] = HOURLY[h] * (1 - f) + HOURLY[(h + 1) % 24] * f;
}

/** Local minute of the day (0–1439) of a UTC instant at `offset` minutes east. */
export function localMinute(ms: number, offset: number): number {
  const m = Math.floor(ms / MS_PER_MINUTE) + offset;
  return ((m % 1440) + 1440) % 1440;
}

/** Activity in (0, 1] at a UTC instant for a place `offset` minutes east of UTC. */
export function localActivity(ms: number, offset: number): number {
  return BY_MINUTE[localMinute(ms, offset)];
}

/** Sunday 0 … Saturday 6. */
const WEEKDAY_FACTOR = [0.78, 1.0, 1.0, 1.0, 1.02, 1.1, 0.92];

/** Relative volume of a UTC day (days since the epoch): weekday and pay-day effects. */
export function dayFactor(days: number): number {
  const weekday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  const dom = civilFromDays(days)[2];
  return WEEKDAY_FACTOR[weekday] * (dom >= 25 || dom <= 2 ? 1.08 : 1);
}

/**
 * Mixed activity per 10-minute bucket of the UTC day for markets at the given offsets, each
 * weighted by its share of volume.
 */
export function utcActivityMix(markets: readonly { offset: number; share: number }[]): Float64Array {
  const mix = new Float64Array(BUCKETS_PER_DAY);
  for (let b = 0; b < BUCKETS_PER_DAY; b++) {
    const mid = b * BUCKET_MS + BUCKET_MS / 2;
    for (const { offset, share } of markets) mix[b] += share * localActivity(mid, offset);
  }
  return mix;
}

/**
 * Maps a share of the total intensity over [start, end) to a time: `timeAt(0.5)` is when half
 * the window's expected activity has happened. Piecewise constant per 10-minute bucket, so the
 * inverse is exact. Calls must ask for non-decreasing shares.
 */
export class IntensityClock {
  readonly total: number;
  private t: number;
  private mass = 0;
  private bucketEnd: number;
  private rate: number;

  constructor(
    private readonly start: number,
    private readonly end: number,
    private readonly mix: Float64Array,
  ) {
    let total = 0;
    for (let b = start; b < end; ) {
      const next = Math.min(end, (Math.floor(b / BUCKET_MS) + 1) * BUCKET_MS);
      total += (next - b) * this.rateAt(b);
      b = next;
    }
    this.total = total;
    this.t = start;
    this.bucketEnd = Math.min(end, (Math.floor(start / BUCKET_MS) + 1) * BUCKET_MS);
    this.rate = this.rateAt(start);
  }

  /** Mean intensity over the window: `rateAt(t) / meanRate` is how busy t is next to the window's average. */
  get meanRate(): number {
    return this.total / (this.end - this.start);
  }

  /** The (unnormalised) intensity at an instant, inside the window or not: the 10-minute bucket's mix × its day factor. */
  rateAt(ms: number): number {
    const bucket = Math.floor(ms / BUCKET_MS);
    const days = Math.floor(bucket / BUCKETS_PER_DAY);
    return this.mix[bucket - days * BUCKETS_PER_DAY] * dayFactor(days);
  }

  /** The time by which `share` (0–1) of the window's intensity has passed; below `end`. */
  timeAt(share: number): number {
    const target = share * this.total;
    while (this.t < this.end) {
      const room = (this.bucketEnd - this.t) * this.rate;
      if (target - this.mass <= room) {
        this.t += Math.max(0, target - this.mass) / this.rate;
        this.mass = Math.max(this.mass, target);
        break;
      }
      this.mass += room;
      this.t = this.bucketEnd;
      this.bucketEnd = Math.min(this.end, this.bucketEnd + BUCKET_MS);
      this.rate = this.rateAt(this.t);
    }
    return Math.min(this.t, this.end - 1);
  }
}
