// The mesh's policies: list them, set one (mesh:manage; it replaces the active policy of its
// region and currency atomically). Use cases: src/mesh/policies.ts.

import type { FastifyInstance } from 'fastify';
import type { MeshDeps } from '../../mesh/mesh-actions.ts';
import type { MeshRegion } from '../../mesh/model.ts';
import { createPolicy, DEFAULT_AUTO_CONFIDENCE_THRESHOLD, listPolicies, type PolicyLimits, type PolicyView } from '../../mesh/policies.ts';
import { currency, limitsBody, list, policySchema, region } from '../mesh-schemas.ts';
import { problem } from '../openapi.ts';

interface PolicyBody {
  region: MeshRegion; currency?: string | null; mode: PolicyView['mode']; auto_confidence_threshold?: number; limits?: Partial<PolicyLimits>;
}

export function meshPolicyRoutes(app: FastifyInstance, deps: MeshDeps) {
  app.get<{ Querystring: { region?: MeshRegion; active?: 'true' | 'false' } }>('/api/mesh/policies', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'The mesh\'s policies: how each region\'s (and currency\'s) proposals are applied',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: { region, active: { type: 'string', enum: ['true', 'false'], description: 'true (default): only the active policies; false: their history too' } },
      },
      response: { 200: list(policySchema), 400: problem('invalid_parameter') },
    },
  }, async (req) => listPolicies(deps.state, { region: req.query.region ?? null, activeOnly: req.query.active !== 'false' }));

  app.post<{ Body: PolicyBody }>('/api/mesh/policies', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'], summary: 'Set the policy of a region (and currency, or all of its currencies): replaces the active one',
      body: {
        type: 'object', additionalProperties: false, required: ['region', 'mode'],
        properties: {
          region, currency: { ...currency, type: ['string', 'null'], description: 'null or absent: every currency of the region without a policy of its own' },
          mode: { type: 'string', enum: ['auto', 'approval_required'], description: 'auto: proposals at or above the threshold (and within the limits) apply at once; approval_required: every one waits for an ops approval' },
          auto_confidence_threshold: { type: 'number', minimum: 0, maximum: 1, description: `default ${DEFAULT_AUTO_CONFIDENCE_THRESHOLD}` },
          limits: limitsBody,
        },
      },
      response: { 201: policySchema, 400: problem('invalid_parameter', 'invalid_json') },
    },
  }, async (req, reply) => {
    const b = req.body;
    const view = await createPolicy(deps, {
      region: b.region, currency: b.currency ?? null, mode: b.mode, autoConfidenceThreshold: b.auto_confidence_threshold ?? DEFAULT_AUTO_CONFIDENCE_THRESHOLD,
      limits: { max_route_share: b.limits?.max_route_share ?? null, max_canary_percent: b.limits?.max_canary_percent ?? null },
    }, req.principal!.sub);
    return reply.code(201).send(view);
  });
}
