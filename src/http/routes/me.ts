// GET /api/v1/me — what the caller's verified token is and may do: the dashboard shows only the
// screens and actions it grants (the API still checks each call; this only avoids dead ends).

import type { FastifyInstance } from 'fastify';
import { PERMISSIONS } from '../../auth/access-table.ts';

const response = {
  type: 'object',
  properties: {
    sub: { type: 'string' },
    merchant_id: { type: ['string', 'null'] },
    grants: { type: 'array', items: { type: 'string' } },
    permissions: { type: 'array', items: { type: 'string', enum: [...PERMISSIONS] } },
    expires_at: { type: ['string', 'null'] },
  },
};

export function meRoutes(app: FastifyInstance) {
  app.get('/api/v1/me', {
    config: { authenticated: true },
    schema: { tags: ['auth'], summary: 'The verified token: subject, merchant, grants and effective permissions', response: { 200: response } },
  }, async (req) => {
    const p = req.principal!;
    return {
      sub: p.sub,
      merchant_id: p.merchantId,
      grants: p.names,
      permissions: PERMISSIONS.filter((x) => p.permissions.has(x)),
      expires_at: p.expiresAt ? new Date(p.expiresAt).toISOString() : null,
    };
  });
}
