// GET /api/v1/events[/stats|/:event_id]: the raw events themselves, confined to the caller's
// merchant like every other answer. (POST /api/v1/events, ingestion, lives in ingest.ts.)

import type { FastifyInstance } from 'fastify';
import { canSeeMerchant } from '../../auth/principal.ts';
import { AppError } from '../../errors.ts';
import { getRawEvent, listRawEvents, rawEventStats, MAX_PAGE, type RawEventDeps } from '../../query/raw-events.ts';
import { LIMIT_PROPERTY, querySchema, readLimit, readScope, type Query } from '../analytics-params.ts';
import { principalOf } from '../auth-hook.ts';
import { QUERY_PROBLEMS } from '../openapi.ts';
import { nullableIsoTime, range } from '../response-schemas.ts';
import { MAX_ID } from '../../events/parse-event.ts';

export interface RawEventRouteDeps extends RawEventDeps {
  now: () => number;
  asOf: () => number | null;
}

const asOfOf = (deps: RawEventRouteDeps) => {
  const t = deps.asOf();
  return t === null ? null : new Date(t).toISOString();
};

// JSON Schema counts code points; the contract counts UTF-16 units (an emoji is two): the
// handler checks the exact rule, the schema documents it.
const id = (description: string) => ({ type: 'string', minLength: 1, maxLength: MAX_ID, description });

const listProps = {
  txn_id: id('a transaction: its payment events, refunds and disputes'),
  entity_id: id('the event subject: txn_id of a payment, refund_id, dispute_id or payout_id'),
  cursor: { type: 'string', maxLength: 512, description: 'next_cursor of the previous page' },
  limit: { ...LIMIT_PROPERTY, description: `page size, 1–${MAX_PAGE} (default 100)` },
};

const s = { type: 'string' };
const ns = { type: ['string', 'null'] };
/** An event as the ingest contract spells it (docs/events.md). */
export const rawEventSchema = {
  type: 'object',
  required: ['event_id', 'type', 'occurred_at', 'txn_id', 'merchant_id', 'amount', 'currency', 'fee', 'country', 'status'],
  additionalProperties: true,
  properties: {
    event_id: s, type: s, occurred_at: { ...s, description: 'RFC 3339 in the producer\'s own offset' }, txn_id: ns,
    refund_id: s, dispute_id: s, payout_id: s, merchant_id: ns,
    amount: { ...s, description: 'exact decimal, major units' }, currency: s, fee: s, country: s, status: ns,
    city: ns, payment_method: ns, provider: ns, failure_reason: ns, customer_id: ns, reason: ns,
    metadata: { type: ['object', 'null'], additionalProperties: true },
  },
};
const asOf = { as_of: { ...nullableIsoTime, description: 'event time up to which ingestion is complete' } };
const pageResponse = {
  type: 'object',
  required: ['as_of', 'items', 'next_cursor'],
  properties: { ...asOf, items: { type: 'array', items: rawEventSchema }, next_cursor: { ...ns, description: 'pass as cursor for the next page; null on the last' } },
};
const count = { type: 'object', additionalProperties: { type: 'integer' } };
const statsResponse = {
  type: 'object',
  required: ['from', 'to', 'as_of', 'total', 'by_type', 'by_status', 'merchants', 'first_occurred_at', 'last_occurred_at'],
  properties: {
    from: range.from, to: range.to, ...asOf, total: { type: 'integer' },
    by_type: { ...count, description: 'event type → events' }, by_status: { ...count, description: 'status (or created/settled) → events' },
    merchants: { type: 'integer', description: 'distinct merchants' },
    first_occurred_at: nullableIsoTime, last_occurred_at: nullableIsoTime,
  },
};

export function rawEventRoutes(app: FastifyInstance, deps: RawEventRouteDeps) {
  app.get<{ Querystring: Query }>('/api/v1/events', {
    config: { permission: 'events:read' },
    schema: {
      tags: ['analytics'],
      summary: 'Raw events, newest first, keyset-paginated (default range: the last 24 h)',
      querystring: querySchema(listProps),
      response: { 200: pageResponse, ...QUERY_PROBLEMS },
    },
  }, async (req) => {
    const q = req.query;
    const scope = readScope(req, q, deps.now());
    const page = await listRawEvents(deps, {
      from: scope.from, to: scope.to, filters: scope.filters,
      txnId: q.txn_id, entityId: q.entity_id, cursor: q.cursor, limit: readLimit(q.limit, 100, MAX_PAGE),
    });
    return { as_of: asOfOf(deps), ...page };
  });

  app.get<{ Querystring: Query }>('/api/v1/events/stats', {
    config: { permission: 'events:read' },
    schema: {
      tags: ['analytics'],
      summary: 'Raw event counts by type and status, first/last occurred_at and distinct merchants over a range',
      querystring: querySchema(),
      response: { 200: statsResponse, ...QUERY_PROBLEMS },
    },
  }, async (req) => {
    const scope = readScope(req, req.query, deps.now());
    return {
      from: new Date(scope.from).toISOString(), to: new Date(scope.to).toISOString(), as_of: asOfOf(deps),
      ...await rawEventStats(deps, scope),
    };
  });

  app.get<{ Params: { event_id: string } }>('/api/v1/events/:event_id', {
    config: { permission: 'events:read' },
    schema: {
      tags: ['analytics'],
      summary: 'One raw event by id (404 as well when it belongs to another merchant)',
      params: { type: 'object', required: ['event_id'], properties: { event_id: id('the event_id') } },
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: rawEventSchema },
    },
  }, async (req) => {
    if (req.params.event_id.length > MAX_ID) {
      throw new AppError('invalid_parameter', `event_id is longer than any the contract accepts (${MAX_ID} UTF-16 units)`);
    }
    const event = await getRawEvent(deps, req.params.event_id);
    // The same answer for a missing event and another merchant's: existence is not disclosed.
    if (!event || !canSeeMerchant(principalOf(req), event.merchant_id)) throw new AppError('not_found', 'no event with this id');
    return event;
  });
}
