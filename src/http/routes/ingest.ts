// POST /api/v1/events — one event (JSON object), a JSON array, NDJSON or CSV. Answers once the
// batch is durable, with counts and the index, status and code of every event not accepted.
// Good events are kept even when others in the same body are rejected.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
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

type Framers = Record<string, (buf: Buffer) => Framed>;

/**
 * Sets a route scope to read bodies of the framers' media types as bytes (no JSON decoded before
 * the contract's bounds are checked; each event keeps its text as sent), refusing any other type.
 */
export function acceptFramedBodies(scope: FastifyInstance, framers: Framers, maxBodyBytes: number): void {
  scope.removeAllContentTypeParsers();
  scope.addContentTypeParser(Object.keys(framers), { parseAs: 'buffer', bodyLimit: maxBodyBytes }, (_req, body, done) => done(null, body));
  scope.addContentTypeParser('*', (req, _payload, done) => done(new AppError('unsupported_media_type',
    `${req.headers['content-type'] ?? 'a body without a content type'} is not accepted; send ${Object.keys(framers).join(', ')}`)));
}

/** The request's events, framed by its media type: at least one, at most `maxBatchEvents`. */
export function framedBody(req: FastifyRequest, framers: Framers, maxBatchEvents: number): Framed {
  if (!Buffer.isBuffer(req.body)) throw new AppError('bad_request', 'the body holds no events');
  const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  const framed = framers[mediaType](req.body);
  if (framed.items.length === 0) throw new AppError('bad_request', 'the body holds no events');
  if (framed.items.length > maxBatchEvents) {
    throw new AppError('payload_too_large', `at most ${maxBatchEvents} events per request (INGEST_MAX_BATCH_EVENTS)`);
  }
  return framed;
}

/**
 * A batch's answer: its summary, 200 when any event was kept (or was a duplicate), 422 when none;
 * 503 with Retry-After when the store or the source cannot take it now.
 */
export async function answerBatch(reply: FastifyReply, submit: () => Promise<ItemResult[]>): Promise<FastifyReply> {
  try {
    const summary = summarize(await submit());
    return reply.code(summary.accepted + summary.duplicates === 0 ? 422 : 200).send(summary);
  } catch (err) {
    if (err instanceof StoreUnavailableError || err instanceof SourceStoppedError) {
      reply.header('retry-after', '1');
      return sendProblem(reply, 503, err.code, err.message);
    }
    throw err;
  }
}

export function ingestRoutes(app: FastifyInstance, deps: { source: HttpSource; maxBatchEvents: number; maxBodyBytes: number }) {
  // Its own scope: this route reads every body as bytes and frames it itself, so no JSON is
  // decoded before the contract's bounds are checked, and each event keeps its bytes as sent.
  app.register(async (scope) => {
    acceptFramedBodies(scope, FRAMERS, deps.maxBodyBytes);
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
      const { items, refused } = framedBody(req, FRAMERS, deps.maxBatchEvents);
      return answerBatch(reply, () => deps.source.submit(items, refused));
    });
  });
}
