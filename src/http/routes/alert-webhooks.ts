// /api/analytics/alerts/webhooks: the endpoints notifications go to (ops-wide, or a merchant's
// own), their secrets (shown once, at creation and rotation), and the delivery log.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { audit } from '../../alerts/alert-rules-store.ts';
import { newWebhookSecret } from '../../alerts/webhooks/webhook-signature.ts';
import { checkTargetUrl, resolveTarget } from '../../alerts/webhooks/ssrf-guard.ts';
import { actorOf, type AlertRouteDeps } from './alert-rules.ts';
import { deliveryListSchema, webhookListSchema, webhookWithSecretSchema } from '../alert-schemas.ts';
import { noContent } from '../openapi.ts';

const PUBLIC_FIELDS = 'id, merchant_id, url, enabled, disabled_reason, created_by, created_at, cardinality(secrets) AS active_secrets';
const idParams = { type: 'object', properties: { id: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' } } };

export function alertWebhookRoutes(app: FastifyInstance, d: AlertRouteDeps & { allowPrivate: boolean }) {
  const manage = { permission: 'alerts:manage' } as const;
  app.get('/api/analytics/alerts/webhooks', { config: manage, schema: { tags: ['alerts'], summary: 'Webhook endpoints', response: { 200: webhookListSchema } } },
    async (req) => ({
      items: await d.state.query(`SELECT ${PUBLIC_FIELDS} FROM webhook_endpoints WHERE ($1::text IS NULL OR merchant_id = $1) ORDER BY id`, [actorOf(req).merchantId]),
    }));

  app.post<{ Body: { url: string } }>('/api/analytics/alerts/webhooks', {
    config: manage,
    schema: {
      tags: ['alerts'],
      summary: 'Add an endpoint; the answer holds its secret, shown this once, and `warnings` (e.g. a host name that does not resolve yet)',
      body: { type: 'object', additionalProperties: false, required: ['url'], properties: { url: { type: 'string', maxLength: 2000 } } },
      response: { 201: webhookWithSecretSchema },
    },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const check = checkTargetUrl(req.body.url, { allowPrivate: d.allowPrivate });
    if (!check.ok) throw new AppError('target_not_allowed', `webhook target refused: ${check.reason}`);
    // Delivery would refuse a host that resolves to a private address: say so now, not at the first alert.
    const resolved = await resolveTarget(check.url, { allowPrivate: d.allowPrivate });
    if (!resolved.ok) throw new AppError('target_not_allowed', `webhook target refused: ${resolved.reason}`);
    const secret = newWebhookSecret();
    const row = await d.state.transaction(async (q) => {
      const [e] = await q.query<{ id: number }>(
        `INSERT INTO webhook_endpoints (merchant_id, url, secrets, created_by) VALUES ($1, $2, $3, $4) RETURNING ${PUBLIC_FIELDS}`,
        [actor.merchantId, check.url.toString(), [secret], actor.sub]);
      await audit(q, actor.sub, 'webhook.created', 'webhook_endpoint', e.id, actor.merchantId, { url: check.url.toString() });
      return e;
    });
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
    const row = await d.state.transaction(async (q) => {
      const [e] = await q.query(
        `UPDATE webhook_endpoints SET secrets = CASE WHEN $3 THEN ARRAY[$4, secrets[1]] ELSE ARRAY[$4] END
         WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2) RETURNING ${PUBLIC_FIELDS}`,
        [Number(req.params.id), actor.merchantId, keep, secret]);
      if (e) await audit(q, actor.sub, 'webhook.rotated', 'webhook_endpoint', req.params.id, actor.merchantId, { keep_previous: keep });
      return e;
    });
    if (!row) throw new AppError('not_found', 'no such endpoint');
    return { ...row, secret };
  });

  app.delete<{ Params: { id: string } }>('/api/analytics/alerts/webhooks/:id', {
    config: manage, schema: { tags: ['alerts'], summary: 'Disable an endpoint', params: idParams, response: { 204: noContent } },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const found = await d.state.transaction(async (q) => {
      const rows = await q.query(
        `UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'disabled by ' || $3 WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2) RETURNING id`,
        [Number(req.params.id), actor.merchantId, actor.sub]);
      if (rows.length) await audit(q, actor.sub, 'webhook.disabled', 'webhook_endpoint', req.params.id, actor.merchantId);
      return rows.length > 0;
    });
    if (!found) throw new AppError('not_found', 'no such endpoint');
    return reply.code(204).send();
  });

  app.get<{ Params: { id: string } }>('/api/analytics/alerts/webhooks/:id/deliveries', {
    config: manage,
    schema: { tags: ['alerts'], summary: 'The delivery log of an endpoint, newest first', params: idParams, response: { 200: deliveryListSchema } },
  }, async (req) => {
    const [endpoint] = await d.state.query('SELECT id FROM webhook_endpoints WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2)',
      [Number(req.params.id), actorOf(req).merchantId]);
    if (!endpoint) throw new AppError('not_found', 'no such endpoint');
    const items = await d.state.query(
      `SELECT l.at, l.attempt, l.outcome, l.status_code, l.duration_ms, o.msg_id, o.event_type, o.status
       FROM delivery_log l JOIN outbox o ON o.id = l.outbox_id JOIN webhook_endpoints e ON e.id = o.endpoint_id
       WHERE e.id = $1 AND ($2::text IS NULL OR e.merchant_id = $2) ORDER BY l.id DESC LIMIT 500`,
      [Number(req.params.id), actorOf(req).merchantId]);
    return { items };
  });
}
