// GET and PUT /api/merchant/settings: the merchant's own settings (today its time zone); a change
// is audited (src/merchant/merchant-settings.ts).

import type { FastifyInstance } from 'fastify';
import type { StateStore } from '../../state-store/state-store.ts';
import { getMerchantSettings, setMerchantTimeZone } from '../../merchant/merchant-settings.ts';
import { merchantHeaderSchema, merchantScopeOf, originOf } from '../merchant-scope.ts';
import { problem } from '../openapi.ts';
import { settingsSchema } from '../merchant-schemas.ts';

export function merchantSettingsRoutes(app: FastifyInstance, deps: { state: StateStore; now: () => number }) {
  app.get('/api/merchant/settings', {
    config: { permission: 'merchant:settings' },
    schema: {
      tags: ['merchant'], summary: 'The merchant\'s settings (the defaults until changed)', headers: merchantHeaderSchema,
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: settingsSchema, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getMerchantSettings(deps.state, merchantScopeOf(req).merchantId));

  app.put<{ Body: { time_zone: string } }>('/api/merchant/settings', {
    config: { permission: 'merchant:settings' },
    schema: {
      tags: ['merchant'],
      summary: 'Change the merchant\'s settings: its time zone (audited)',
      headers: merchantHeaderSchema,
      body: {
        type: 'object', additionalProperties: false, required: ['time_zone'],
        properties: { time_zone: { type: 'string', minLength: 1, maxLength: 64, description: 'IANA time zone of the merchant\'s periods' } },
      },
      response: { 200: settingsSchema, 400: problem('invalid_parameter', 'invalid_json', 'invalid_time_zone', 'merchant_required') },
    },
  }, async (req) => setMerchantTimeZone(deps.state, merchantScopeOf(req), originOf(req), req.body.time_zone, deps.now()));
}
