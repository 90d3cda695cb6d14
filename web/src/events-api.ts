// The Events screen's side of the custom events API (docs/custom-events.md): the definitions
// (GET /api/v1/custom-events) and one type's statistics per interval
// (GET /api/v1/custom-events/{name}/stats). Shapes as src/http/routes/custom-events.ts answers them.

import { apiGet } from './api.ts';

export interface PropertyDefinition {
  name: string; type: 'string' | 'number' | 'boolean'; role: 'dimension' | 'measure';
  description: string; cardinality_cap?: number; unit?: string;
}
export interface Definition { name: string; version: number; description: string; properties: PropertyDefinition[]; created_at: string; created_by: string }

/** Bucket sizes the API takes (`all` is not offered here: the screen draws series). */
export const EVENT_INTERVALS = ['1m', '5m', '15m', '1h', '1d'] as const;
export type EventInterval = (typeof EVENT_INTERVALS)[number];
export const INTERVAL_MS: Record<EventInterval, number> = { '1m': 60_000, '5m': 300_000, '15m': 900_000, '1h': 3_600_000, '1d': 86_400_000 };

/** The statistics drawn over time. */
export const STATISTICS = ['p50', 'p95', 'p99', 'avg', 'min', 'max', 'count'] as const;
export type Statistic = (typeof STATISTICS)[number];

export interface StatsItem {
  bucket: string; group?: string; count: number; distinct_users: number; measure_count?: number;
  sum?: number | string | null; avg?: number | null; min?: number | string | null; max?: number | string | null;
  p50?: number | null; p95?: number | null; p99?: number | null;
}
export interface Stats {
  event_type: string; definition_version: number | null; measure: string | null; unit: string | null;
  interval: string; tz: string; from: string; to: string; group_by: string | null; grain: string;
  accuracy: { quantile_relative_error: number; distinct_users_standard_error: number };
  buckets: string[]; items: StatsItem[];
}

export const listDefinitions = (token: string) => apiGet<{ items: Definition[] }>('/api/v1/custom-events', token);

export function eventStats(token: string, name: string, params: { measure?: string; interval: EventInterval; from: string; to: string; tz: string; group_by?: string }) {
  const q: Record<string, string> = { interval: params.interval, from: params.from, to: params.to, tz: params.tz };
  if (params.measure) q.measure = params.measure;
  if (params.group_by) q.group_by = params.group_by;
  return apiGet<Stats>(`/api/v1/custom-events/${encodeURIComponent(name)}/stats`, token, q);
}

/** A statistic of one item as a number (money sums, mins and maxes arrive as exact strings). */
export function statValue(item: StatsItem | undefined, stat: Statistic): number | null {
  if (!item) return null;
  const v = stat === 'count' ? (item.measure_count ?? item.count) : item[stat];
  if (v === null || v === undefined) return null;
  const n = typeof v === 'string' ? Number(v) : v;
  return Number.isFinite(n) ? n : null;
}
