// GET /health — liveness plus the numbers an operator looks at first.

import type { FastifyInstance } from 'fastify';
import type { IngestView } from '../../ingest/ingest-view.ts';
import { nullableIsoTime } from '../response-schemas.ts';

const int = { type: 'integer' };
const healthResponse = {
  type: 'object',
  required: ['status', 'uptime_seconds', 'as_of', 'ingest'],
  properties: {
    status: { type: 'string', enum: ['ok'] },
    uptime_seconds: int,
    as_of: { ...nullableIsoTime, description: 'event time up to which ingestion is complete' },
    ingest: {
      type: ['object', 'null'],
      description: 'counters since this process started; null in a process that does not ingest (ROLE=api, evaluator)',
      required: ['batches', 'accepted', 'duplicates', 'rejected', 'rejected_by_code', 'failed_commits', 'last_commit_ms'],
      properties: {
        batches: int, accepted: int, duplicates: int, rejected: int,
        rejected_by_code: { type: 'object', additionalProperties: int, description: 'rejection code → events' },
        failed_commits: int, last_commit_ms: { type: 'number' },
      },
    },
  },
};

export function healthRoutes(app: FastifyInstance, deps: { ingest: IngestView; startedAt: number }) {
  app.get('/health', { config: { public: true }, schema: { tags: ['ops'], summary: 'Liveness and ingest counters', response: { 200: healthResponse } } }, async () => {
    const asOf = deps.ingest.asOf();
    const s = deps.ingest.stats;
    return {
      status: 'ok',
      uptime_seconds: Math.round((Date.now() - deps.startedAt) / 1000),
      as_of: asOf === null ? null : new Date(asOf).toISOString(),
      ingest: s && {
        batches: s.batches, accepted: s.accepted, duplicates: s.duplicates, rejected: s.rejected,
        rejected_by_code: s.rejectedByCode, failed_commits: s.failedCommits, last_commit_ms: Math.round(s.lastCommitMs * 10) / 10,
      },
    };
  });
}
