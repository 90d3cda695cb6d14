// The mesh's routing tables: every table at its current version, one table with its history, and
// an operator's static table (PUT, with an Idempotency-Key and the version it is based on). Use
// cases: src/mesh/routing-tables.ts.

import type { FastifyInstance } from 'fastify';
import { IDEMPOTENCY_HEADER, readIdempotencyKey } from '../../merchant/idempotency.ts';
import type { MeshDeps } from '../../mesh/mesh-actions.ts';
import type { MeshRegion } from '../../mesh/model.ts';
import { getTable, listTables, MAX_HISTORY_PAGE, routeOf, setStaticTable, type RouteView } from '../../mesh/routing-tables.ts';
import { readLimit } from '../analytics-params.ts';
import { closed, currency, idempotencyHeaders, list, region, routesBody, versionSchema } from '../mesh-schemas.ts';
import { problem } from '../openapi.ts';

const tableParams = { type: 'object', required: ['region', 'currency'], properties: { region, currency } };
interface TableParams { region: MeshRegion; currency: string }

export function meshRoutingRoutes(app: FastifyInstance, deps: MeshDeps) {
  app.get('/api/mesh/routing', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'Every routing table at its current version',
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: list(versionSchema) },
    },
  }, async () => listTables(deps.state));

  app.get<{ Params: TableParams; Querystring: { before?: number; limit?: string } }>('/api/mesh/routing/:region/:currency', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'], summary: 'One routing table: its current version, and its versions newest first, a page at a time',
      params: tableParams,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          before: { type: 'integer', minimum: 1, description: 'next_before of the previous page: versions before this one' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `versions per page, 1–${MAX_HISTORY_PAGE} (default 50)` },
        },
      },
      response: {
        200: closed({
          current: versionSchema, versions: { type: 'array', items: versionSchema },
          next_before: { type: ['integer', 'null'], description: 'pass as before for the next page; null on the last' },
        }),
        400: problem('invalid_parameter'),
      },
    },
  }, async (req) => getTable(deps.state, req.params, { before: req.query.before ?? null, limit: readLimit(req.query.limit, 50, MAX_HISTORY_PAGE) }));

  app.put<{ Params: TableParams; Body: { base_version: number; routes: RouteView[] } }>('/api/mesh/routing/:region/:currency', {
    config: { permission: 'mesh:manage' },
    schema: {
      tags: ['mesh'],
      summary: 'Set a static routing table (its next version) on top of base_version (0 for a new table); every route valid or none applied. Requires Idempotency-Key',
      params: tableParams, headers: idempotencyHeaders,
      body: {
        type: 'object', additionalProperties: false, required: ['base_version', 'routes'],
        properties: {
          base_version: { type: 'integer', minimum: 0, description: 'the table\'s current version (0: it has none); otherwise 409 stale_version' },
          routes: routesBody,
        },
      },
      response: {
        200: versionSchema, 400: problem('invalid_parameter', 'invalid_json', 'idempotency_key_required'),
        409: problem('stale_version', 'idempotency_key_in_use'), 422: problem('invalid_route', 'idempotency_key_reused'),
      },
    },
  }, async (req, reply) => {
    const key = readIdempotencyKey(req.headers[IDEMPOTENCY_HEADER]);
    const answer = await setStaticTable(deps, req.params, req.body.base_version, req.body.routes.map(routeOf), req.principal!.sub, key);
    if (answer.replayed) reply.header('idempotent-replayed', 'true');
    if (answer.error) throw answer.error;
    return reply.code(answer.status).send(answer.body);
  });
}
