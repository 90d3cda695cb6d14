// The mesh's members: list, request one (mesh:manage), approve one. Approving is one route for
// both approvals: the caller's permission says which it gives — mesh:compliance the compliance
// approval, mesh:approve the ops one — so the route itself asks only mesh:view and the use case
// (src/mesh/members.ts) refuses a caller holding neither (403 approver_role_required).

import type { FastifyInstance } from 'fastify';
import { approveMember, listMembers, requestMember, type ApproverRole, type MemberRequest } from '../../mesh/members.ts';
import type { MeshDeps } from '../../mesh/mesh-actions.ts';
import type { MeshRegion } from '../../mesh/model.ts';
import { currency, list, memberSchema, meshId, provider, region } from '../mesh-schemas.ts';
import { problem } from '../openapi.ts';

interface RequestBody { provider: string; name: string; kind: MemberRequest['kind']; region: MeshRegion; currencies: string[] }

export function meshMemberRoutes(app: FastifyInstance, deps: MeshDeps) {
  app.get<{ Querystring: { region?: MeshRegion } }>('/api/mesh/members', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'The mesh\'s members (banks, PSPs, rails), with their approvals',
      querystring: { type: 'object', additionalProperties: false, properties: { region } },
      response: { 200: list(memberSchema), 400: problem('invalid_parameter') },
    },
  }, async (req) => listMembers(deps.state, req.query.region ?? null));

  app.post<{ Body: RequestBody }>('/api/mesh/members', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'], summary: 'Request a new member: pending_approval until compliance and ops approve it (two other people)',
      body: {
        type: 'object', additionalProperties: false, required: ['provider', 'name', 'kind', 'region', 'currencies'],
        properties: {
          provider, name: { type: 'string', minLength: 1, maxLength: 200 }, kind: { type: 'string', enum: ['bank', 'psp', 'rail'] }, region,
          currencies: { type: 'array', minItems: 1, maxItems: 50, items: currency, description: 'the currencies its routes may carry' },
        },
      },
      response: { 201: memberSchema, 400: problem('invalid_parameter', 'invalid_json') },
    },
  }, async (req, reply) => reply.code(201).send(await requestMember(deps, req.body, req.principal!.sub)));

  app.post<{ Params: { id: string }; Body: { as?: ApproverRole } | null }>('/api/mesh/members/:id/approve', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'],
      summary: 'Approve a member: as compliance (mesh:compliance) or as ops (mesh:approve); not by its requester, the two approvals by two people; both → active',
      params: { type: 'object', required: ['id'], properties: { id: meshId('the member id') } },
      body: {
        type: ['object', 'null'], additionalProperties: false,
        properties: { as: { type: 'string', enum: ['compliance', 'ops'], description: 'which approval to give, when the token may give either' } },
      },
      response: {
        200: memberSchema, 400: problem('invalid_parameter', 'invalid_json'),
        403: problem('forbidden', 'four_eyes_required', 'approver_role_required'), 409: problem('member_not_pending', 'approval_exists'),
      },
    },
  }, async (req) => approveMember(deps, req.params.id, { sub: req.principal!.sub, permissions: req.principal!.permissions, as: req.body?.as }));
}
