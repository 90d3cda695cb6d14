// What the series chart plots, as plain data (no DOM, so node:test reads it): the columns uPlot
// draws — bucket starts in seconds, this period, the previous period aligned bucket for bucket,
// and the incomplete last bucket on its own dotted segment — and whether that last bucket is
// still running (it ends after the range's end, or after now).

import { isoDate, nextDay, wallClock, zonedInstant } from './zoned-time.ts';

export interface ChartPoint { ts: string; value: number | null }

const num = (v: number | null | undefined): number | null => (v === null || v === undefined || !Number.isFinite(v) ? null : v);

/** The end (exclusive) of the bucket starting at `start`, in the view's zone (days, weeks and months are calendar ones). */
export function bucketEnd(start: number, granularity: string, tz: string): number {
  switch (granularity) {
    case 'minute': return start + 60_000;
    case 'hour': return start + 3_600_000;
    case 'day': return nextDay(isoDate(start, tz), tz);
    case 'week': {
      const w = wallClock(start, tz);
      const d = new Date(Date.UTC(w.year, w.month - 1, w.day + 7));
      return zonedInstant(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate(), tz);
    }
    case 'month': {
      const w = wallClock(start, tz);
      return w.month === 12 ? zonedInstant(w.year + 1, 1, 1, tz) : zonedInstant(w.year, w.month + 1, 1, tz);
    }
    default: return start;
  }
}

/** Whether the last bucket is still running: it ends after the range's end or after `now`. */
export function lastBucketPartial(points: Array<{ ts: string }>, granularity: string, to: number, now: number, tz: string): boolean {
  const last = points[points.length - 1];
  if (!last) return false;
  return bucketEnd(Date.parse(last.ts), granularity, tz) > Math.min(to, now);
}

export interface ChartColumns {
  /** Bucket starts, in seconds (uPlot's time unit). */
  xs: number[];
  /** This period; null where undefined, and at the last bucket when it is incomplete. */
  current: Array<number | null>;
  /** The previous period, bucket i one span before bucket i here; all null when unknown. */
  previous: Array<number | null>;
  /** Only the segment into the incomplete last bucket (its last two points); null elsewhere. */
  partial: Array<number | null>;
}

export function chartColumns(points: ChartPoint[], previous: ChartPoint[] | null | undefined, partial: boolean): ChartColumns {
  const n = points.length;
  const xs = points.map((p) => Date.parse(p.ts) / 1000);
  const current = points.map((p) => num(p.value));
  const prev = points.map((_, i) => num(previous?.[i]?.value));
  const seg: Array<number | null> = new Array(n).fill(null);
  if (partial && n > 0) {
    seg[n - 1] = current[n - 1];
    if (n > 1) seg[n - 2] = current[n - 2];
    current[n - 1] = null;
  }
  return { xs, current, previous: prev, partial: seg };
}
