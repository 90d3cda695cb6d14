// GET /api/merchant/audit: who did what for the merchant, when and from where — its users'
// changes and every ops call made on its behalf (src/merchant/merchant-audit.ts).

import type { FastifyInstance } from 'fastify';
import type { StateStore } from '../../state-store/state-store.ts';
import { listAudit, MAX_AUDIT_PAGE } from '../../merchant/merchant-audit.ts';
import { QUERY_TIME_MAX } from '../../query/run-query.ts';
import { parseInstant, readLimit, type Query } from '../analytics-params.ts';
import { merchantHeaderSchema, merchantScopeOf } from '../merchant-scope.ts';
import { problem } from '../openapi.ts';
import { auditPage } from '../merchant-schemas.ts';
import { AppError } from '../../errors.ts';

const querystring = {
  type: 'object', additionalProperties: false,
  properties: {
    from: { type: 'string', maxLength: 64, description: 'at or after (RFC 3339); default: the beginning' },
    to: { type: 'string', maxLength: 64, description: 'before (RFC 3339); default: now' },
    actor: { type: 'string', maxLength: 128, description: 'only this token subject' },
    action: { type: 'string', maxLength: 128, description: 'only this action (ops.request, settings.time_zone_changed, …)' },
    cursor: { type: 'string', maxLength: 32, description: 'next_cursor of the previous page' },
    limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_AUDIT_PAGE} (default 100)` },
  },
};

export function merchantAuditRoutes(app: FastifyInstance, deps: { state: StateStore; now: () => number }) {
  app.get<{ Querystring: Query }>('/api/merchant/audit', {
    config: { permission: 'merchant:audit' },
    schema: {
      tags: ['merchant'],
      summary: 'The merchant\'s audit log, newest first: who did what, when, from where (ops calls made for it included)',
      headers: merchantHeaderSchema, querystring,
      response: { 200: auditPage, 400: problem('invalid_parameter', 'invalid_range', 'merchant_required') },
    },
  }, async (req) => {
    const q = req.query;
    const from = parseInstant('from', q.from, 0);
    // The entry of this very call (an ops call) is included: it was written before the handler ran.
    const to = parseInstant('to', q.to, Math.min(deps.now() + 1, QUERY_TIME_MAX));
    if (to <= from) throw new AppError('invalid_range', '`to` must be after `from`');
    return listAudit(deps.state, merchantScopeOf(req).merchantId, {
      from, to, actor: q.actor ?? null, action: q.action ?? null, cursor: q.cursor, limit: readLimit(q.limit, 100, MAX_AUDIT_PAGE),
    });
  });
}
