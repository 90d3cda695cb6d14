// The read side of raw_events: a keyset-paginated listing, counts for a range, one event by id.
// Filters go through the query dimensions (values → integer keys); the few free-text values
// (ids, the cursor's event id) are SQL literals.

import { AppError } from '../errors.ts';
import { EVENT_TYPES, PAYMENT_TYPES, TYPE_CODE, type EventType } from '../events/contract.ts';
import { formatMinor } from '../events/amount.ts';
import { countryCode } from '../reference/countries.ts';
import { currencyCode, currencyExponent } from '../reference/currencies.ts';
import {
  KIND_DISPUTE, KIND_FAILED, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND, KIND_SUCCEEDED,
} from '../events/rollup-kinds.ts';
import { sqlString } from '../store/sql-literal.ts';
import type { AnalyticsStore, Row } from '../store/analytics-store.ts';
import { dimension, type DimContext } from './query-dimensions.ts';

export interface RawEventDeps {
  store: AnalyticsStore;
  dimContext: DimContext;
}

export interface RawEventRange {
  from: number;
  to: number;
  /** Dimension → values, as readScope produces them (merchant already confined). */
  filters: Record<string, string[]>;
}

export interface RawEventQuery extends RawEventRange {
  txnId?: string;
  entityId?: string;
  cursor?: string;
  limit: number;
}

/** An event as the ingest contract spells it (docs/events.md); refund_id etc. only on their types. */
export interface RawEvent {
  event_id: string; type: EventType; occurred_at: string; txn_id: string | null;
  refund_id?: string; dispute_id?: string; payout_id?: string;
  merchant_id: string | null; amount: string; currency: string; fee: string; country: string; status: string | null;
  city: string | null; payment_method: string | null; provider: string | null;
  failure_reason: string | null; customer_id: string | null; reason: string | null; metadata: unknown;
}

export const MAX_PAGE = 1000;
const PAYMENTS = PAYMENT_TYPES.length;
const STATUS_NAMES = [null, 'pending', 'succeeded', 'failed'] as const;
const ENTITY_FIELD: Partial<Record<EventType, 'refund_id' | 'dispute_id' | 'payout_id'>> = {
  refund_created: 'refund_id', dispute_created: 'dispute_id', payout_created: 'payout_id', 'payout.settled': 'payout_id',
};
// A raw row's rollup kind, so the `type` and `status` dimension filters apply unchanged.
const KIND_SQL = `CASE type WHEN ${TYPE_CODE.refund_created} THEN ${KIND_REFUND} WHEN ${TYPE_CODE.dispute_created} THEN ${KIND_DISPUTE}`
  + ` WHEN ${TYPE_CODE.payout_created} THEN ${KIND_PAYOUT} WHEN ${TYPE_CODE['payout.settled']} THEN ${KIND_PAYOUT_SETTLED} ELSE status END`;
const KIND_STATUS: Record<number, string> = {
  [KIND_PENDING]: 'pending', [KIND_SUCCEEDED]: 'succeeded', [KIND_FAILED]: 'failed',
  [KIND_REFUND]: 'created', [KIND_DISPUTE]: 'created', [KIND_PAYOUT]: 'created', [KIND_PAYOUT_SETTLED]: 'settled',
};
const SOURCE = `(SELECT *, ${KIND_SQL} AS kind FROM raw_events) AS e`;

/** `type` takes the dimension's groups (payment, refund, …) and exact event types, OR-ed. */
function typeFilter(values: string[], ctx: DimContext): string {
  const exact = values.filter((v) => (EVENT_TYPES as readonly string[]).includes(v)) as EventType[];
  const groups = values.filter((v) => !(EVENT_TYPES as readonly string[]).includes(v));
  const parts = exact.length ? [`type IN (${exact.map((t) => TYPE_CODE[t]).join(', ')})`] : [];
  try {
    if (groups.length) parts.push(dimension('type').filter(groups, ctx));
  } catch (e) {
    throw e instanceof AppError ? new AppError('invalid_parameter', `${e.message}, or an event type (${EVENT_TYPES.join(', ')})`) : e;
  }
  return `(${parts.join(' OR ')})`;
}

function whereOf(ctx: DimContext, q: RawEventRange & { txnId?: string; entityId?: string }): string[] {
  const where = [`occurred_at >= ${Math.trunc(q.from)}`, `occurred_at < ${Math.trunc(q.to)}`];
  for (const [name, values] of Object.entries(q.filters)) {
    if (values.length) where.push(name === 'type' ? typeFilter(values, ctx) : `(${dimension(name).filter(values, ctx)})`);
  }
  // A payment's own id is its entity_id (txn_id is stored for refunds and disputes only).
  if (q.txnId !== undefined) where.push(`(txn_id = ${sqlString(q.txnId)} OR (type < ${PAYMENTS} AND entity_id = ${sqlString(q.txnId)}))`);
  if (q.entityId !== undefined) where.push(`entity_id = ${sqlString(q.entityId)}`);
  return where;
}

