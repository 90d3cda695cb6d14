// The mesh's proposals: draft one by hand (mesh:manage; the table's policy then applies it or
// lets it wait), list and read them, approve one (mesh:approve, Idempotency-Key, four eyes),
// reject one, roll one back within 24 h. Use cases: src/mesh/proposals.ts.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from '../../merchant/idempotency.ts';
import type { MeshDeps } from '../../mesh/mesh-actions.ts';
import type { MeshRegion } from '../../mesh/model.ts';
import { approveProposal, createProposal, rejectProposal, rollbackProposal } from '../../mesh/proposals.ts';
import { getProposal, listProposals, MAX_PROPOSAL_PAGE } from '../../mesh/proposal-record.ts';
import { routeOf, type RouteView } from '../../mesh/routing-tables.ts';
import { csv, readLimit } from '../analytics-params.ts';
import {
  closed, currency, idempotencyHeaders, meshId, noteBody, page, policyDecisionSchema, proposalSchema, rationaleBody, region, routesBody,
} from '../mesh-schemas.ts';
import { problem } from '../openapi.ts';

const STATUSES = ['pending_approval', 'canary', 'applied', 'rejected', 'rolled_back', 'superseded'];
const idParams = { type: 'object', required: ['id'], properties: { id: meshId('the proposal id (prop_…)') } };

interface DraftBody {
  region: MeshRegion; currency: string; base_version: number; routes: RouteView[]; confidence?: number;
  rationale?: Array<{ method: string; min_amount: number; max_amount: number | null; prediction_ids?: string[]; note: string }>;
}
interface ListQuery { status?: string; region?: MeshRegion; currency?: string; cursor?: string; limit?: string }

export function meshProposalRoutes(app: FastifyInstance, deps: MeshDeps) {
  app.post<{ Body: DraftBody }>('/api/mesh/proposals', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'],
      summary: 'Draft a proposal by hand: new routes for one table, on its current version; the table\'s policy then applies it at once or lets it wait for an approval',
      body: {
        type: 'object', additionalProperties: false, required: ['region', 'currency', 'base_version', 'routes'],
        properties: {
          region, currency, base_version: { type: 'integer', minimum: 0, description: 'the table\'s current version (0: a new table)' },
          routes: { ...routesBody, minItems: 1, description: 'they replace the table\'s routes of the same method and band; the others stay' },
          confidence: { type: 'number', minimum: 0, maximum: 1, description: 'how sure its author is (0–1, default 0): an auto policy applies it at once at or above its threshold' },
          rationale: rationaleBody,
        },
      },
      response: {
        201: closed({ proposal: proposalSchema, policy: policyDecisionSchema }),
        400: problem('invalid_parameter', 'invalid_json'), 409: problem('stale_version'), 422: problem('invalid_route'),
      },
    },
  }, async (req, reply) => {
    const b = req.body;
    const created = await createProposal(deps, {
      region: b.region, currency: b.currency, baseVersion: b.base_version, routes: b.routes.map(routeOf), confidence: b.confidence ?? 0,
      rationale: (b.rationale ?? []).map((r) => ({ method: r.method, minAmount: r.min_amount, maxAmount: r.max_amount, predictionIds: r.prediction_ids ?? [], note: r.note })),
    }, req.principal!.sub);
    return reply.code(201).send(created);
  });

  app.get<{ Querystring: ListQuery }>('/api/mesh/proposals', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'Proposals, newest first, keyset-paginated',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          status: { type: 'string', maxLength: 256, description: `comma-separated: ${STATUSES.join(', ')}` }, region, currency,
          cursor: { type: 'string', maxLength: 128, description: 'next_cursor of the previous page' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_PROPOSAL_PAGE} (default 50)` },
        },
      },
      response: { 200: page(proposalSchema), 400: problem('invalid_parameter') },
    },
  }, async (req) => {
    const statuses = csv(req.query.status, 'status');
    const unknown = statuses.find((x) => !STATUSES.includes(x));
    if (unknown !== undefined) throw new AppError('invalid_parameter', `unknown status ${unknown}; one of ${STATUSES.join(', ')}`);
    return listProposals(deps.state, {
      statuses, region: req.query.region ?? null, currency: req.query.currency ?? null, cursor: req.query.cursor, limit: readLimit(req.query.limit, 50, MAX_PROPOSAL_PAGE),
    });
  });

  app.get<{ Params: { id: string } }>('/api/mesh/proposals/:id', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'One proposal', params: idParams, querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: proposalSchema, 400: problem('invalid_parameter') },
    },
  }, async (req) => getProposal(deps.state, req.params.id));

  app.post<{ Params: { id: string }; Body: { comment?: string } | null }>('/api/mesh/proposals/:id/approve', {
    config: { permission: 'mesh:approve' },
    schema: {
      tags: ['mesh'],
      summary: 'Approve a pending proposal: all its routes become the table\'s next version, or none (an invalid route: 422). Not by its author; a base version that moved on: 409 stale_version and the proposal superseded. Requires Idempotency-Key',
      params: idParams, headers: idempotencyHeaders, body: noteBody('comment', 'why, kept in the action log'),
      response: {
        200: proposalSchema, 400: problem('invalid_parameter', 'invalid_json', 'idempotency_key_required'),
        403: problem('forbidden', 'four_eyes_required'), 409: problem('stale_version', 'proposal_not_pending', 'idempotency_key_in_use'),
        422: problem('invalid_route', 'idempotency_key_reused'),
      },
    },
  }, async (req, reply) => {
    const key = readIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
    const answer = await approveProposal(deps, req.params.id, req.principal!.sub, key, req.body?.comment ?? null);
    if (answer.replayed) reply.header('idempotent-replayed', 'true');
    if (answer.error) throw answer.error;
    return reply.code(answer.status).send(answer.body);
  });

  app.post<{ Params: { id: string }; Body: { reason?: string } | null }>('/api/mesh/proposals/:id/reject', {
    config: { permission: 'mesh:approve' },
    schema: {
      tags: ['mesh'], summary: 'Reject a pending proposal (its author may withdraw it so)',
      params: idParams, body: noteBody('reason', 'why, kept in the action log'),
      response: { 200: proposalSchema, 400: problem('invalid_parameter', 'invalid_json'), 409: problem('proposal_not_pending') },
    },
  }, async (req) => rejectProposal(deps, req.params.id, req.principal!.sub, req.body?.reason ?? null));

  app.post<{ Params: { id: string }; Body: { reason?: string } | null }>('/api/mesh/proposals/:id/rollback', {
    config: { permission: 'mesh:approve' },
    schema: {
      tags: ['mesh'],
      summary: 'Roll an applied proposal back: the exact version before it becomes the table\'s next version (kind rollback). Within 24 h of its application, while its version is still the table\'s',
      params: idParams, body: noteBody('reason', 'why, kept in the action log'),
      response: {
        200: proposalSchema, 400: problem('invalid_parameter', 'invalid_json'),
        409: problem('proposal_not_applied', 'rollback_window_passed', 'stale_version'),
      },
    },
  }, async (req) => rollbackProposal(deps, req.params.id, req.principal!.sub, req.body?.reason ?? null));
}
