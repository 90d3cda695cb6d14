// The query parameters the analytics routes share — range, zone, granularity, metric lists and
// the dimension filters — their schema, and their reading into a Scope. The merchant filter
// always goes through the caller's scope (scopeMerchants): this is the one place it is applied.

import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { DIMENSIONS } from '../query/query-dimensions.ts';
import { GRANULARITIES, QUERY_TIME_MAX, QUERY_TIME_MIN } from '../query/run-query.ts';
import { parseRfc3339 } from '../events/parse-event.ts';
import { scopeMerchants } from '../auth/principal.ts';
import { principalOf } from './auth-hook.ts';
import type { Scope } from '../analytics/context.ts';

export type Query = Record<string, string | undefined>;

const DAY_MS = 86_400_000;
/** Most values one filter may list, and most metrics one request may name (query cost limits). */
const MAX_LIST = 200;

/**
 * An instant named by a parameter, read by the same rule as an event's occurred_at (ingest's
 * parseRfc3339): an impossible date such as February 30 is an error, never rolled over into
 * March. Every route that reads a date-time goes through here. Instants outside the span the
 * rollups' minute keys and the planner cover (1970 to 2200) are refused too.
 */
export function parseInstant(name: string, v: string | undefined, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const t = { occurredAt: NaN, offsetMinutes: 0 };
  if (!parseRfc3339(v, t)) {
    throw new AppError('invalid_parameter',
      `${name} must be a possible RFC 3339 date-time with seconds and an offset, such as 2026-02-28T00:00:00Z; got ${JSON.stringify(v.slice(0, 64))}`);
  }
  if (t.occurredAt < QUERY_TIME_MIN || t.occurredAt > QUERY_TIME_MAX) {
    throw new AppError('invalid_range', `${name} must lie between 1970-01-01T00:00:00Z and 2200-01-01T00:00:00Z`);
  }
  return t.occurredAt;
}

export function csv(v: string | undefined, name = 'list'): string[] {
  const out = v === undefined || v === '' ? [] : v.split(',').map((s) => s.trim()).filter(Boolean);
  if (out.length > MAX_LIST) throw new AppError('invalid_parameter', `${name} lists more than ${MAX_LIST} values`);
  return out;
}

const str = (extra: object = {}) => ({ type: 'string', maxLength: 4096, ...extra });

/** JSON-schema properties of the range, zone and filters. */
export const SCOPE_PROPERTIES: Record<string, object> = {
  from: str({ description: 'RFC 3339 start (inclusive); default `to` − 24 h' }),
  to: str({ description: 'RFC 3339 end (exclusive); default now' }),
  tz: str({ maxLength: 64, description: 'IANA time zone of buckets and day boundaries; default UTC' }),
  ...Object.fromEntries(DIMENSIONS.map((d) => [d, str({ description: `comma-separated ${d} values` })])),
};

export const GRANULARITY_PROPERTY = { type: 'string', enum: GRANULARITIES.filter((g) => g !== 'all') };
export const METRICS_PROPERTY = str({ description: 'comma-separated metric names (see GET /api/v1/metrics/registry)' });
export const LIMIT_PROPERTY = { type: 'string', pattern: '^[0-9]{1,4}$' };

export function querySchema(extra: Record<string, object> = {}) {
  return { type: 'object', additionalProperties: false, properties: { ...SCOPE_PROPERTIES, ...extra } };
}

/** Range (default the last 24 h), zone and filters, with the merchant filter confined to the caller. */
export function readScope(req: FastifyRequest, q: Query, now: number): Scope {
  const to = parseInstant('to', q.to, now);
  const from = parseInstant('from', q.from, to - DAY_MS);
  if (to <= from) throw new AppError('invalid_range', '`to` must be after `from`');
  // Rollups are per minute: widen to whole minutes here, so that a previous period of equal
  // length ends exactly where this one starts.
  return { from: Math.floor(from / 60000) * 60000, to: Math.ceil(to / 60000) * 60000, tz: q.tz ?? 'UTC', filters: readMerchantFilter(req, q) };
}

/** The merchant filter alone (for answers with a fixed range). */
export function readMerchantFilter(req: FastifyRequest, q: Query): Record<string, string[]> {
  const filters = Object.fromEntries(DIMENSIONS.map((d) => [d, csv(q[d], d)]));
  filters.merchant_id = scopeMerchants(principalOf(req), filters.merchant_id);
  return filters;
}

/**
 * Grouping by merchant across the network (rankings of merchants) is for ops. A merchant token
 * may group by merchant_id: its scope leaves one row, its own.
 */
export function assertMayGroupBy(req: FastifyRequest, dimensions: readonly string[]): void {
  const p = principalOf(req);
  if (dimensions.includes('merchant_id') && p.merchantId === null && !p.permissions.has('analytics:ops')) {
    throw new AppError('forbidden', 'grouping by merchant_id across merchants needs the analytics:ops permission');
  }
}

/** Whether the caller sees the network-wide ranking of merchants. */
export function seesMerchantRanking(req: FastifyRequest): boolean {
  const p = principalOf(req);
  return p.merchantId === null && p.permissions.has('analytics:ops');
}

export function readLimit(v: string | undefined, fallback: number, max: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new AppError('invalid_parameter', `limit must be between 1 and ${max}`);
  return n;
}
