// The documentation pages beside the OpenAPI document (/docs, /docs/json):
// GET /docs/errors — the error catalogue every problem+json `type` links to (/docs/errors#code):
// each code with its status, meaning and what to do, and the per-event rejection codes of payment
// ingest and of tracked custom events. Generated from src/errors.ts, src/events/rejection-docs.ts
// and TRACK_CODE_DOCS (src/custom-events/tracked-event.ts); HTML for browsers (an `id` per
// code), JSON otherwise (content negotiation on Accept).
// GET /docs/asyncapi.json — the live WebSocket API (src/live/live-asyncapi.ts).
// Public, like the rest of /docs.

import type { FastifyInstance } from 'fastify';
import { ERROR_DOCS, ERROR_STATUS, type ErrorCode } from '../../errors.ts';
import { REJECTION_CODES } from '../../events/contract.ts';
import { REJECTION_DOCS } from '../../events/rejection-docs.ts';
import { TRACK_CODE_DOCS } from '../../custom-events/tracked-event.ts';
import { problemType } from '../problem.ts';
import { liveAsyncApi } from '../../live/live-asyncapi.ts';

/** The anchor of an ingest rejection code (some share a name with a request-level code). */
export const rejectionAnchor = (code: string) => `event-${code}`;
/** The anchor of a tracked custom event's rejection code. */
export const trackAnchor = (code: string) => `track-${code}`;

export function errorCatalogue() {
  const errors = (Object.keys(ERROR_STATUS) as ErrorCode[])
    .map((code) => ({ code, status: ERROR_STATUS[code], type: problemType(code), ...ERROR_DOCS[code] }))
    .sort((a, b) => a.status - b.status || a.code.localeCompare(b.code));
  const rejections = REJECTION_CODES.map((code) => ({ code, anchor: rejectionAnchor(code), meaning: REJECTION_DOCS[code] }));
  const tracked = Object.entries(TRACK_CODE_DOCS).map(([code, meaning]) => ({ code, anchor: trackAnchor(code), meaning }));
  return { errors, event_rejections: rejections, track_rejections: tracked };
}

const entry = {
  type: 'object', additionalProperties: false, required: ['code', 'status', 'type', 'meaning', 'action'],
  properties: {
    code: { type: 'string' }, status: { type: 'integer' }, type: { type: 'string', description: 'the problem `type` that links here' },
    meaning: { type: 'string' }, action: { type: 'string', description: 'what the client should do' },
  },
};
const rejection = {
  type: 'object', additionalProperties: false, required: ['code', 'anchor', 'meaning'],
  properties: { code: { type: 'string' }, anchor: { type: 'string' }, meaning: { type: 'string' } },
};
export const catalogueSchema = {
  type: 'object', additionalProperties: false, required: ['errors', 'event_rejections', 'track_rejections'],
  properties: {
    errors: { type: 'array', items: entry, description: 'request-level codes (problem+json)' },
    event_rejections: { type: 'array', items: rejection, description: 'per-event codes in the results of POST /api/v1/events and in dead letters' },
    track_rejections: { type: 'array', items: rejection, description: 'per-event codes in the results of POST /api/v1/track and in dead letters (source `track`)' },
  },
};

/** Whether Accept prefers HTML to JSON (a browser); ties and no Accept go to JSON. */
export function prefersHtml(accept: string | undefined): boolean {
  const q = { html: 0, json: 0 };
  const specificity = { html: -1, json: -1 };
  for (const part of (accept ?? '').split(',')) {
    const [range, ...params] = part.trim().toLowerCase().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(weight)) continue;
    for (const [kind, type] of [['html', 'text/html'], ['json', 'application/json']] as const) {
      const s = range === type ? 2 : range === `${type.split('/')[0]}/*` ? 1 : range === '*/*' ? 0 : -1;
      if (s > specificity[kind]) {
        specificity[kind] = s;
        q[kind] = weight;
      }
    }
  }
  return q.html > q.json;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** Escapes, then shows `code spans` as <code>. */