export function encodeCursor(occurredAt: number, eventId: string): string {
  return Buffer.from(JSON.stringify([occurredAt, eventId])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  let v: unknown;
  try {
    v = /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  } catch { v = null; }
  if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && v[1].length <= 128) {
    return [v[0], v[1]];
  }
  throw new AppError('invalid_parameter', 'cursor is not one this API returned');
}

/** RFC 3339 in the producer's own offset, as it was sent (milliseconds always shown). */
function rfc3339(ms: number, offsetMinutes: number): string {
  if (offsetMinutes === 0) return new Date(ms).toISOString();
  const abs = Math.abs(offsetMinutes);
  const hhmm = `${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
  return new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 23) + (offsetMinutes < 0 ? '-' : '+') + hhmm;
}

const str = (v: unknown) => (v === null || v === undefined ? null : String(v));

function decode(r: Row, ctx: DimContext): RawEvent {
  const code = Number(r.type);
  const type = EVENT_TYPES[code];
  const currency = currencyCode(Number(r.currency_key));
  const exponent = currencyExponent(currency) ?? 0;
  const ev: RawEvent = {
    event_id: String(r.event_id),
    type,
    occurred_at: rfc3339(Number(r.occurred_at), Number(r.offset_minutes)),
    txn_id: code < PAYMENTS ? String(r.entity_id) : str(r.txn_id),
    merchant_id: dimension('merchant_id').decode(r.merchant_key, ctx),
    amount: formatMinor(BigInt(r.amount_minor as bigint), exponent),
    currency,
    fee: formatMinor(BigInt(r.fee_minor as bigint), exponent),
    country: countryCode(Number(r.country_key)),
    status: STATUS_NAMES[Number(r.status)] ?? null,
    city: dimension('city').decode(r.city_key, ctx),
    payment_method: dimension('payment_method').decode(r.method_key, ctx),
    provider: dimension('provider').decode(r.provider_key, ctx),
    failure_reason: str(r.failure_reason),
    customer_id: str(r.customer_id),
    reason: str(r.reason),
    metadata: r.metadata === null ? null : JSON.parse(String(r.metadata)),
  };
  const field = ENTITY_FIELD[type];
  if (field) ev[field] = String(r.entity_id);
  return ev;
}

/** Newest first by (occurred_at, event_id); `next_cursor` is null on the last page. */
export async function listRawEvents(deps: RawEventDeps, q: RawEventQuery): Promise<{ items: RawEvent[]; next_cursor: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(q.limit), 1), MAX_PAGE);
  const where = whereOf(deps.dimContext, q);
  if (q.cursor !== undefined) {
    const [at, id] = decodeCursor(q.cursor);
    where.push(`(occurred_at < ${at} OR (occurred_at = ${at} AND event_id < ${sqlString(id)}))`);
  }
  const rows = await deps.store.query(
    `SELECT * FROM ${SOURCE} WHERE ${where.join(' AND ')} ORDER BY occurred_at DESC, event_id DESC LIMIT ${limit + 1}`);
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => decode(r, deps.dimContext)),
    next_cursor: rows.length > limit ? encodeCursor(Number(last.occurred_at), String(last.event_id)) : null,
  };
}

export async function rawEventStats(deps: RawEventDeps, q: RawEventRange) {
  const where = whereOf(deps.dimContext, q).join(' AND ');
  const [groups, [m]] = await Promise.all([
    deps.store.query(`SELECT type, kind, count(*) AS n, min(occurred_at) AS first, max(occurred_at) AS last FROM ${SOURCE} WHERE ${where} GROUP BY type, kind`),
    deps.store.query(`SELECT count(DISTINCT merchant_key) AS n FROM ${SOURCE} WHERE ${where}`),
  ]);
  const byType: Record<string, number> = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0]));
  const byStatus: Record<string, number> = Object.fromEntries(Object.values(KIND_STATUS).map((s) => [s, 0]));
  let total = 0, first = Infinity, last = -Infinity;
  for (const g of groups) {
    const n = Number(g.n);
    total += n;
    byType[EVENT_TYPES[Number(g.type)]] += n;
    byStatus[KIND_STATUS[Number(g.kind)]] += n;
    first = Math.min(first, Number(g.first));
    last = Math.max(last, Number(g.last));
  }
  return {
    total, by_type: byType, by_status: byStatus, merchants: Number(m.n),
    first_occurred_at: total ? new Date(first).toISOString() : null,
    last_occurred_at: total ? new Date(last).toISOString() : null,
  };
}

export async function getRawEvent(deps: RawEventDeps, eventId: string): Promise<RawEvent | null> {
  const rows = await deps.store.query(`SELECT * FROM raw_events WHERE event_id = ${sqlString(eventId)} LIMIT 1`);
  return rows.length ? decode(rows[0], deps.dimContext) : null;
}
