// POST /api/v1/track — custom events (docs/custom-events.md): one event (a JSON object), a JSON
// array, or NDJSON, each `{event_type, event_id?, user_id?, session_id?, timestamp, properties}`.
// The payment ingest's rules: answered once the batch is durable, good events kept when others
// are refused, refused ones dead-lettered with their text, a resent event_id a duplicate.
// Use case: src/custom-events/track-events.ts.

import type { FastifyInstance } from 'fastify';
import { frameJson, frameNdjson, type Framed } from '../../ingest/frame-events.ts';
import { trackEvents, type TrackDeps } from '../../custom-events/track-events.ts';
import { problem } from '../openapi.ts';
import { acceptFramedBodies, answerBatch, framedBody, ingestSummary } from './ingest.ts';

const FRAMERS: Record<string, (buf: Buffer) => Framed> = {
  'application/json': frameJson,
  'application/x-ndjson': frameNdjson,
  'application/ndjson': frameNdjson,
};

export function trackRoutes(app: FastifyInstance, deps: TrackDeps & { maxBatchEvents: number; maxBodyBytes: number }) {
  // Its own scope, as POST /api/v1/events: bodies are framed as bytes, each event keeps its text.
  app.register(async (scope) => {
    acceptFramedBodies(scope, FRAMERS, deps.maxBodyBytes);
    scope.post('/api/v1/track', {
      config: { permission: 'events:track', admission: false, writer: true },
      schema: {
        tags: ['custom-events'],
        summary: 'Track custom events: a JSON object, a JSON array or NDJSON of {event_type, event_id?, user_id?, session_id?, timestamp, properties}',
        description: 'Checked against the latest definition of each type (GET /api/v1/custom-events); a type without one is kept and counted, not aggregated. '
          + 'Without event_id, the id is made from the content (a resend is a duplicate). Answered once durable.',
        response: {
          200: { ...ingestSummary, description: 'durable; at least one event accepted or a duplicate' },
          422: { ...ingestSummary, description: 'no event was accepted (each one\'s code is in results)' },
          400: problem('bad_request', 'invalid_json', 'invalid_encoding'),
          413: problem('payload_too_large'),
          415: problem('unsupported_media_type'),
          503: problem('store_unavailable', 'ingest_stopped', 'state_unavailable', 'auth_unavailable'),
        },
      },
    }, async (req, reply) => {
      const framed = framedBody(req, FRAMERS, deps.maxBatchEvents);
      return answerBatch(reply, () => trackEvents(deps, framed));
    });
  });
}