const text = (s: string) => escapeHtml(s).replace(/`([^`]+)`/g, '<code>$1</code>');

export function catalogueHtml(c = errorCatalogue()): string {
  const rows = c.errors.map((e) => `<tr id="${e.code}"><td><a href="#${e.code}"><code>${e.code}</code></a></td><td>${e.status}</td>`
    + `<td>${text(e.meaning)}</td><td>${text(e.action)}</td></tr>`).join('\n');
  const list = (rs: ReadonlyArray<{ code: string; anchor: string; meaning: string }>) => rs.map((r) => `<tr id="${r.anchor}"><td><a href="#${r.anchor}"><code>${r.code}</code></a></td>`
    + `<td>${text(r.meaning)}</td></tr>`).join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>Molam Analytics — errors</title>
<style>
body{font:15px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:70rem;padding:0 1rem;color:#1d1d1f}
table{border-collapse:collapse;width:100%} th,td{text-align:left;vertical-align:top;padding:.4rem .6rem;border-bottom:1px solid #ddd}
tr:target{background:#fff6d5} code{font-size:.92em}
</style></head><body>
<h1>Errors</h1>
<p>Every error answer is <code>application/problem+json</code> (RFC 9457): <code>{type, title, status, code, detail}</code>,
and sometimes more fields. <code>code</code> is stable; <code>type</code> links to its row below.
The same list as JSON: <code>GET /docs/errors</code> with <code>Accept: application/json</code>. The API: <a href="/docs">/docs</a>.</p>
<table><thead><tr><th>code</th><th>status</th><th>meaning</th><th>what to do</th></tr></thead><tbody>
${rows}
</tbody></table>
<h2 id="event-rejections">Ingest rejection codes</h2>
<p>Per event, in the <code>results</code> of <code>POST /api/v1/events</code> (the request itself succeeds, or answers 422 when no
event was accepted) and in dead letters. Each carries <code>code</code>, <code>message</code> and, when one field is at fault,
<code>field</code>. The event contract is docs/events.md in the repository.</p>
<table><thead><tr><th>code</th><th>meaning</th></tr></thead><tbody>
${list(c.event_rejections)}
</tbody></table>
<h2 id="track-rejections">Tracked event rejection codes</h2>
<p>Per event, in the <code>results</code> of <code>POST /api/v1/track</code> (custom events; the same summary as above) and in
dead letters of source <code>track</code>. Some codes share a name and meaning with the payment codes, for the envelope of a
tracked event (<code>event_type</code>, <code>timestamp</code>, <code>properties</code>). Custom events are docs/custom-events.md in the repository.</p>
<table><thead><tr><th>code</th><th>meaning</th></tr></thead><tbody>
${list(c.track_rejections)}
</tbody></table>
</body></html>
`;
}

export function docsRoutes(app: FastifyInstance): void {
  const html = catalogueHtml();
  const json = errorCatalogue();
  app.get('/docs/errors', {
    config: { public: true },
    schema: {
      tags: ['docs'],
      summary: 'The error catalogue: every code with its status, meaning and what to do (HTML for browsers, else JSON)',
      response: {
        200: {
          description: 'the catalogue, as Accept asks',
          content: { 'application/json': { schema: catalogueSchema }, 'text/html': { schema: { type: 'string' } } },
        },
      },
    },
  }, async (req, reply) => {
    reply.header('vary', 'Accept');
    if (prefersHtml(req.headers.accept)) return reply.type('text/html; charset=utf-8').send(html);
    return reply.type('application/json; charset=utf-8').send(json);
  });

  const asyncApi = liveAsyncApi();
  app.get('/docs/asyncapi.json', {
    config: { public: true },
    schema: {
      tags: ['docs'],
      summary: 'The live WebSocket API (Socket.IO): an AsyncAPI 3.0 document',
      response: { 200: { type: 'object', additionalProperties: true, description: 'AsyncAPI 3.0' } },
    },
  }, async () => asyncApi);
}
