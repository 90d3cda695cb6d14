// The central check, on every request before anything else runs: a public route passes; any
// other needs a valid bearer token whose permissions include the route's. Routes that declare
// neither a permission nor `public` are refused at startup, so nothing is open by omission.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { Principal } from '../auth/principal.ts';
import type { Permission } from './permissions.ts';

export interface RouteRecord {
  method: string;
  url: string;
  /** null for public routes; `authenticated` for routes any verified token may call. */
  permission: Permission | 'authenticated' | null;
  /** Left out of the OpenAPI document (the dashboard's files, the document's own UI). */
  hidden: boolean;
  /** Needs the analytics store's writer (a cluster routes it to the consumer). */
  writer: boolean;
}

const BEARER = /^Bearer ([A-Za-z0-9._~+/-]+=*)$/;

/**
 * The route guard, registered before any route (plugins' routes included): every route must be
 * public or declare a permission. Returns the live list of routes with what each needs.
 */
export function registerRouteGuard(app: FastifyInstance): RouteRecord[] {
  const routes: RouteRecord[] = [];
  app.decorateRequest('principal', null);
  app.addHook('onRoute', (route) => {
    // The OpenAPI document and its UI are public by design; so are CORS preflights (they carry no token).
    if (route.url === '/docs' || route.url.startsWith('/docs/') || route.method === 'OPTIONS') {
      route.config = { ...route.config, public: true };
    }
    const cfg = route.config ?? {};
    if (!cfg.public && !cfg.permission && !cfg.authenticated) throw new Error(`route ${String(route.method)} ${route.url} declares no permission`);
    for (const method of [route.method].flat()) {
      routes.push({
        method: String(method), url: route.url, permission: cfg.public ? null : cfg.permission ?? 'authenticated', hidden: Boolean(route.schema?.hide), writer: Boolean(cfg.writer),
      });
    }
  });
  return routes;
}

/**
 * The check itself. Registered after the security headers and CORS, so refusals carry them too
 * (a browser client must be able to read a 401 token_expired to refresh its token).
 */
export function registerAuthCheck(app: FastifyInstance, verifier: TokenVerifier | null, now: () => number = Date.now): void {
  const failures = failureCounter(now);
  app.addHook('onRequest', async (req, reply) => {
    const cfg = req.routeOptions.config;
    if (req.routeOptions.url === undefined || cfg.public) return; // unmatched: the 404 handler answers
    const wait = failures.retryAfter(req.ip);
    if (wait > 0) {
      reply.header('retry-after', String(wait));
      throw new AppError('rate_limited', `too many failed authentications from this address; retry in ${wait} s`);
    }
    let principal: Principal;
    try {
      const m = BEARER.exec(req.headers.authorization ?? '');
      if (!m) throw new AppError('unauthorized', 'a bearer token is required (Authorization: Bearer <token>)');
      if (!verifier) throw new AppError('unauthorized', 'no identity provider is configured on this server');
      principal = await verifier(m[1]);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) failures.record(req.ip);
      throw err;
    }
    req.principal = principal;
    if (cfg.authenticated && !cfg.permission) return;
    if (!cfg.permission || !principal.permissions.has(cfg.permission)) {
      throw new AppError('forbidden', `this route needs the ${cfg.permission} permission`);
    }
  });
}

/** Failed authentications allowed per client address per minute (token guessing is then 429). */
const MAX_FAILURES_PER_MINUTE = 60;
const MAX_TRACKED_ADDRESSES = 100_000;

function failureCounter(now: () => number) {
  const windows = new Map<string, { count: number; resetAt: number }>();
  return {
    retryAfter(ip: string): number {
      const w = windows.get(ip);
      if (!w || w.resetAt <= now()) return 0;
      return w.count >= MAX_FAILURES_PER_MINUTE ? Math.ceil((w.resetAt - now()) / 1000) : 0;
    },
    record(ip: string): void {
      let w = windows.get(ip);
      if (!w || w.resetAt <= now()) {
        if (windows.size >= MAX_TRACKED_ADDRESSES) windows.clear();
        w = { count: 0, resetAt: now() + 60_000 };
        windows.set(ip, w);
      }
      w.count++;
    },
  };
}

/** The caller of a protected route (the hook guarantees one). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw new AppError('unauthorized', 'no verified caller');
  return req.principal;
}
