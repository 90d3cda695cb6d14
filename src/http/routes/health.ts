// GET /health — liveness plus the numbers an operator looks at first.

import type { FastifyInstance } from 'fastify';
import type { Engine } from '../../ingest/engine.ts';

export function healthRoutes(app: FastifyInstance, deps: { engine: Engine; startedAt: number }) {
  app.get('/health', { config: { public: true }, schema: { tags: ['ops'], summary: 'Liveness and ingest counters' } }, async () => {
    const asOf = deps.engine.asOf();
    const s = deps.engine.stats;
    return {
      status: 'ok',
      uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
      as_of: asOf === null ? null : new Date(asOf).toISOString(),
      ingest: {
        batches: s.batches, accepted: s.accepted, duplicates: s.duplicates, rejected: s.rejected,
        rejected_by_code: s.rejectedByCode, failed_commits: s.failedCommits, last_commit_ms: Math.round(s.lastCommitMs * 10) / 10,
      },
    };
  });
}
