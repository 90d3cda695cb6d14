// /api/mesh/proposals/generate and /api/mesh/proposals/{id}/simulate: the proposal routes fed by
// provider health (docs/mesh.md "Proposals from predictions", "Simulation"). Generating orders a
// table's providers from its verified predictions (src/mesh/propose-routes.ts) and hands the
// result to the proposals' lifecycle (createProposal: the table's policy then applies it or lets
// it wait); simulating replays the table's last hours of traffic against a stored proposal and
// keeps the result with it.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import type { MeshDeps } from '../../mesh/mesh-actions.ts';
import type { MeshRegion } from '../../mesh/model.ts';
import { planProposal, simulateStoredProposal, simulationJson } from '../../mesh/proposal-inputs.ts';
import { createProposal } from '../../mesh/proposals.ts';
import { routeView } from '../../mesh/routing-tables.ts';
import type { KeyRing } from '../../mesh/signing-keys.ts';
import { DEFAULT_SIMULATION_HOURS } from '../../mesh/simulate-proposal.ts';
import type { DimContext } from '../../query/query-dimensions.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';
import { closed, currency, meshId, policyDecisionSchema, proposalSchema, region, routeSchema } from '../mesh-schemas.ts';
import { problem } from '../openapi.ts';

export interface MeshProposalHealthDeps {
  mesh: MeshDeps;
  store: AnalyticsStore;
  dims: DimContext;
  ring: KeyRing;
}

const MAX_HOURS = 24 * 31;
const rate = { type: ['number', 'null'] };
const expected = {
  type: ['object', 'null'], required: ['success_rate', 'succeeded', 'succeeded_volume_minor', 'fees_minor'], additionalProperties: false,
  properties: {
    success_rate: { type: 'number' }, succeeded: { type: 'number', description: 'payments' },
    succeeded_volume_minor: { type: 'number' }, fees_minor: { type: 'number' },
  },
};
const simulationSchema = closed({
  region, currency, from: { type: 'string', format: 'date-time' }, to: { type: 'string', format: 'date-time' }, hours: { type: 'integer' },
  segments: {
    type: 'array',
    items: closed({
      method: { type: 'string' }, min_amount: { type: 'integer' }, max_amount: { type: ['integer', 'null'] },
      attempts: { type: 'integer', description: 'payments of the segment in the window' },
      volume_minor: { type: 'string', description: 'their amounts, minor units (text: may pass 2^53)' },
      observed_success_rate: { ...rate, description: 'as the traffic was carried, all providers together' },
      providers: {
        type: 'array',
        items: closed({
          provider: { type: 'string' }, attempts: { type: 'integer' }, succeeded: { type: 'integer' },
          success_rate: rate, volume_success_rate: rate, fee_rate: rate,
        }),
      },
      current_primary: { type: ['string', 'null'] }, proposed_primary: { type: ['string', 'null'] },
      current: { ...expected, description: 'had the whole segment gone to the current primary (null: it carried none of it)' },
      proposed: { ...expected, description: 'had it gone to the proposed primary' },
      change: { ...expected, description: 'proposed − current' },
    }),
  },
});

export function meshProposalHealthRoutes(app: FastifyInstance, d: MeshProposalHealthDeps) {
  app.post<{ Body: { region: MeshRegion; currency: string; min_amount?: number; max_amount?: number | null } }>('/api/mesh/proposals/generate', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'],
      summary: 'Propose from predictions: the table\'s providers ordered by their newest verified predictions (primary → secondary → tertiary); the table\'s policy then applies it or lets it wait',
      body: {
        type: 'object', additionalProperties: false, required: ['region', 'currency'],
        properties: {
          region, currency,
          min_amount: { type: 'integer', minimum: 0, description: 'with max_amount: one route per predicted method over this band (minor units)' },
          max_amount: { type: ['integer', 'null'], minimum: 1, description: 'exclusive; null: no upper bound' },
        },
      },
      response: {
        201: closed({ proposal: proposalSchema, policy: policyDecisionSchema }),
        200: closed({
          proposal: { type: 'null' }, reason: { type: 'string' },
          unchanged: { type: 'array', items: routeSchema, description: 'the routes the predictions would keep as they are' },
        }),
        400: problem('invalid_parameter', 'invalid_json'), 409: problem('stale_version'), 422: problem('invalid_route'),
      },
    },
  }, async (req, reply) => {
    const b = req.body;
    if (b.min_amount !== undefined && b.max_amount !== undefined && b.max_amount !== null && b.max_amount <= b.min_amount) {
      throw new AppError('invalid_parameter', 'max_amount must be above min_amount');
    }
    const plan = await planProposal({ state: d.mesh.state, ring: d.ring, now: d.mesh.now }, {
      region: b.region, currency: b.currency, minAmount: b.min_amount, maxAmount: b.max_amount,
    });
    if (plan.routes.length === 0) {
      return reply.code(200).send({
        proposal: null, unchanged: plan.unchanged.map(routeView),
        reason: plan.unchanged.length ? 'the verified predictions keep every route as it is' : 'no verified prediction for this table',
      });
    }
    const created = await createProposal(d.mesh, {
      region: b.region, currency: b.currency, baseVersion: plan.baseVersion, routes: plan.routes, rationale: plan.rationale, confidence: plan.confidence,
    }, req.principal!.sub);
    return reply.code(201).send(created);
  });

  app.post<{ Params: { id: string }; Querystring: { hours?: number } }>('/api/mesh/proposals/:id/simulate', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'],
      summary: 'Replay the table\'s last hours of real traffic against the proposal: per segment, the expected success-rate, volume and fee change had it gone to the proposed primary (kept with the proposal)',
      params: { type: 'object', required: ['id'], properties: { id: meshId('the proposal id (prop_…)') } },
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { hours: { type: 'integer', minimum: 1, maximum: MAX_HOURS, description: `hours replayed, up to now (default ${DEFAULT_SIMULATION_HOURS})` } },
      },
      response: { 200: simulationSchema, 404: problem('not_found') },
    },
  }, async (req) => {
    const sim = await simulateStoredProposal({ ...d.mesh, store: d.store, dims: d.dims }, req.params.id, req.query.hours ?? DEFAULT_SIMULATION_HOURS, req.principal!.sub);
    if (!sim) throw new AppError('not_found', `no proposal ${req.params.id}`);
    return simulationJson(sim);
  });
}
