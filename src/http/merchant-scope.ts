// The merchant portal's one scope check, for every route under /api/merchant/: after the token
// check, before any handler, it settles the merchant the request acts for (src/merchant/
// merchant-scope.ts) and, when an ops token acts for a merchant, writes that call to the
// merchant's audit log first — a call whose audit entry cannot be written is refused, never run
// unaudited. Handlers read the result with merchantScopeOf(req); none reads a merchant from
// anywhere else. A portal route that does not declare a merchant:* permission stops the start.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { MERCHANT_HEADER, resolveMerchantScope, type MerchantScope, type RequestOrigin } from '../merchant/merchant-scope.ts';
import { writeAudit } from '../merchant/merchant-audit.ts';
import type { StateStore } from '../state-store/state-store.ts';
import type { Metrics } from '../observability/metrics-registry.ts';
import { principalOf } from './auth-hook.ts';
import { MERCHANT_PREFIX } from './openapi.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The merchant a portal request acts for; set by the scope check, null elsewhere. */
    merchantScope: MerchantScope | null;
  }
}

const isPortal = (url: string | undefined): url is string => url !== undefined && url.startsWith(MERCHANT_PREFIX);

/** The X-Merchant-Id header, documented on every portal route. */
export const merchantHeaderSchema = {
  type: 'object',
  properties: {
    [MERCHANT_HEADER]: {
      type: 'string', maxLength: 128,
      description: 'Ops tokens only, and required for them: the merchant to act for (the call is written to its audit log). A merchant token may omit it or name its own merchant.',
    },
  },
};

/** Registered before any route, after the token check. */
export function registerMerchantScope(app: FastifyInstance, deps: { state: StateStore; metrics: Metrics; now: () => number }): void {
  app.decorateRequest('merchantScope', null);
  app.addHook('onRoute', (route) => {
    if (isPortal(route.url) && !route.config?.permission?.startsWith('merchant:')) {
      throw new Error(`route ${String(route.method)} ${route.url} is in the merchant portal and must declare a merchant:* permission`);
    }
  });
  app.addHook('preHandler', async (req) => {
    const url = req.routeOptions.url;
    if (!isPortal(url)) return;
    const named = req.headers[MERCHANT_HEADER];
    if (Array.isArray(named)) throw new AppError('invalid_parameter', `name one merchant in ${MERCHANT_HEADER}`);
    const scope = resolveMerchantScope(principalOf(req), named);
    if (scope.actorKind === 'ops') {
      await writeAudit(deps.state, scope, originOf(req), {
        action: 'ops.request', objectType: 'route', objectId: `${req.method} ${url}`,
        detail: { params: req.params ?? {}, query: req.query ?? {} },
      }, deps.now());
    }
    req.merchantScope = scope;
  });
  app.addHook('onResponse', async (req, reply) => {
    const url = req.routeOptions.url;
    if (!isPortal(url)) return;
    const caller = req.principal === null ? 'none' : req.principal.merchantId === null ? 'ops' : 'merchant';
    deps.metrics.merchantDashboardRequests.inc({ endpoint: url.slice(MERCHANT_PREFIX.length - 1), caller, status_code: String(reply.statusCode) });
  });
}

/** The merchant a portal handler acts for (the scope check guarantees one). */
export function merchantScopeOf(req: FastifyRequest): MerchantScope {
  if (!req.merchantScope) throw new Error(`no merchant scope on ${req.method} ${req.routeOptions.url}: not a portal route`);
  return req.merchantScope;
}

export function originOf(req: FastifyRequest): RequestOrigin {
  const agent = req.headers['user-agent'];
  return { ip: req.ip, userAgent: typeof agent === 'string' ? agent : null, requestId: String(req.id) };
}
