// /api/analytics/alerts/webhooks: the endpoints notifications go to (ops-wide, or a merchant's
// own), their secrets (shown once, at creation and rotation), and the delivery log. A merchant's
// endpoint is added by the portal's use case (createMerchantWebhook), whichever route adds it:
// the same cap of enabled endpoints and the same entry in the merchant's audit log.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { createEndpoint, disableEndpoint, endpointDeliveries, listEndpoints, rotateSecret } from '../../alerts/webhooks/webhook-endpoints.ts';
import { newWebhookSecret } from '../../alerts/webhooks/webhook-signature.ts';
import { checkTargetUrl, resolveTarget } from '../../alerts/webhooks/ssrf-guard.ts';
import { createMerchantWebhook } from '../../merchant/merchant-webhooks.ts';
import { originOf } from '../merchant-scope.ts';
import { actorOf, type AlertRouteDeps } from './alert-rules.ts';
import { deliveryListSchema, webhookListSchema, webhookWithSecretSchema } from '../alert-schemas.ts';
import { noContent } from '../openapi.ts';

const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } } };

export function alertWebhookRoutes(app: FastifyInstance, d: AlertRouteDeps & { allowPrivate: boolean }) {
  const manage = { permission: 'alerts:manage' } as const;
  app.get('/api/analytics/alerts/webhooks', { config: manage, schema: { tags: ['alerts'], summary: 'Webhook endpoints', response: { 200: webhookListSchema } } },
    async (req) => ({
      items: await listEndpoints(d.state, actorOf(req)),
    }));

  app.post<{ Body: { url: string } }>('/api/analytics/alerts/webhooks', {
    config: manage,
    schema: {
      tags: ['alerts'],
      summary: 'Add an endpoint; the answer holds its secret, shown this once, and `warnings` (e.g. a host name that does not resolve yet)',
      description: 'A merchant token adds an endpoint of its merchant, exactly as POST /api/merchant/webhooks does: at most 20 enabled per merchant, written to the merchant\'s audit log (webhook.created).',
      body: { type: 'object', additionalProperties: false, required: ['url'], properties: { url: { type: 'string', maxLength: 2000 } } },
      response: { 201: webhookWithSecretSchema },
    },
  }, async (req, reply) => {
    const actor = actorOf(req);
    if (actor.merchantId !== null) {
      const scope = { merchantId: actor.merchantId, actor: actor.sub, actorKind: 'merchant' as const };
      const created = await createMerchantWebhook(d.state, scope, originOf(req), { url: req.body.url }, { allowPrivate: d.allowPrivate, now: d.now() });
      return reply.code(201).send({ ...created, merchant_id: actor.merchantId });
    }
    const check = checkTargetUrl(req.body.url, { allowPrivate: d.allowPrivate });
    if (!check.ok) throw new AppError('target_not_allowed', `webhook target refused: ${check.reason}`);
    // Delivery would refuse a host that resolves to a private address: say so now, not at the first alert.
    const resolved = await resolveTarget(check.url, { allowPrivate: d.allowPrivate });
    if (!resolved.ok) throw new AppError('target_not_allowed', `webhook target refused: ${resolved.reason}`);
    const secret = newWebhookSecret();
    const row = await createEndpoint(d.state, actor, check.url.toString(), secret);
    return reply.code(201).send({ ...row, secret, warnings: resolved.warnings });
  });

  app.post<{ Params: { id: string }; Body: { keep_previous?: boolean } }>('/api/analytics/alerts/webhooks/:id/rotate', {
    config: manage,
    schema: {
      tags: ['alerts'], summary: 'New secret; deliveries are signed with both until the next rotation (keep_previous, default true)',
      params: idParams,
      body: { type: ['object', 'null'], additionalProperties: false, properties: { keep_previous: { type: 'boolean' } } },
      response: { 200: webhookWithSecretSchema },
    },
  }, async (req) => {
    const actor = actorOf(req);
    const secret = newWebhookSecret();
    const keep = req.body?.keep_previous ?? true;
    const row = await rotateSecret(d.state, actor, Number(req.params.id), secret, keep);
    if (!row) throw new AppError('not_found', 'no such endpoint');
    return { ...row, secret };
  });

  app.delete<{ Params: { id: string } }>('/api/analytics/alerts/webhooks/:id', {
    config: manage, schema: { tags: ['alerts'], summary: 'Disable an endpoint', params: idParams, response: { 204: noContent } },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const found = await disableEndpoint(d.state, actor, Number(req.params.id));
    if (!found) throw new AppError('not_found', 'no such endpoint');
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/api/analytics/alerts/webhooks/:id/deliveries', {
    config: manage,
    schema: { tags: ['alerts'], summary: 'The delivery log of an endpoint, newest first', params: idParams, response: { 200: deliveryListSchema } },
  }, async (req) => {
    const items = await endpointDeliveries(d.state, actorOf(req), Number(req.params.id));
    if (!items) throw new AppError('not_found', 'no such endpoint');
    return { items };
  });
}
