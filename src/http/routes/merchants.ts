// /api/v1/merchants: merchant names. GET finds them (by name or id, or the names of given ids) —
// ops among every merchant, a merchant token only itself (scopeMerchants, the central check);
// PUT imports them (text/csv merchant_id,name or JSON {"merchants":[…]}), ops only.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { scopeMerchants } from '../../auth/principal.ts';
import { checkMerchantName, importMerchantNames, parseMerchantCsv, searchMerchants } from '../../merchants/merchant-names.ts';
import type { StateStore } from '../../state-store/state-store.ts';
import { problem } from '../openapi.ts';

const merchant = {
  type: 'object',
  required: ['merchant_id', 'name', 'updated_at'],
  properties: {
    merchant_id: { type: 'string' },
    name: { type: 'string', description: 'the name shown wherever the merchant id is shown' },
    updated_at: { type: 'string', format: 'date-time', description: 'when the name was last imported' },
  },
};

const MERCHANTS_MAX_BODY_BYTES = 16 * 2 ** 20;

interface ListQuery { search?: string; merchant_id?: string; limit?: number }

export function merchantRoutes(app: FastifyInstance, deps: { state: StateStore; now: () => number }) {
  app.get<{ Querystring: ListQuery }>('/api/v1/merchants', {
    config: { permission: 'analytics:view' },
    schema: {
      tags: ['merchants'],
      summary: 'Merchant names: a search by name or id, or the names of given ids (a merchant token sees only itself)',
      // Open to other parameters (a dashboard's range): they do not change the answer.
      querystring: {
        type: 'object',
        properties: {
          search: { type: 'string', maxLength: 200, description: 'case-insensitive part of a name or an id' },
          merchant_id: { type: 'string', maxLength: 13_000, description: 'comma-separated ids: only these (at most 100)' },
          limit: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
        },
      },
      response: {
        200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: merchant } } },
        400: problem('invalid_parameter'),
        403: problem('forbidden_merchant'),
      },
    },
  }, async (req) => {
    const asked = req.query.merchant_id ? req.query.merchant_id.split(',').filter(Boolean) : [];
    if (asked.length > 100) throw new AppError('invalid_parameter', 'merchant_id: at most 100 ids');
    const scoped = scopeMerchants(req.principal!, asked);
    const only = scoped.length > 0 ? scoped : undefined;
    return { items: await searchMerchants(deps.state, { search: req.query.search?.trim() || undefined, only, limit: req.query.limit ?? 20 }) };
  });

  app.put('/api/v1/merchants', {
    bodyLimit: MERCHANTS_MAX_BODY_BYTES,
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['merchants'],
      summary: 'Import merchant names (text/csv merchant_id,name or JSON {"merchants":[…]}); the latest name of a merchant wins',
      response: {
        200: { type: 'object', required: ['imported'], properties: { imported: { type: 'integer', description: 'merchants written' } } },
        400: problem('invalid_merchants', 'invalid_json'),
        503: problem('store_unavailable'),
      },
    },
  }, async (req) => {
    const body = req.body;
    let rows;
    if (typeof body === 'string') rows = parseMerchantCsv(body);
    else if (body && typeof body === 'object' && Array.isArray((body as { merchants?: unknown }).merchants)) {
      rows = (body as { merchants: Array<Record<string, unknown>> }).merchants.map((m, i) => checkMerchantName(m?.merchant_id, m?.name, `merchants[${i}]`));
    } else throw new AppError('invalid_merchants', 'expected text/csv merchant_id,name or JSON {"merchants":[{"merchant_id","name"}]}');
    return { imported: await importMerchantNames(deps.state, rows, 'api', deps.now()) };
  });
}
