// FX rates: GET lists them; PUT loads rates as text/csv (date,currency,usd_per_unit) or JSON
// {"rates":[…]}. Loading a rate converts every event of its dates at once (queries convert at
// read time), so events that waited for it stop being "unconverted".

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { listFxRates, loadFxRates, parseFxCsv, validateFxRates } from '../../fx/fx-rates.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';

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
    },
  }, async (req) => ({ rates: await listFxRates(deps.store, req.query) }));

  app.put('/api/v1/fx-rates', {
    config: { permission: 'analytics:ops' },
    schema: { tags: ['fx'], summary: 'Load FX rates (text/csv or JSON {"rates":[…]}); replaces the same date and currency' },
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
