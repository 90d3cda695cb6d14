// POST /api/dev/token — dev mode only: a token for a chosen role (and merchant), for the
// dashboard's dev sign-in page; GET /api/dev/merchants — the merchants that have data, busiest
// first, for its merchant picker (the demo's merchants after `npm run demo`). Not registered at
// all outside dev mode.

import type { FastifyInstance } from 'fastify';
import { GRANTS } from '../../auth/access-table.ts';
import { signDevToken } from '../../auth/dev-token.ts';
import { AppError } from '../../errors.ts';
import { problem } from '../openapi.ts';
import type { RunQuery } from '../../analytics/query-runner.ts';

const TTL_SECONDS = 12 * 3600;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

const MERCHANT_DAYS = 30;
const MERCHANT_LIMIT = 50;

export function devSignInRoutes(app: FastifyInstance, deps: { secret: string; issuer: string; audience: string; now: () => number; run: RunQuery }) {
  const loopbackOnly = (hostname: string) => {
    // Loopback names only: a page on another site cannot reach this through DNS rebinding.
    if (!LOOPBACK_HOSTS.has(hostname)) throw new AppError('forbidden', 'dev tokens are handed out on loopback addresses only');
  };

  app.get('/api/dev/merchants', {
    config: { public: true },
    schema: {
      tags: ['dev'],
      summary: `Dev mode only: the merchants with transactions in the last ${MERCHANT_DAYS} days, busiest first (at most ${MERCHANT_LIMIT}), for the sign-in page's merchant picker`,
      response: {
        200: {
          type: 'object', required: ['items'],
          properties: {
            items: {
              type: 'array',
              items: {
                type: 'object', required: ['merchant_id', 'tx_count'],
                properties: { merchant_id: { type: 'string' }, tx_count: { type: 'integer', description: `transactions in the last ${MERCHANT_DAYS} days` } },
              },
            },
          },
        },
        403: problem('forbidden'),
      },
    },
  }, async (req) => {
    loopbackOnly(req.hostname);
    const to = Math.ceil(deps.now() / 60_000) * 60_000;
    const result = await deps.run({
      metrics: ['tx_count'], dimensions: ['merchant_id'], filters: {}, from: to - MERCHANT_DAYS * 86_400_000, to,
      granularity: 'all', tz: 'UTC', orderBy: { metric: 'tx_count', desc: true }, limit: MERCHANT_LIMIT,
    });
    const items = result.rows
      .filter((r) => r.dims.merchant_id && (r.metrics.tx_count ?? 0) > 0)
      .map((r) => ({ merchant_id: r.dims.merchant_id as string, tx_count: r.metrics.tx_count as number }));
    return { items };
  });

  app.post<{ Body: { role: string; merchant_id?: string; sub?: string } }>('/api/dev/token', {
    config: { public: true },
    schema: {
      tags: ['dev'],
      summary: 'Dev mode only: a 12-hour token for a role (and merchant); its auth_time is now (sign in again for a step-up)',
      body: {
        type: 'object',
        additionalProperties: false,
        required: ['role'],
        properties: {
          role: { type: 'string', enum: Object.keys(GRANTS) },
          merchant_id: { type: 'string', pattern: '^[A-Za-z0-9._:@|-]{1,128}$' },
          sub: { type: 'string', pattern: '^[A-Za-z0-9._:@|-]{1,128}$' },
        },
      },
      response: {
        200: {
          type: 'object', required: ['token', 'token_type', 'expires_at'],
          properties: { token: { type: 'string' }, token_type: { type: 'string', enum: ['Bearer'] }, expires_at: { type: 'string', format: 'date-time' } },
        },
        403: problem('forbidden'),
      },
    },
  }, async (req) => {
    loopbackOnly(req.hostname);
    const { role, merchant_id: merchantId, sub } = req.body;
    const token = await signDevToken(deps.secret, {
      sub: sub ?? (merchantId ? `dev-${merchantId}` : 'dev-user'), roles: [role], merchantId, ttlSeconds: TTL_SECONDS,
      issuer: deps.issuer || undefined, audience: deps.audience || undefined,
      // A sign-in: auth_time is now, so the token passes step-up checks for their 5 minutes.
      authTime: Math.floor(deps.now() / 1000),
    });
    return { token, token_type: 'Bearer', expires_at: new Date(deps.now() + TTL_SECONDS * 1000).toISOString() };
  });
}
