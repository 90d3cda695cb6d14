// The periods of the merchant summary, in the merchant's time zone, and the previous period each
// is compared with: the span of equal length that ends where the period starts.
//
// Where a period ends: a preset runs from its local start (midnight, Monday, the 1st of the
// month, quarter or year) to the end of the current hour — no event lies beyond now, so the
// figures are those "so far", and a span of whole hours puts the previous period on hour
// boundaries, answered by hour rollups (kept HOUR_RETENTION_DAYS, a year by default) instead of
// minute rollups (kept half as long: the previous period of a quarter reaches back 184 days).
// Year to date runs to the end of today instead: a span of whole days keeps its previous period,
// up to a year back, on the day rollups, which are kept forever. A custom period is the
// [from, to) asked for, to the minute.

import { DateTime } from 'luxon';
import { AppError } from '../errors.ts';

export const PERIODS = ['today', 'wtd', 'mtd', 'qtd', 'ytd', 'custom'] as const;
export type Period = (typeof PERIODS)[number];

export interface PeriodRange {
  from: number;
  to: number;
  previousFrom: number;
  previousTo: number;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

const START_OF = { today: 'day', wtd: 'week', mtd: 'month', qtd: 'quarter', ytd: 'year' } as const;

/** `custom` needs `from` and `to` (epoch ms, already read); the presets take neither. */
export function periodRange(period: Period, o: { now: number; tz: string; from?: number; to?: number }): PeriodRange {
  let from: number;
  let to: number;
  if (period === 'custom') {
    if (o.from === undefined || o.to === undefined) throw new AppError('invalid_parameter', 'period=custom needs from and to');
    from = Math.floor(o.from / MINUTE_MS) * MINUTE_MS;
    to = Math.ceil(o.to / MINUTE_MS) * MINUTE_MS;
    if (to <= from) throw new AppError('invalid_range', '`to` must be after `from`');
  } else {
    if (o.from !== undefined || o.to !== undefined) throw new AppError('invalid_parameter', `from and to go with period=custom only, not ${period}`);
    const local = DateTime.fromMillis(o.now, { zone: o.tz });
    from = local.startOf(START_OF[period]).toMillis();
    to = period === 'ytd'
      ? local.startOf('day').plus({ days: 1 }).toMillis()
      : Math.floor(o.now / HOUR_MS) * HOUR_MS + HOUR_MS;
  }
  const span = to - from;
  return { from, to, previousFrom: from - span, previousTo: from };
}
