// What every analytics answer is computed from: the cached query runner, the freshness
// watermark, and the caller's already-scoped range and filters.

import type { RunQuery } from './query-runner.ts';
import type { LiveWindow } from '../live/live-window.ts';

export interface AnalyticsContext {
  run: RunQuery;
  /** Event time up to which ingestion is complete (epoch ms), null before any event. */
  asOf: () => number | null;
  now: () => number;
  /**
   * Keeps a whole answer in the result cache (same TTL and invalidation) for the minutes
   * [lo, hi) it is computed from.
   */
  memo?: <T>(key: string, lo: number, hi: number, compute: () => Promise<T>) => Promise<T>;
  /** The in-memory last hour per room (live answers for room-shaped filters come from it). */
  liveWindow?: LiveWindow;
}

/** A request's range and filters; merchant scope already applied. */
export interface Scope {
  from: number;
  to: number;
  tz: string;
  filters: Record<string, string[]>;
}

export function isoOrNull(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}

/** The single selected currency, whose local sums are given as exact decimal strings. */
export function selectedCurrency(scope: Scope): string | null {
  const c = scope.filters.currency ?? [];
  return c.length === 1 ? c[0] : null;
}

/** Freshness fields every answer carries. `asOf` is read before the queries run, so it never
 * claims data a batch committed while they ran (and that they may not include). */
export function freshness(asOf: number | null, unconverted: number) {
  return { as_of: isoOrNull(asOf), unconverted_events: unconverted };
}
