// /api/analytics/alerts: the alerts themselves (filters: status, severity, rule, merchant,
// time), one alert with its comments and history, and PATCH to acknowledge, resolve, assign or
// comment — each change audited.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { getAlert, listAlerts, updateAlert } from '../../alerts/alert-queue.ts';
import { scopeMerchants } from '../../auth/principal.ts';
import { principalOf } from '../auth-hook.ts';
import { parseInstant } from '../analytics-params.ts';
import { actorOf, type AlertRouteDeps } from './alert-rules.ts';
import { alertDetailSchema, alertListSchema, alertUpdatedSchema } from '../alert-schemas.ts';
import { problem } from '../openapi.ts';

const STATES = ['pending', 'firing', 'resolved', 'nodata', 'error'];

export function alertRoutes(app: FastifyInstance, d: AlertRouteDeps) {
  app.get<{ Querystring: Record<string, string | undefined> }>('/api/analytics/alerts', {
    config: { permission: 'alerts:view' },
    schema: {
      tags: ['alerts'],
      summary: 'Alerts, newest first (a merchant sees its own)',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          status: { type: 'string', enum: STATES }, severity: { type: 'string', enum: ['info', 'warn', 'critical'] },
          rule_id: { type: 'string', pattern: '^[0-9]{1,9}$' }, merchant_id: { type: 'string', maxLength: 128 },
          from: { type: 'string' }, to: { type: 'string' }, limit: { type: 'string', pattern: '^[0-9]{1,4}$' },
        },
      },
      response: { 200: alertListSchema, 400: problem('invalid_parameter', 'invalid_range') },
    },
  }, async (req) => {
    const q = req.query;
    const [merchant] = scopeMerchants(principalOf(req), q.merchant_id ? [q.merchant_id] : []);
    const items = await listAlerts(d.state, principalOf(req).merchantId, {
      status: q.status ?? null, severity: q.severity ?? null, ruleId: q.rule_id ? Number(q.rule_id) : null, merchant: merchant ?? null,
      from: new Date(parseInstant('from', q.from, 0)), to: new Date(parseInstant('to', q.to, d.now() + 86_400_000)), limit: Number(q.limit ?? 100),
    });
    return { items };
  });

  app.get<{ Params: { id: string } }>('/api/analytics/alerts/:id', {
    config: { permission: 'alerts:view' },
    schema: {
      tags: ['alerts'],
      summary: 'One alert with its comments and the history of changes (another merchant\'s is 404, like a missing one)',
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,9}$' } } },
      response: { 200: alertDetailSchema },
    },
  }, async (req) => {
    const alert = await getAlert(d.state, principalOf(req).merchantId, Number(req.params.id));
    if (!alert) throw new AppError('not_found', 'no such alert');
    return alert;
  });

  app.patch<{ Params: { id: string }; Body: { acknowledge?: boolean; resolve?: boolean; assignee?: string | null; comment?: string } }>(
    '/api/analytics/alerts/:id', {
      config: { permission: 'alerts:manage' },
      schema: {
        tags: ['alerts'],
        summary: 'Acknowledge, resolve, assign or comment on an alert',
        params: { type: 'object', required: ['id'], properties: { id: { type: 'string', pattern: '^[0-9]{1,9}$' } } },
        body: {
          type: 'object', additionalProperties: false, minProperties: 1,
          properties: {
            acknowledge: { type: 'boolean' }, resolve: { type: 'boolean' },
            assignee: { type: ['string', 'null'], maxLength: 128 }, comment: { type: 'string', minLength: 1, maxLength: 4000 },
          },
        },
        response: { 200: alertUpdatedSchema },
      },
    }, async (req) => {
      const updated = await updateAlert(d.state, actorOf(req), Number(req.params.id), req.body, { now: d.now(), eventTopics: d.eventTopics });
      if (!updated) throw new AppError('not_found', 'no such alert');
      return updated;
    });
}
