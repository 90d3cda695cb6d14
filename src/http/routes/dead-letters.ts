// Dead letters: list them, replay them after a fix.

import type { FastifyInstance } from 'fastify';
import { listDeadLetters, replayDeadLetters } from '../../ingest/dead-letters.ts';
import { problem } from '../openapi.ts';
import type { Engine } from '../../ingest/engine.ts';
import { AppError } from '../../errors.ts';
import type { AnalyticsStore } from '../../store/analytics-store.ts';
import { isoTime, nullableIsoTime } from '../response-schemas.ts';

const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const deadLetter = {
  type: 'object',
  required: ['id', 'received_at', 'source', 'index', 'code', 'message', 'event_id', 'payload', 'payload_truncated', 'replayed_at', 'replay_result'],
  properties: {
    id: { type: 'integer' }, received_at: isoTime, source: { ...str, description: 'http, replay, file:<path>…' },
    index: { type: 'integer', description: 'position in its batch' }, code: { ...str, description: 'rejection code' }, message: str,
    event_id: nullableStr, payload: { ...str, description: 'the event as received' }, payload_truncated: { type: 'boolean' },
    replayed_at: nullableIsoTime, replay_result: { ...nullableStr, description: 'accepted, duplicate, or the new rejection code' },
  },
};
const listResponse = {
  type: 'object',
  required: ['items', 'next_after_id'],
  properties: { items: { type: 'array', items: deadLetter }, next_after_id: { type: ['integer', 'null'], description: 'pass as after_id for the next page' } },
};
const replayResponse = {
  type: 'object',
  required: ['replayed', 'results'],
  properties: {
    replayed: { type: 'integer' },
    results: {
      type: 'array',
      items: {
        type: 'object', required: ['id', 'status'], additionalProperties: true,
        properties: {
          id: { type: 'integer' }, status: { type: 'string', enum: ['accepted', 'duplicate', 'rejected'] },
          code: str, message: str, field: str,
        },
      },
    },
  },
};

export function deadLetterRoutes(app: FastifyInstance, deps: { engine: Engine | null; store: AnalyticsStore }) {
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
      response: { 200: listResponse },
    },
  }, async (req) => {
    const items = await listDeadLetters(deps.store, {
      code: req.query.code, afterId: req.query.after_id, limit: req.query.limit, pending: req.query.pending,
    });
    return { items, next_after_id: items.length ? items[items.length - 1].id : null };
  });

  app.post<{ Body: { ids?: number[]; code?: string; limit?: number } }>('/api/v1/dead-letters/replay', {
    config: { permission: 'analytics:ops', writer: true },
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
      response: { 200: replayResponse, 503: problem('ingest_stopped', 'store_unavailable') },
    },
  }, async (req) => {
    if (!deps.engine) throw new AppError('ingest_stopped', 'this process does not ingest (ROLE); replay on a consumer');
    return replayDeadLetters(deps.store, deps.engine, req.body ?? {});
  });
}
