// The merchant's own webhook endpoints (src/merchant/merchant-webhooks.ts): GET /api/merchant/webhooks,
// GET …/:id (with its latest deliveries), POST (the secret shown once), DELETE …/:id.

import type { FastifyInstance } from 'fastify';
import type { StateStore } from '../../state-store/state-store.ts';
import {
  createMerchantWebhook, deleteMerchantWebhook, getMerchantWebhook, listMerchantWebhooks, MERCHANT_WEBHOOK_EVENTS,
} from '../../merchant/merchant-webhooks.ts';
import { merchantHeaderSchema, merchantScopeOf, originOf } from '../merchant-scope.ts';
import { noContent, problem } from '../openapi.ts';
import { merchantWebhookCreated, merchantWebhookDetail, merchantWebhookList } from '../merchant-schemas.ts';

const permission = { permission: 'merchant:webhooks' as const };
const params = { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: 32, description: 'the endpoint id' } } };
const noQuery = { type: 'object', additionalProperties: false, properties: {} };
const body = {
  type: 'object', additionalProperties: false, required: ['url'],
  properties: {
    url: { type: 'string', minLength: 1, maxLength: 2000, description: 'http(s); loopback and private addresses are refused (unless WEBHOOKS_ALLOW_PRIVATE_TARGETS)' },
    event_types: {
      type: ['array', 'null'], minItems: 1, maxItems: MERCHANT_WEBHOOK_EVENTS.length, items: { type: 'string', enum: [...MERCHANT_WEBHOOK_EVENTS] },
      description: 'only these events; absent or null: every event',
    },
  },
};

export function merchantWebhookRoutes(app: FastifyInstance, deps: { state: StateStore; now: () => number; allowPrivate: boolean }) {
  app.get('/api/merchant/webhooks', {
    config: permission,
    schema: {
      tags: ['merchant'], summary: 'The merchant\'s webhook endpoints (deleted ones too, disabled)',
      headers: merchantHeaderSchema, querystring: noQuery,
      response: { 200: merchantWebhookList, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => ({ items: await listMerchantWebhooks(deps.state, merchantScopeOf(req).merchantId) }));

  app.get<{ Params: { id: string } }>('/api/merchant/webhooks/:id', {
    config: permission,
    schema: {
      tags: ['merchant'], summary: 'One endpoint and its latest delivery attempts (another merchant\'s is 404, like a missing one)',
      headers: merchantHeaderSchema, params, querystring: noQuery,
      response: { 200: merchantWebhookDetail, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getMerchantWebhook(deps.state, merchantScopeOf(req).merchantId, req.params.id));

  app.post<{ Body: { url: string; event_types?: string[] | null } }>('/api/merchant/webhooks', {
    config: permission,
    schema: {
      tags: ['merchant'],
      summary: 'Add an endpoint; the answer holds its signing secret, shown this once',
      description: `Events: ${MERCHANT_WEBHOOK_EVENTS.join(', ')}. Each delivery is signed (webhook-id, webhook-timestamp, webhook-signature) and retried with backoff for up to 24 hours.`,
      headers: merchantHeaderSchema, querystring: noQuery, body,
      response: { 201: merchantWebhookCreated, 400: problem('invalid_parameter', 'target_not_allowed', 'merchant_required') },
    },
  }, async (req, reply) => {
    const created = await createMerchantWebhook(deps.state, merchantScopeOf(req), originOf(req),
      { url: req.body.url, eventTypes: req.body.event_types }, { allowPrivate: deps.allowPrivate, now: deps.now() });
    return reply.code(201).send(created);
  });

  app.delete<{ Params: { id: string } }>('/api/merchant/webhooks/:id', {
    config: permission,
    schema: {
      tags: ['merchant'], summary: 'Delete an endpoint: nothing more is delivered to it (its delivery log stays)',
      headers: merchantHeaderSchema, params, querystring: noQuery,
      response: { 204: noContent, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req, reply) => {
    await deleteMerchantWebhook(deps.state, merchantScopeOf(req), originOf(req), req.params.id, deps.now());
    return reply.code(204).send();
  });
}
