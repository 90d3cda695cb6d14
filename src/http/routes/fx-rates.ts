// FX rates: GET lists them; PUT loads rates as text/csv (date,currency,usd_per_unit) or JSON
// {"rates":[…]}. Loading a rate converts every event of its dates at once (queries convert at
// read time), so events that waited for it stop being "unconverted".

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { listFxRates, loadFxRates, parseFxCsv, validateFxRates } from '../../fx/fx-rates.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';
import { problem } from '../openapi.ts';

const rate = {
  type: 'object',
  required: ['date', 'currency', 'usd_per_unit'],
  properties: {
    date: { type: 'string', format: 'date' }, currency: { type: 'string' },
    usd_per_unit: { type: 'string', description: 'exact decimal: US dollars per major unit of the currency' },
  },
};

const FX_MAX_BODY_BYTES = 32 * 2 ** 20;

export function fxRoutes(app: FastifyInstance, deps: { store: AnalyticsStore; now: () => number; onChange: () => Promise<void> }) {
  app.get<{ Querystring: { currency?: string; from?: string; to?: string; limit?: number } }>('/api/v1/fx-rates', {
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['fx'],
      summary: 'FX rates, newest first',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          currency: { type: 'string', pattern: '^[A-Z]{3}$' },
          from: { type: 'string', format: 'date' },
          to: { type: 'string', format: 'date' },
          limit: { type: 'integer', minimum: 1, maximum: 10000 },
        },
      },
      response: { 200: { type: 'object', required: ['rates'], properties: { rates: { type: 'array', items: rate } } } },
    },
  }, async (req) => ({ rates: await listFxRates(deps.store, req.query) }));

  app.put('/api/v1/fx-rates', {
    // A rates table is the one large body besides ingest (years × currencies).
    bodyLimit: FX_MAX_BODY_BYTES,
    config: { permission: 'analytics:ops', writer: true },
    schema: {
      tags: ['fx'], summary: 'Load FX rates (text/csv or JSON {"rates":[…]}); replaces the same date and currency',
      response: {
        200: { type: 'object', required: ['loaded'], properties: { loaded: { type: 'integer', description: 'rates written' } } },
        400: problem('invalid_fx_rates', 'invalid_json'),
        503: problem('read_only_replica', 'store_unavailable'),
      },
    },
  }, async (req) => {
    const body = req.body;
    let rates;
    const now = deps.now();
    if (typeof body === 'string') rates = parseFxCsv(body, now);
    else if (body && typeof body === 'object' && Array.isArray((body as { rates?: unknown }).rates)) {
      rates = validateFxRates((body as { rates: Array<Record<string, unknown>> }).rates, undefined, now);
    } else throw new AppError('invalid_fx_rates', 'expected text/csv or JSON {"rates":[{"date","currency","usd_per_unit"}]}');
    const loaded = await loadFxRates(deps.store, rates, 'api', now);
    await deps.onChange();
    return { loaded };
  });
}
