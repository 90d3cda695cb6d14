// The merchant's refunds: request one (POST /refunds, and the seed's POST /refund), with an
// Idempotency-Key; list and read them; approve or reject one awaiting approval. The use cases are
// in src/merchant (refunds.ts, refund-decisions.ts, list-refunds.ts); these routes parse, scope
// and answer.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { MAX_ID } from '../../events/parse-event.ts';
import type { StateStore } from '../../state-store/state-store.ts';
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from '../../merchant/idempotency.ts';
import { getRefund, listRefunds, MAX_REFUND_PAGE } from '../../merchant/list-refunds.ts';
import { decideRefund, type Decision } from '../../merchant/refund-decisions.ts';
import { requestRefund, type RefundDeps } from '../../merchant/refunds.ts';
import { csv, readLimit, type Query } from '../analytics-params.ts';
import { merchantHeaderSchema, merchantScopeOf, originOf } from '../merchant-scope.ts';
import { problem } from '../openapi.ts';
import { refundPage, refundSchema } from '../merchant-schemas.ts';

const MAX_REASON = 500;
const id = (what: string) => ({ type: 'string', minLength: 1, maxLength: MAX_ID, description: what });

const requestHeaders = {
  ...merchantHeaderSchema,
  properties: {
    ...merchantHeaderSchema.properties,
    [IDEMPOTENCY_HEADER]: {
      type: 'string', maxLength: 255,
      description: 'Required: 1-255 visible ASCII characters, fresh per refund and the same when retrying it. The same key and body within 24 h get the stored answer; another body is 422 idempotency_key_reused; while the first request runs, 409 idempotency_key_in_use.',
    },
  },
};

const requestBody = {
  type: 'object', additionalProperties: false, required: ['amount', 'currency'],
  description: 'The transaction is named by transaction_id, or by txn_id (the seed\'s spelling): exactly one of the two.',
  properties: {
    transaction_id: id('the succeeded transaction to refund (its txn_id)'),
    txn_id: id('the same, as seed 137 spells it'),
    amount: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'minor units of `currency` (XOF 5000 = 5000 XOF; USD 1250 = 12.50 USD); partial refunds allowed' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'the transaction\'s currency' },
    reason: { type: 'string', maxLength: MAX_REASON, description: 'free text, kept with the refund' },
  },
};

interface RequestBody { transaction_id?: string; txn_id?: string; amount: number; currency: string; reason?: string }

const requestSchema = (summary: string) => ({
  tags: ['merchant'], summary, headers: requestHeaders, body: requestBody,
  response: {
    201: refundSchema,
    400: problem('invalid_parameter', 'invalid_json', 'idempotency_key_required', 'merchant_required'),
    404: problem('not_found'),
    409: problem('idempotency_key_in_use', 'refund_pending'),
    422: problem('idempotency_key_reused', 'transaction_not_refundable', 'currency_mismatch', 'refund_exceeds_captured'),
  },
});

const decisionSchema = (summary: string) => ({
  tags: ['merchant'], summary, headers: merchantHeaderSchema,
  params: { type: 'object', required: ['id'], properties: { id: id('the refund id') } },
  body: {
    type: ['object', 'null'], additionalProperties: false,
    properties: { reason: { type: 'string', maxLength: MAX_REASON, description: 'why, kept with the decision' } },
  },
  response: {
    200: refundSchema,
    400: problem('invalid_parameter', 'invalid_json', 'merchant_required'),
    403: problem('forbidden', 'forbidden_merchant', 'four_eyes_required'),
    409: problem('refund_not_pending'),
  },
});

export interface RefundRouteDeps extends RefundDeps {
  state: StateStore;
}

export function merchantRefundRoutes(app: FastifyInstance, deps: RefundRouteDeps) {
  const request = async (req: FastifyRequest<{ Body: RequestBody }>, reply: FastifyReply) => {
    const key = readIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
    const b = req.body;
    if ((b.transaction_id === undefined) === (b.txn_id === undefined)) {
      throw new AppError('invalid_parameter', 'name the transaction in transaction_id (or txn_id, the seed\'s spelling): exactly one of the two');
    }
    const answer = await requestRefund(deps, merchantScopeOf(req), originOf(req), key, {
      transactionId: (b.transaction_id ?? b.txn_id)!, amount: b.amount, currency: b.currency, reason: b.reason ?? null,
    });
    if (answer.replayed) reply.header('idempotent-replayed', 'true');
    if (answer.error) throw answer.error;
    return reply.code(answer.status).send(answer.refund);
  };
  app.post('/api/merchant/refunds', {
    config: { permission: 'merchant:refunds' },
    schema: requestSchema('Refund (part of) a succeeded transaction; above REFUND_APPROVAL_THRESHOLD it waits for another person\'s approval. Requires Idempotency-Key'),
  }, request);
  app.post('/api/merchant/refund', {
    config: { permission: 'merchant:refunds' },
    schema: requestSchema('The same as POST /api/merchant/refunds, at the path seed 137 gives it'),
  }, request);

  app.get<{ Querystring: Query }>('/api/merchant/refunds', {
    config: { permission: 'merchant:refunds_read' },
    schema: {
      tags: ['merchant'], summary: 'The merchant\'s refunds, newest first, keyset-paginated', headers: merchantHeaderSchema,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          status: { type: 'string', maxLength: 256, description: 'comma-separated: pending_approval, approved, rejected' },
          transaction: id('only the refunds of this transaction (its txn_id)'),
          cursor: { type: 'string', maxLength: 64, description: 'next_cursor of the previous page' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_REFUND_PAGE} (default 50)` },
        },
      },
      response: { 200: refundPage, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => listRefunds(deps.state, merchantScopeOf(req).merchantId, {
    statuses: csv(req.query.status, 'status'), transactionId: req.query.transaction ?? null,
    cursor: req.query.cursor, limit: readLimit(req.query.limit, 50, MAX_REFUND_PAGE),
  }));

  app.get<{ Params: { id: string } }>('/api/merchant/refunds/:id', {
    config: { permission: 'merchant:refunds_read' },
    schema: {
      tags: ['merchant'], summary: 'One refund (another merchant\'s is 404, like a missing one)', headers: merchantHeaderSchema,
      params: { type: 'object', required: ['id'], properties: { id: id('the refund id') } },
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: refundSchema, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getRefund(deps.state, merchantScopeOf(req).merchantId, req.params.id));

  const decide = (decision: Decision) => async (req: FastifyRequest<{ Params: { id: string }; Body: { reason?: string } | null }>) =>
    decideRefund(deps.state, merchantScopeOf(req), originOf(req), req.params.id, decision, req.body?.reason ?? null, deps.now());
  app.post('/api/merchant/refunds/:id/approve', {
    config: { permission: 'merchant:refunds_approve' },
    schema: decisionSchema('Approve a refund awaiting approval: by another person than its requester (four eyes); it then enters the KPIs'),
  }, decide('approve'));
  app.post('/api/merchant/refunds/:id/reject', {
    config: { permission: 'merchant:refunds_approve' },
    schema: decisionSchema('Reject a refund awaiting approval (its requester may withdraw it so); its amount can be refunded again'),
  }, decide('reject'));
}
