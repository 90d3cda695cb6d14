// GET /api/v1/events[/stats|/:event_id]: the raw events themselves, confined to the caller's
// merchant like every other answer. (POST /api/v1/events, ingestion, lives in ingest.ts.)

import type { FastifyInstance } from 'fastify';
import { canSeeMerchant } from '../../auth/principal.ts';
import { AppError } from '../../errors.ts';
import { getRawEvent, listRawEvents, rawEventStats, MAX_PAGE, type RawEventDeps } from '../../query/raw-events.ts';
import { LIMIT_PROPERTY, querySchema, readLimit, readScope, type Query } from '../analytics-params.ts';
import { principalOf } from '../auth-hook.ts';
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

export function rawEventRoutes(app: FastifyInstance, deps: RawEventRouteDeps) {
  app.get<{ Querystring: Query }>('/api/v1/events', {
    config: { permission: 'events:read' },
    schema: {
      tags: ['analytics'],
      summary: 'Raw events, newest first, keyset-paginated (default range: the last 24 h)',
      querystring: querySchema(listProps),
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
