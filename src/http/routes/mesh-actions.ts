// GET /api/mesh/actions: the mesh's action log, newest first (src/mesh/mesh-actions.ts).

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { listActions, MAX_ACTION_PAGE, type MeshDeps } from '../../mesh/mesh-actions.ts';
import { QUERY_TIME_MAX } from '../../query/run-query.ts';
import { parseInstant, readLimit, type Query } from '../analytics-params.ts';
import { actionSchema, page } from '../mesh-schemas.ts';
import { problem } from '../openapi.ts';

export function meshActionRoutes(app: FastifyInstance, deps: MeshDeps) {
  app.get<{ Querystring: Query }>('/api/mesh/actions', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'The mesh\'s action log, newest first: who changed what (members, policies, routing tables, proposals), keyset-paginated',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          from: { type: 'string', maxLength: 64, description: 'at or after (RFC 3339); default: the beginning' },
          to: { type: 'string', maxLength: 64, description: 'before (RFC 3339); default: now' },
          actor: { type: 'string', maxLength: 128, description: 'only this token subject (or system)' },
          action: { type: 'string', maxLength: 64, description: 'only this action (proposal.applied, member.approved, …)' },
          target: { type: 'string', maxLength: 160, description: 'only targets starting with this: routing:ECOWAS/XOF, proposal:prop_…, member:, policy:' },
          cursor: { type: 'string', maxLength: 32, description: 'next_cursor of the previous page' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_ACTION_PAGE} (default 100)` },
        },
      },
      response: { 200: page(actionSchema), 400: problem('invalid_parameter', 'invalid_range') },
    },
  }, async (req) => {
    const q = req.query;
    const from = parseInstant('from', q.from, 0);
    const to = parseInstant('to', q.to, Math.min(deps.now() + 1, QUERY_TIME_MAX));
    if (to <= from) throw new AppError('invalid_range', '`to` must be after `from`');
    return listActions(deps.state, {
      from, to, actor: q.actor ?? null, action: q.action ?? null, target: q.target ?? null, cursor: q.cursor, limit: readLimit(q.limit, 100, MAX_ACTION_PAGE),
    });
  });
}
