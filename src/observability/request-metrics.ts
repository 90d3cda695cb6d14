// Request duration and count per (method, route pattern, status code). The route is the pattern
// Fastify matched (/api/v1/dead-letters/:id), never the raw URL, so label values stay bounded.

import type { FastifyInstance } from 'fastify';
import type { Metrics } from './metrics-registry.ts';

export function registerRequestMetrics(app: FastifyInstance, metrics: Metrics): void {
  app.addHook('onResponse', async (req, reply) => {
    const labels = {
      method: req.method,
      route: req.is404 ? 'unmatched' : (req.routeOptions.url ?? 'unmatched'),
      status_code: String(reply.statusCode),
    };
    metrics.requests.inc(labels);
    metrics.requestDuration.observe(labels, reply.elapsedTime / 1000);
  });
}
