// Dead letters: list them, replay them after a fix.

import type { FastifyInstance } from 'fastify';
import { listDeadLetters, replayDeadLetters } from '../../ingest/dead-letters.ts';
import type { Engine } from '../../ingest/engine.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';

export function deadLetterRoutes(app: FastifyInstance, deps: { engine: Engine; store: AnalyticsStore }) {
  app.get<{ Querystring: { code?: string; after_id?: number; limit?: number; pending?: boolean } }>('/api/v1/dead-letters', {
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['ops'],
      summary: 'Rejected events with their reason and payload, oldest first (cursor: after_id)',
      querystring: {
        type: 'object',
        additionalProperties: false,
        properties: {
          code: { type: 'string', maxLength: 64 },
          after_id: { type: 'integer', minimum: 0 },
          limit: { type: 'integer', minimum: 1, maximum: 1000 },
          pending: { type: 'boolean' },
        },
      },
    },
  }, async (req) => {
    const items = await listDeadLetters(deps.store, {
      code: req.query.code, afterId: req.query.after_id, limit: req.query.limit, pending: req.query.pending,
    });
    return { items, next_after_id: items.length ? items[items.length - 1].id : null };
  });

  app.post<{ Body: { ids?: number[]; code?: string; limit?: number } }>('/api/v1/dead-letters/replay', {
    config: { permission: 'analytics:ops' },
    schema: {
      tags: ['ops'],
      summary: 'Replay pending dead letters (by ids, or every one with a code) through the pipeline',
      body: {
        type: 'object',
        additionalProperties: false,
        properties: {
          ids: { type: 'array', items: { type: 'integer', minimum: 1 }, maxItems: 50_000 },
          code: { type: 'string', maxLength: 64 },
          limit: { type: 'integer', minimum: 1, maximum: 50_000 },
        },
      },
    },
  }, async (req) => replayDeadLetters(deps.store, deps.engine, req.body ?? {}));
}
