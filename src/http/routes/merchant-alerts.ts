// GET /api/merchant/alerts: the merchant's own alerts, newest first (src/merchant/merchant-alerts.ts).

import type { FastifyInstance } from 'fastify';
import type { StateStore } from '../../state-store/state-store.ts';
import { ALERT_STATES, listMerchantAlerts, MAX_ALERT_PAGE } from '../../merchant/merchant-alerts.ts';
import { readLimit, type Query } from '../analytics-params.ts';
import { merchantHeaderSchema, merchantScopeOf } from '../merchant-scope.ts';
import { problem } from '../openapi.ts';
import { merchantAlertPage } from '../merchant-schemas.ts';

export function merchantAlertRoutes(app: FastifyInstance, deps: { state: StateStore }) {
  app.get<{ Querystring: Query }>('/api/merchant/alerts', {
    config: { permission: 'merchant:alerts' },
    schema: {
      tags: ['merchant'],
      summary: 'The merchant\'s alerts, newest first: those of its own alert rules, and dispute deadlines (due within 24 hours)',
      headers: merchantHeaderSchema,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          state: { type: 'string', enum: [...ALERT_STATES], description: 'only alerts in this state' },
          cursor: { type: 'string', maxLength: 32, description: 'next_cursor of the previous page' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_ALERT_PAGE} (default 50)` },
        },
      },
      response: { 200: merchantAlertPage, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => listMerchantAlerts(deps.state, merchantScopeOf(req).merchantId, {
    state: req.query.state ?? null, cursor: req.query.cursor, limit: readLimit(req.query.limit, 50, MAX_ALERT_PAGE),
  }));
}
