// POST /api/v1/events — one event (JSON object), a JSON array, or NDJSON. Answers once the
// batch is durable, with counts and the index, status and code of every event not accepted.
// Good events are kept even when others in the same body are rejected.

import type { FastifyInstance } from 'fastify';
import { AppError } from '../../errors.ts';
import { StoreUnavailableError, type Engine } from '../../ingest/engine.ts';
import type { ItemResult } from '../../ingest/prepare-batch.ts';
import { sendProblem } from '../problem.ts';

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

export function splitNdjson(body: string): string[] {
  const lines = body.split('\n');
  const items: string[] = [];
  for (const l of lines) {
    const line = l.endsWith('\r') ? l.slice(0, -1) : l;
    if (line.trim() !== '') items.push(line);
  }
  return items;
}

export function ingestRoutes(app: FastifyInstance, deps: { engine: Engine; maxBatchEvents: number }) {
  app.post('/api/v1/events', {
    // Paced by the engine's backpressure (503), not by the query admission.
    config: { permission: 'events:write', admission: false },
    schema: {
      tags: ['ingest'],
      summary: 'Ingest events: a JSON object, a JSON array, or NDJSON (application/x-ndjson)',
    },
  }, async (req, reply) => {
    const body = req.body;
    let items: unknown[];
    const values = typeof body !== 'string';
    if (typeof body === 'string') items = splitNdjson(body);
    else if (Array.isArray(body)) items = body;
    else if (body !== null && typeof body === 'object') items = [body];
    else throw new AppError('bad_request', 'expected a JSON object, a JSON array or NDJSON');
    if (items.length === 0) throw new AppError('bad_request', 'the body holds no events');
    if (items.length > deps.maxBatchEvents) {
      throw new AppError('payload_too_large', `at most ${deps.maxBatchEvents} events per request (INGEST_MAX_BATCH_EVENTS)`);
    }
    try {
      const results = await deps.engine.submit({ source: 'http', position: null, items, values });
      const summary = summarize(results);
      return reply.code(summary.accepted + summary.duplicates === 0 ? 422 : 200).send(summary);
    } catch (err) {
      if (err instanceof StoreUnavailableError) {
        reply.header('retry-after', '1');
        return sendProblem(reply, 503, 'store_unavailable', err.message);
      }
      throw err;
    }
  });
}
