// GET /api/mesh/regions and GET /api/mesh/pools: the mesh's regions with their member counts, and
// the liquidity pools (read only; reconciliation moves them). Use cases: src/mesh/regions.ts.

import type { FastifyInstance } from 'fastify';
import type { StateStore } from '../../state-store/state-store.ts';
import { listPools, listRegions } from '../../mesh/regions.ts';
import { closed, currency, list, region } from '../mesh-schemas.ts';
import { isoTime } from '../response-schemas.ts';
import { problem } from '../openapi.ts';

const regionSchema = closed({
  region: { type: 'string' }, name: closed({ en: { type: 'string' }, fr: { type: 'string' } }),
  members: closed({ active: { type: 'integer' }, pending_approval: { type: 'integer' }, suspended: { type: 'integer' } }),
});

const poolSchema = closed({
  id: { type: 'string' }, region: { type: 'string' }, currency: { type: 'string' }, provider: { type: 'string' },
  balance_minor: { type: 'string', pattern: '^-?[0-9]+$', description: 'minor units of `currency`, an exact integer as a string' },
  updated_at: isoTime,
});

export function meshRegionRoutes(app: FastifyInstance, deps: { state: StateStore }) {
  app.get('/api/mesh/regions', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'The mesh\'s six regions (ECOWAS/CEDEAO, CEMAC, EAC, EU, US, GLOBAL), their names and member counts by status',
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: list(regionSchema) },
    },
  }, async () => listRegions(deps.state));

  app.get<{ Querystring: { region?: string; currency?: string } }>('/api/mesh/pools', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'The liquidity pools: what each member holds per region and currency (read only)',
      querystring: { type: 'object', additionalProperties: false, properties: { region, currency } },
      response: { 200: list(poolSchema), 400: problem('invalid_parameter') },
    },
  }, async (req) => listPools(deps.state, { region: req.query.region ?? null, currency: req.query.currency ?? null }));
}
