// /api/analytics/alerts/silences: hold back the notifications of matching alerts for a while.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { createSilence, endSilence, listSilences } from '../../alerts/silences.ts';
import { parseInstant } from '../analytics-params.ts';
import { actorOf, type AlertRouteDeps } from './alert-rules.ts';
import { silenceListSchema, silenceSchema } from '../alert-schemas.ts';
import { noContent, problem } from '../openapi.ts';

export function alertSilenceRoutes(app: FastifyInstance, d: AlertRouteDeps) {
  app.get('/api/analytics/alerts/silences', { config: { permission: 'alerts:view' }, schema: { tags: ['alerts'], summary: 'Silences', response: { 200: silenceListSchema } } },
    async (req) => ({
      items: await listSilences(d.state, actorOf(req)),
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
      const row = await createSilence(d.state, actor, { matchers: req.body.matchers, startsAt, endsAt, comment: req.body.comment ?? null });
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
    const done = await endSilence(d.state, actor, Number(req.params.id));
    if (!done) throw new AppError('not_found', 'no such silence');
    return reply.code(204).send();
  });
}
