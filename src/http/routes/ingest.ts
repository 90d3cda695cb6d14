// POST /api/v1/events — one event (JSON object), a JSON array, NDJSON or CSV. Answers once the
// batch is durable, with counts and the index, status and code of every event not accepted.
// Good events are kept even when others in the same body are rejected.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { StoreUnavailableError } from '../../ingest/engine.ts';
import { SourceStoppedError } from '../../ingest/sources/source.ts';
import type { HttpSource } from '../../ingest/sources/http-source.ts';
import type { ItemResult } from '../../ingest/prepare-batch.ts';
import { frameCsv, frameJson, frameNdjson, type Framed } from '../../ingest/frame-events.ts';
import { sendProblem } from '../problem.ts';
import { problem } from '../openapi.ts';

const int = { type: 'integer', minimum: 0 };
/** What summarize() answers: counts, and one entry per event not accepted. */
export const ingestSummary = {
  type: 'object',
  // Open, like every row-shaped answer: a field summarize() gains is never dropped by the serializer.
  additionalProperties: true,
  required: ['received', 'accepted', 'duplicates', 'rejected', 'results'],
  properties: {
    received: int, accepted: int, duplicates: int, rejected: int,
    results: {
      type: 'array',
      description: 'every event not accepted, in body order',
      items: {
        type: 'object',
        required: ['index', 'status'],
        additionalProperties: true,
        properties: {
          index: { ...int, description: 'position of the event among the events of the body (0-based)' },
          status: { type: 'string', enum: ['duplicate', 'rejected'] },
          code: { type: 'string', description: 'rejected only: a rejection code, /docs/errors#event-<code>' },
          message: { type: 'string' },
          field: { type: 'string', description: 'the field at fault, when one is' },
        },
      },
    },
  },
};

export function summarize(results: ItemResult[]) {
  let accepted = 0;
  let duplicates = 0;
  let rejected = 0;
  const notAccepted: Array<{ index: number } & ItemResult> = [];
  results.forEach((r, index) => {
    if (r.status === 'accepted') accepted++;
    else {
      if (r.status === 'duplicate') duplicates++;
      else rejected++;
      notAccepted.push({ index, ...r });
    }
  });
  return { received: results.length, accepted, duplicates, rejected, results: notAccepted };
}

/** How each accepted media type is cut into events (frame-events.ts). */
const FRAMERS: Record<string, (buf: Buffer) => Framed> = {
  'application/json': frameJson,
  'application/x-ndjson': frameNdjson,
  'application/ndjson': frameNdjson,
  'text/csv': frameCsv,
};

export function ingestRoutes(app: FastifyInstance, deps: { source: HttpSource; maxBatchEvents: number; maxBodyBytes: number }) {
  // Its own scope: this route reads every body as bytes and frames it itself, so no JSON is
  // decoded before the contract's bounds are checked, and each event keeps its bytes as sent.
  app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser(Object.keys(FRAMERS), { parseAs: 'buffer', bodyLimit: deps.maxBodyBytes }, (_req, body, done) => done(null, body));
    scope.addContentTypeParser('*', (req, _payload, done) => done(new AppError('unsupported_media_type',
      `${req.headers['content-type'] ?? 'a body without a content type'} is not accepted; send ${Object.keys(FRAMERS).join(', ')}`)));
    scope.post('/api/v1/events', {
      // Paced by the engine's backpressure (503), not by the query admission.
      config: { permission: 'events:write', admission: false, writer: true },
      schema: {
        tags: ['ingest'],
        summary: 'Ingest events: a JSON object, a JSON array, NDJSON (application/x-ndjson) or CSV (text/csv)',
        response: {
          200: { ...ingestSummary, description: 'durable; at least one event accepted or a duplicate' },
          422: { ...ingestSummary, description: 'no event was accepted (each one\'s code is in results)' },
          400: problem('bad_request', 'invalid_json', 'invalid_csv', 'invalid_encoding'),
          503: problem('store_unavailable', 'ingest_stopped', 'auth_unavailable'),
        },
      },
    }, async (req, reply) => {
      if (!Buffer.isBuffer(req.body)) throw new AppError('bad_request', 'the body holds no events');
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const { items, refused } = FRAMERS[mediaType](req.body);
      if (items.length === 0) throw new AppError('bad_request', 'the body holds no events');
      if (items.length > deps.maxBatchEvents) {
        throw new AppError('payload_too_large', `at most ${deps.maxBatchEvents} events per request (INGEST_MAX_BATCH_EVENTS)`);
      }
      try {
        const results = await deps.source.submit(items, refused);
        const summary = summarize(results);
        return reply.code(summary.accepted + summary.duplicates === 0 ? 422 : 200).send(summary);
      } catch (err) {
        if (err instanceof StoreUnavailableError || err instanceof SourceStoppedError) {
          reply.header('retry-after', '1');
          return sendProblem(reply, 503, err.code, err.message);
        }
        throw err;
      }
    });
  });
}
