// GET /api/mesh/reconciliations: the money routing changes moved between providers (and regions),
// expected and observed, matched or not (src/mesh/reconciliation.ts, docs/mesh.md#reconciliation).

import type { FastifyInstance } from 'fastify';
import type { StateStore } from '../../state-store/state-store.ts';
import { listReconciliations, MAX_RECONCILIATION_PAGE, type ReconciliationStatus } from '../../mesh/reconciliation.ts';
import { readLimit } from '../analytics-params.ts';
import { closed, currency, region } from '../mesh-schemas.ts';
import { isoTime, nullableIsoTime } from '../response-schemas.ts';
import { problem } from '../openapi.ts';

const minor = { type: 'string', pattern: '^-?[0-9]+$', description: 'minor units of the currency, an exact integer as a string' };
const nminor = { type: ['string', 'null'], pattern: '^-?[0-9]+$', description: 'minor units, an exact integer as a string; null until settled' };
const STATUSES: ReconciliationStatus[] = ['pending', 'matched', 'unmatched'];

const itemSchema = closed({
  id: { type: 'string' },
  proposal_id: { type: ['string', 'null'], description: 'the proposal the version applied; null for a static table or a rollback of one' },
  region: { type: 'string' }, currency: { type: 'string' },
  version: { type: 'integer', description: 'the routing version that moved the traffic' },
  from_provider: { type: 'string' }, to_provider: { type: 'string', description: 'the new primary provider' },
  from_region: { type: 'string', description: 'the region the old primary is a member of' },
  to_region: { type: 'string', description: 'the region the new primary is a member of' },
  cross_region: { type: 'boolean', description: 'the money moves between regions (a cross-border transfer)' },
  cells: {
    type: 'array', description: 'the traffic moved: methods and amount bands [min_amount, max_amount)',
    items: closed({ method: { type: 'string' }, min_amount: { type: 'integer' }, max_amount: { type: ['integer', 'null'] } }),
  },
  expected_minor: { ...minor, description: 'the succeeded volume the moved traffic carried over the window before the change (the liquidity moved)' },
  expected_window_minor: { ...nminor, description: 'the expectation for the window observed (a share of expected_minor when a later version cut it short); null until settled' },
  observed_minor: { ...nminor, description: 'the succeeded volume the new primary carried in those cells over the window after the change; null until settled' },
  status: { type: 'string', enum: STATUSES, description: 'pending until the window after the change is over; matched within MESH_RECONCILE_TOLERANCE_PERCENT, else unmatched' },
  window_from: isoTime, window_to: isoTime, created_at: isoTime, checked_at: nullableIsoTime,
});

export function meshReconciliationRoutes(app: FastifyInstance, deps: { state: StateStore }) {
  app.get<{ Querystring: { status?: ReconciliationStatus; region?: string; currency?: string; cursor?: string; limit?: string } }>('/api/mesh/reconciliations', {
    config: { permission: 'mesh:view' },
    schema: {
      tags: ['mesh'],
      summary: 'Reconciliation of routing changes: per change and provider pair, the money expected to move (and moved between liquidity pools), what the new provider then carried, matched or unmatched; newest first, keyset-paginated, with counts per status',
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          status: { type: 'string', enum: STATUSES }, region, currency,
          cursor: { type: 'string', maxLength: 64, description: 'next_cursor of the previous page' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_RECONCILIATION_PAGE} (default 100)` },
        },
      },
      response: {
        200: closed({
          items: { type: 'array', items: itemSchema },
          counts: closed({ pending: { type: 'integer' }, matched: { type: 'integer' }, unmatched: { type: 'integer' } }, 'items per status, of everything the filters select'),
          next_cursor: { type: ['string', 'null'], description: 'pass as cursor for the next page (same filters); null on the last' },
        }),
        400: problem('invalid_parameter'),
      },
    },
  }, async (req) => {
    const q = req.query;
    return listReconciliations(deps.state, {
      status: q.status ?? null, region: q.region ?? null, currency: q.currency ?? null, cursor: q.cursor, limit: readLimit(q.limit, 100, MAX_RECONCILIATION_PAGE),
    });
  });
}
