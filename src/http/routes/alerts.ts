// /api/analytics/alerts: the alerts themselves (filters: status, severity, rule, merchant,
// time), one alert with its comments and history, and PATCH to acknowledge, resolve, assign or
// comment — each change audited.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { audit } from '../../alerts/alert-rules-store.ts';
import { enqueue } from '../../alerts/outbox.ts';
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
    // A merchant sees the alerts of its own rules (ops rules about it are ops business).
    const rows = await d.state.query(
      `SELECT a.*, r.name AS rule_name FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
       WHERE ($1::text IS NULL OR a.state = $1) AND ($2::text IS NULL OR a.severity = $2) AND ($3::int IS NULL OR a.rule_id = $3)
         AND ($4::text IS NULL OR a.merchant_id = $4) AND a.started_at >= $5 AND a.started_at < $6
         AND ($8::text IS NULL OR r.merchant_id = $8)
       ORDER BY a.started_at DESC, a.id DESC LIMIT $7`,
      [q.status ?? null, q.severity ?? null, q.rule_id ? Number(q.rule_id) : null, merchant ?? null,
        new Date(parseInstant('from', q.from, 0)), new Date(parseInstant('to', q.to, d.now() + 86_400_000)), Number(q.limit ?? 100),
        principalOf(req).merchantId]);
    return { items: rows };
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
    const id = Number(req.params.id);
    const merchantId = principalOf(req).merchantId;
    const [alert] = await d.state.query(
      `SELECT a.*, r.name AS rule_name FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
       WHERE a.id = $1 AND ($2::text IS NULL OR r.merchant_id = $2)`, [id, merchantId]);
    if (!alert) throw new AppError('not_found', 'no such alert');
    const comments = await d.state.query('SELECT author, body, created_at FROM alert_comments WHERE alert_id = $1 ORDER BY id', [id]);
    const history = await d.state.query(
      `SELECT actor, action, detail, at FROM audit_log WHERE object_type = 'alert' AND object_id = $1 ORDER BY id`, [String(id)]);
    return { ...alert, comments, history };
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
      const actor = actorOf(req);
      const id = Number(req.params.id);
      return d.state.transaction(async (q) => {
        const [alert] = await q.query<{ id: number; merchant_id: string | null; state: string; group_labels: Record<string, string | null>; rule_id: number; rule_name: string; rule_merchant: string | null }>(
          `SELECT a.id, a.merchant_id, a.state, a.group_labels, a.rule_id, r.name AS rule_name, r.merchant_id AS rule_merchant
           FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
           WHERE a.id = $1 AND ($2::text IS NULL OR r.merchant_id = $2) FOR UPDATE OF a`, [id, actor.merchantId]);
        if (!alert) throw new AppError('not_found', 'no such alert');
        const b = req.body;
        if (b.acknowledge) await q.query('UPDATE alerts SET acknowledged_by = $2, acknowledged_at = $3 WHERE id = $1', [id, actor.sub, new Date(d.now())]);
        if (b.assignee !== undefined) await q.query('UPDATE alerts SET assignee = $2 WHERE id = $1', [id, b.assignee]);
        if (b.resolve && alert.state !== 'resolved') {
          // Held back until the condition clears once, so the evaluator does not open it again at once.
          await q.query(`UPDATE alerts SET state = 'resolved', resolved_at = $3, resolved_by = $2, suppressed_until_clear = true WHERE id = $1`,
            [id, actor.sub, new Date(d.now())]);
          if (alert.state === 'firing') {
            await enqueue(q, {
              kind: 'alert', type: 'alert.resolved', merchantId: alert.merchant_id, opsOnly: alert.rule_merchant === null, at: d.now(), dedupeKey: `alert:${id}:resolved:manual`,
              payload: { alert_id: id, state: 'resolved', resolved_by: actor.sub, rule: { id: String(alert.rule_id), name: alert.rule_name }, group: alert.group_labels, merchant_id: alert.merchant_id, at: new Date(d.now()).toISOString() },
            }, d.eventTopics);
          }
        }
        if (b.comment) await q.query('INSERT INTO alert_comments (alert_id, author, body) VALUES ($1, $2, $3)', [id, actor.sub, b.comment]);
        await audit(q, actor.sub, 'alert.updated', 'alert', id, alert.merchant_id, { ...b });
        const [updated] = await q.query('SELECT * FROM alerts WHERE id = $1', [id]);
        const comments = await q.query('SELECT author, body, created_at FROM alert_comments WHERE alert_id = $1 ORDER BY id', [id]);
        return { ...updated, comments };
      });
    });
}
