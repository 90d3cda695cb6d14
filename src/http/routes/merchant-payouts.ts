// The merchant's payouts (src/merchant/payouts.ts) and payout schedule (src/merchant/payout-schedule.ts):
// GET /api/merchant/payouts, GET /api/merchant/payouts/:id, GET and PUT
// /api/merchant/settings/payout-schedule — the change needs a recent sign-in (step-up) and is audited.

import type { FastifyInstance } from 'fastify';
import { MAX_ID } from '../../events/parse-event.ts';
import { requireRecentAuth } from '../../auth/step-up.ts';
import { getPayout, listPayouts, MAX_PAYOUT_PAGE, type PayoutDeps } from '../../merchant/payouts.ts';
import { getPayoutSchedule, setPayoutSchedule, type PayoutScheduleInput } from '../../merchant/payout-schedule.ts';
import { readLimit, type Query } from '../analytics-params.ts';
import { principalOf } from '../auth-hook.ts';
import { merchantHeaderSchema, merchantScopeOf, originOf } from '../merchant-scope.ts';
import { problem } from '../openapi.ts';
import { payoutDetail, payoutPage, payoutScheduleBody, payoutScheduleSchema } from '../merchant-schemas.ts';

const read = { permission: 'merchant:payouts' as const };
const noQuery = { type: 'object', additionalProperties: false, properties: {} };
const SCHEDULE_URL = '/api/merchant/settings/payout-schedule';

export function merchantPayoutRoutes(app: FastifyInstance, deps: PayoutDeps) {
  app.get<{ Querystring: Query }>('/api/merchant/payouts', {
    config: read,
    schema: {
      tags: ['merchant'],
      summary: 'The merchant\'s payouts (payout events), newest first, keyset-paginated, and the upcoming payout (first page)',
      headers: merchantHeaderSchema,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          cursor: { type: 'string', maxLength: 1024, description: 'next_cursor of the previous page' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_PAYOUT_PAGE} (default 50)` },
        },
      },
      response: { 200: payoutPage, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => listPayouts(deps, merchantScopeOf(req).merchantId, { cursor: req.query.cursor, limit: readLimit(req.query.limit, 50, MAX_PAYOUT_PAGE) }));

  app.get<{ Params: { id: string } }>('/api/merchant/payouts/:id', {
    config: read,
    schema: {
      tags: ['merchant'],
      summary: 'One payout and the transactions it covers (FIFO by capture time; they add up to its amount). Another merchant\'s is 404, like a missing one',
      headers: merchantHeaderSchema, querystring: noQuery,
      params: { type: 'object', required: ['id'], properties: { id: { type: 'string', minLength: 1, maxLength: MAX_ID, description: 'the payout_id' } } },
      response: { 200: payoutDetail, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getPayout(deps, merchantScopeOf(req).merchantId, req.params.id));

  app.get(SCHEDULE_URL, {
    config: read,
    schema: {
      tags: ['merchant'], summary: 'The merchant\'s payout schedule (the defaults until changed)', headers: merchantHeaderSchema, querystring: noQuery,
      response: { 200: payoutScheduleSchema, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getPayoutSchedule(deps.state, merchantScopeOf(req).merchantId));

  app.put<{ Body: Partial<PayoutScheduleInput> & Pick<PayoutScheduleInput, 'interval'> }>(SCHEDULE_URL, {
    config: { permission: 'merchant:payout_schedule' },
    schema: {
      tags: ['merchant'],
      summary: 'Change the payout schedule: needs a sign-in within the last 5 minutes (the token\'s auth_time), audited',
      headers: merchantHeaderSchema, querystring: noQuery, body: payoutScheduleBody,
      response: { 200: payoutScheduleSchema, 400: problem('invalid_parameter', 'invalid_json', 'merchant_required'), 403: problem('step_up_required', 'forbidden', 'forbidden_merchant') },
    },
  }, async (req) => {
    requireRecentAuth(principalOf(req), deps.now());
    return setPayoutSchedule(deps.state, merchantScopeOf(req), originOf(req), req.body, deps.now());
  });
}
