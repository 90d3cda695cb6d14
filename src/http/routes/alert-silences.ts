// /api/analytics/alerts/silences: hold back the notifications of matching alerts for a while.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { audit } from '../../alerts/alert-rules-store.ts';
import { resolveReferences } from '../../alerts/references.ts';
import { parseInstant } from '../analytics-params.ts';
import { actorOf, type AlertRouteDeps } from './alert-rules.ts';
import { silenceListSchema, silenceSchema } from '../alert-schemas.ts';
import { noContent, problem } from '../openapi.ts';

export function alertSilenceRoutes(app: FastifyInstance, d: AlertRouteDeps) {
  app.get('/api/analytics/alerts/silences', { config: { permission: 'alerts:view' }, schema: { tags: ['alerts'], summary: 'Silences', response: { 200: silenceListSchema } } },
    async (req) => ({
      items: await d.state.query('SELECT * FROM silences WHERE ($1::text IS NULL OR merchant_id = $1) ORDER BY id DESC', [actorOf(req).merchantId]),
    }));
  app.post<{ Body: { matchers: { rule_id?: string; labels?: Record<string, string> }; starts_at?: string; ends_at: string; comment?: string } }>(
    '/api/analytics/alerts/silences', {
      config: { permission: 'alerts:manage' },
      schema: {
        tags: ['alerts'], summary: 'Create a silence: matchers on the rule and labels, from starts_at (default now) to ends_at',
        body: {
          type: 'object', additionalProperties: false, required: ['matchers', 'ends_at'],
          properties: {
            matchers: {
              type: 'object', additionalProperties: false, minProperties: 1,
              properties: {
                rule_id: { type: 'string', pattern: '^[1-9][0-9]{0,8}$' },
                labels: { type: 'object', minProperties: 1, maxProperties: 20, additionalProperties: { type: 'string', maxLength: 200 } },
              },
            },
            starts_at: { type: 'string' }, ends_at: { type: 'string' }, comment: { type: 'string', maxLength: 1000 },
          },
        },
        response: { 201: silenceSchema, 400: problem('invalid_parameter', 'invalid_range', 'invalid_json') },
      },
    }, async (req, reply) => {
      const actor = actorOf(req);
      const startsAt = parseInstant('starts_at', req.body.starts_at, d.now());
      const endsAt = parseInstant('ends_at', req.body.ends_at, NaN);
      if (!(endsAt > startsAt)) throw new AppError('invalid_range', 'ends_at must be after starts_at');
      const row = await d.state.transaction(async (q) => {
        // A merchant silences its own rules only; another merchant's (or an ops rule) looks missing.
        if (req.body.matchers.rule_id !== undefined) await resolveReferences(q, actor, 'alert_rule', 'matchers.rule_id', [req.body.matchers.rule_id]);
        const [s] = await q.query<{ id: number }>(
          'INSERT INTO silences (merchant_id, matchers, starts_at, ends_at, comment, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
          [actor.merchantId, req.body.matchers, new Date(startsAt), new Date(endsAt), req.body.comment ?? null, actor.sub]);
        await audit(q, actor.sub, 'silence.created', 'silence', s.id, actor.merchantId, { matchers: req.body.matchers });
        return s;
      });
      return reply.code(201).send(row);
    });
  app.delete<{ Params: { id: string } }>('/api/analytics/alerts/silences/:id', {
    config: { permission: 'alerts:manage' },
    schema: {
      tags: ['alerts'], summary: 'End a silence now', params: { type: 'object', properties: { id: { type: 'string', pattern: '^[0-9]{1,9}$' } } },
      response: { 204: noContent },
    },
  }, async (req, reply) => {
    const actor = actorOf(req);
    const done = await d.state.transaction(async (q) => {
      const rows = await q.query('UPDATE silences SET ends_at = now() WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2) RETURNING id', [Number(req.params.id), actor.merchantId]);
      if (rows.length) await audit(q, actor.sub, 'silence.ended', 'silence', req.params.id, actor.merchantId);
      return rows.length > 0;
    });
    if (!done) throw new AppError('not_found', 'no such silence');
    return reply.code(204).send();
  });
}
