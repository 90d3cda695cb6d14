// The live answer of one room — what GET /api/analytics/live returns for room-shaped filters
// and what a client gets as its snapshot on subscribing: the same function, so they agree.

import type { LivePoint, LiveWindow } from './live-window.ts';
import { WINDOW_MINUTES } from './live-window.ts';

export interface LiveAnswer {
  from: string;
  to: string;
  granularity: 'minute';
  tz: 'UTC';
  as_of: string | null;
  unconverted_events: number;
  currency: null;
  points: LivePoint[];
  totals: Omit<LivePoint, 'ts'>;
}

export function liveAnswer(window: LiveWindow, room: string, now: number, asOf: number | null): LiveAnswer {
  const end = Math.floor(now / 60000) + 1;
  window.prune(end - WINDOW_MINUTES); // cheap: walks the window only when the minute moved on
  const a = window.answer(room, end - WINDOW_MINUTES, end);
  return {
    from: new Date((end - WINDOW_MINUTES) * 60000).toISOString(),
    to: new Date(end * 60000).toISOString(),
    granularity: 'minute', tz: 'UTC',
    as_of: asOf === null ? null : new Date(asOf).toISOString(),
    unconverted_events: a.unconverted, currency: null,
    points: a.points, totals: a.totals,
  };
}
