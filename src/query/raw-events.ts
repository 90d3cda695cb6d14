// The read side of raw_events: a keyset-paginated listing, counts for a range, one event by id.
// Filters go through the query dimensions (values → integer keys); the store answers
// (store/queries/raw-events.ts).

import { AppError } from '../errors.ts';
import { EVENT_TYPES, PAYMENT_TYPES, TYPE_CODE, type EventType } from '../events/contract.ts';
import { formatMinor } from '../events/amount.ts';
import { countryCode } from '../reference/countries.ts';
import { currencyCode, currencyExponent } from '../reference/currencies.ts';
import {
  KIND_DISPUTE, KIND_FAILED, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND, KIND_SUCCEEDED,
} from '../events/rollup-kinds.ts';
import type { AnalyticsStore, RawEventRange as StoreRange, RawEventRow } from '../store/analytics-store.ts';
import type { KeyFilter, RowFilter } from '../store/query-shapes.ts';
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
const KIND_STATUS: Record<number, string> = {
  [KIND_PENDING]: 'pending', [KIND_SUCCEEDED]: 'succeeded', [KIND_FAILED]: 'failed',
  [KIND_REFUND]: 'created', [KIND_DISPUTE]: 'created', [KIND_PAYOUT]: 'created', [KIND_PAYOUT_SETTLED]: 'settled',
};
/** `type` takes the dimension's groups (payment, refund, …) and exact event types, OR-ed. */
function typeFilter(values: string[], ctx: DimContext): RowFilter {
  const exact = values.filter((v) => (EVENT_TYPES as readonly string[]).includes(v)) as EventType[];
  const groups = values.filter((v) => !(EVENT_TYPES as readonly string[]).includes(v));
  const anyOf: KeyFilter[] = exact.length ? [{ column: 'type', keys: exact.map((t) => TYPE_CODE[t]) }] : [];
  try {
    if (groups.length) anyOf.push(dimension('type').filter(groups, ctx));
  } catch (e) {
    throw e instanceof AppError ? new AppError('invalid_parameter', `${e.message}, or an event type (${EVENT_TYPES.join(', ')})`) : e;
  }
  return { anyOf };
}

function rangeOf(ctx: DimContext, q: RawEventRange & { txnId?: string; entityId?: string }): StoreRange {
  const filters: RowFilter[] = [];
  for (const [name, values] of Object.entries(q.filters)) {
    if (values.length) filters.push(name === 'type' ? typeFilter(values, ctx) : dimension(name).filter(values, ctx));
  }
  return { from: q.from, to: q.to, filters, txnId: q.txnId, entityId: q.entityId };
}

export function encodeCursor(occurredAt: number, eventId: string): string {
  return Buffer.from(JSON.stringify([occurredAt, eventId])).toString('base64url');
}

function decodeCursor(cursor: string): { occurredAt: number; eventId: string } {
  let v: unknown;
  try {
    v = /^[A-Za-z0-9_-]+$/.test(cursor) ? JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) : null;
  } catch { v = null; }
  if (Array.isArray(v) && v.length === 2 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && v[1].length <= 128) {
    return { occurredAt: v[0], eventId: v[1] };
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

function decode(r: RawEventRow, ctx: DimContext): RawEvent {
  const type = EVENT_TYPES[r.type];
  const currency = currencyCode(r.currencyKey);
  const exponent = currencyExponent(currency) ?? 0;
  const ev: RawEvent = {
    event_id: r.eventId,
    type,
    occurred_at: rfc3339(r.occurredAt, r.offsetMinutes),
    txn_id: r.type < PAYMENTS ? r.entityId : r.txnId,
    merchant_id: dimension('merchant_id').decode(r.merchantKey, ctx),
    amount: formatMinor(r.amountMinor, exponent),
    currency,
    fee: formatMinor(r.feeMinor, exponent),
    country: countryCode(r.countryKey),
    status: STATUS_NAMES[r.status] ?? null,
    city: dimension('city').decode(r.cityKey, ctx),
    payment_method: dimension('payment_method').decode(r.methodKey, ctx),
    provider: dimension('provider').decode(r.providerKey, ctx),
    failure_reason: r.failureReason,
    customer_id: r.customerId,
    reason: r.reason,
    metadata: r.metadata === null ? null : JSON.parse(r.metadata),
  };
  const field = ENTITY_FIELD[type];
  if (field) ev[field] = r.entityId;
  return ev;
}

/** Newest first by (occurred_at, event_id); `next_cursor` is null on the last page. */
export async function listRawEvents(deps: RawEventDeps, q: RawEventQuery): Promise<{ items: RawEvent[]; next_cursor: string | null }> {
  const limit = Math.min(Math.max(Math.trunc(q.limit), 1), MAX_PAGE);
  const before = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const rows = await deps.store.rawEventPage({ ...rangeOf(deps.dimContext, q), before, limit: limit + 1 });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => decode(r, deps.dimContext)),
    next_cursor: rows.length > limit ? encodeCursor(last.occurredAt, last.eventId) : null,
  };
}

export async function rawEventStats(deps: RawEventDeps, q: RawEventRange) {
  const { groups, merchants } = await deps.store.rawEventStats(rangeOf(deps.dimContext, q));
  const byType: Record<string, number> = Object.fromEntries(EVENT_TYPES.map((t) => [t, 0]));
  const byStatus: Record<string, number> = Object.fromEntries(Object.values(KIND_STATUS).map((s) => [s, 0]));
  let total = 0, first = Infinity, last = -Infinity;
  for (const g of groups) {
    total += g.count;
    byType[EVENT_TYPES[g.type]] += g.count;
    byStatus[KIND_STATUS[g.kind]] += g.count;
    first = Math.min(first, g.first);
    last = Math.max(last, g.last);
  }
  return {
    total, by_type: byType, by_status: byStatus, merchants,
    first_occurred_at: total ? new Date(first).toISOString() : null,
    last_occurred_at: total ? new Date(last).toISOString() : null,
  };
}

export async function getRawEvent(deps: RawEventDeps, eventId: string): Promise<RawEvent | null> {
  const row = await deps.store.rawEventById(eventId);
  return row ? decode(row, deps.dimContext) : null;
}
