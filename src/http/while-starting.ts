// What the server answers between binding its port and the app being ready (the stores opening,
// the ingest state rebuilding): /healthz says it is alive, /ready that every part is starting,
// anything else 503 `starting` with Retry-After. Plain node:http, so it is up before Fastify and
// the stores are even loaded. `handOver` passes every later request to the app.

import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const STARTING = { status: 'starting', detail: 'the server is starting' };

export function serveWhileStarting(server: Server): { handOver(app: Handler): void } {
  let current: Handler = answerStarting;
  server.on('request', (req: IncomingMessage, res: ServerResponse) => current(req, res));
  return { handOver: (app) => { current = app; } };
}

function answerStarting(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0];
  if (path === '/healthz') return send(res, 200, 'application/json', { status: 'ok' });
  send(res, 503, 'application/problem+json', {
    type: '/docs/errors#starting', title: 'starting', status: 503, code: 'starting',
    detail: 'the server is starting; retry shortly',
    ...(path === '/ready' ? { parts: { analytics: STARTING, ingest: STARTING, state: STARTING } } : {}),
  }, { 'retry-after': '1' });
}

function send(res: ServerResponse, status: number, type: string, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': `${type}; charset=utf-8`, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', ...headers });
  res.end(JSON.stringify(body));
}
