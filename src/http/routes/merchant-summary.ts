// GET /api/merchant/summary: the merchant's KPIs over a period in its time zone, with the
// previous period (src/merchant/merchant-summary.ts).

import type { FastifyInstance } from 'fastify';
import type { AnalyticsContext } from '../../analytics/context.ts';
import type { StateStore } from '../../state-store/state-store.ts';
import { AppError } from '../../errors.ts';
import { merchantSummary } from '../../merchant/merchant-summary.ts';
import { getMerchantSettings } from '../../merchant/merchant-settings.ts';
import { PERIODS, type Period } from '../../merchant/summary-period.ts';
import { isValidTimeZone } from '../../query/time-buckets.ts';
import { parseInstant, type Query } from '../analytics-params.ts';
import { merchantHeaderSchema, merchantScopeOf } from '../merchant-scope.ts';
import { problem } from '../openapi.ts';
import { summaryResponse } from '../merchant-schemas.ts';

const querystring = {
  type: 'object', additionalProperties: false,
  properties: {
    period: { type: 'string', enum: [...PERIODS], description: 'today, week, month, quarter or year to date in the merchant\'s zone, or custom (from and to); default mtd' },
    from: { type: 'string', maxLength: 64, description: 'period=custom: RFC 3339 start (inclusive)' },
    to: { type: 'string', maxLength: 64, description: 'period=custom: RFC 3339 end (exclusive)' },
    currency: { type: 'string', pattern: '^[A-Z]{3}$', description: 'only this currency\'s transactions, with exact amounts in it; default every currency, in USD' },
    tz: { type: 'string', maxLength: 64, description: 'IANA time zone; default the merchant\'s setting (Africa/Dakar unless changed)' },
  },
};

export function merchantSummaryRoutes(app: FastifyInstance, deps: { ctx: AnalyticsContext; state: StateStore }) {
  app.get<{ Querystring: Query }>('/api/merchant/summary', {
    config: { permission: 'merchant:read_kpis' },
    schema: {
      tags: ['merchant'],
      summary: 'Sales, refunds, fees, net revenue, counts and success rate over a period in the merchant\'s time zone, with the previous period of equal length',
      headers: merchantHeaderSchema, querystring,
      response: {
        200: summaryResponse,
        400: problem('invalid_parameter', 'invalid_range', 'invalid_time_zone', 'merchant_required'),
        422: problem('range_too_large', 'result_too_large', 'beyond_retention'),
      },
    },
  }, async (req) => {
    const { merchantId } = merchantScopeOf(req);
    const q = req.query;
    const tz = q.tz ?? (await getMerchantSettings(deps.state, merchantId)).time_zone;
    if (!isValidTimeZone(tz)) throw new AppError('invalid_time_zone', `unknown time zone ${JSON.stringify(tz)}`);
    return merchantSummary(deps.ctx, {
      merchantId, tz, period: (q.period ?? 'mtd') as Period, currency: q.currency ?? null,
      from: q.from === undefined ? undefined : parseInstant('from', q.from, 0),
      to: q.to === undefined ? undefined : parseInstant('to', q.to, 0),
    });
  });
}
