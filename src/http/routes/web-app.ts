// The dashboard (web/, built by `npm run build:web` into dist/web) served at /: index.html for /
// and for any other GET a browser navigates to (the app routes itself), the hashed bundles under
// /assets/ cached for a year. Every route is public: the app holds no data, the API it calls needs
// a token. Without a build, the status page stands in.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { statusPageRoutes } from './status-page.ts';

const PUBLIC = { config: { public: true }, schema: { hide: true } } as const;
/** Paths that belong to the API and the server, never to the app: they 404 like any unknown route. */
const SERVER_PATHS = /^\/(api|docs|socket\.io)(\/|$)/;
const YEAR_MS = 365 * 86_400_000;

/** Where `npm run build:web` writes the app: dist/web at the repository root. */
export const WEB_BUILD_DIR = fileURLToPath(new URL('../../../dist/web', import.meta.url));

/** Whether dir holds a built app. */
export function hasWebBuild(dir: string): boolean {
  return existsSync(join(dir, 'index.html'));
}

export function webAppRoutes(app: FastifyInstance, o: { dir: string }): void {
  if (!hasWebBuild(o.dir)) {
    app.log.info({ dir: o.dir }, 'no dashboard build (npm run build:web): serving the status page at /');
    statusPageRoutes(app);
    return;
  }
  // Files at the top of the build besides index.html (favicon…), listed once: only those are served.
  const topFiles = new Set(readdirSync(o.dir).filter((f) => f !== 'index.html' && statSync(join(o.dir, f)).isFile()));

  // An encapsulated scope: @fastify/swagger-ui decorates its own reply.sendFile in its scope.
  // serve: false, because the plugin's own routes cannot carry the `public` route config.
  app.register(async (scope) => {
    await scope.register(fastifyStatic, { root: o.dir, serve: false });

    const sendIndex = (reply: FastifyReply) =>
      reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });

    scope.get('/', PUBLIC, async (_req, reply) => sendIndex(reply));

    // Content-hashed names: a changed file gets a new name, so a year is safe.
    scope.get<{ Params: { '*': string } }>('/assets/*', PUBLIC, async (req, reply) =>
      reply.sendFile(join('assets', req.params['*']), { maxAge: YEAR_MS, immutable: true }));

    scope.get<{ Params: { '*': string } }>('/*', PUBLIC, async (req: FastifyRequest<{ Params: { '*': string } }>, reply) => {
      const path = req.url.split('?')[0];
      if (SERVER_PATHS.test(path)) return reply.callNotFound();
      const name = req.params['*'];
      if (topFiles.has(name)) return reply.sendFile(name, { maxAge: 3_600_000 });
      if (!String(req.headers.accept ?? '').includes('text/html')) return reply.callNotFound();
      return sendIndex(reply);
    });
  });
}
