// The merchant's disputes and their evidence (src/merchant/disputes.ts, dispute-evidence.ts):
// GET /api/merchant/disputes[/:id], POST …/:id/evidence (multipart, streamed), GET and DELETE
// …/:id/evidence/:evidenceId, POST …/:id/submit.

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { MAX_ID } from '../../events/parse-event.ts';
import { DISPUTE_STATUSES, getDispute, listDisputes, MAX_DISPUTE_PAGE, type DisputeStatus } from '../../merchant/disputes.ts';
import {
  checkDescription, deleteEvidence, discard, MAX_DESCRIPTION, openEvidence, receiveEvidenceFile, recordEvidence, submitDispute,
  type EvidenceDeps, type ReceivedFile,
} from '../../merchant/dispute-evidence.ts';
import { csv, parseInstant, readLimit, type Query } from '../analytics-params.ts';
import { merchantHeaderSchema, merchantScopeOf, originOf } from '../merchant-scope.ts';
import { noContent, problem } from '../openapi.ts';
import { disputeDetail, disputePage, evidenceSchema, submission } from '../merchant-schemas.ts';

const permission = { permission: 'merchant:disputes' as const };
const id = { type: 'string', minLength: 1, maxLength: MAX_ID, description: 'the dispute_id' };
const disputeParams = { type: 'object', required: ['id'], properties: { id } };
const evidenceParams = {
  type: 'object', required: ['id', 'evidenceId'],
  properties: { id, evidenceId: { type: 'string', minLength: 1, maxLength: 64, description: 'the evidence id (ev_…)' } },
};
const noQuery = { type: 'object', additionalProperties: false, properties: {} };
const binary = { type: 'string', format: 'binary' };

/** The text fields an upload may carry besides its one file. */
const UPLOAD_FIELDS = new Set(['description']);

export function merchantDisputeRoutes(app: FastifyInstance, deps: EvidenceDeps) {
  app.get<{ Querystring: Query }>('/api/merchant/disputes', {
    config: permission,
    schema: {
      tags: ['merchant'],
      summary: 'The merchant\'s disputes (dispute_created events), newest first, keyset-paginated',
      headers: merchantHeaderSchema,
      querystring: {
        type: 'object', additionalProperties: false,
        properties: {
          status: { type: 'string', maxLength: 256, description: `comma-separated: ${DISPUTE_STATUSES.join(', ')}` },
          from: { type: 'string', maxLength: 64, description: 'opened at or after (RFC 3339)' },
          to: { type: 'string', maxLength: 64, description: 'opened before (RFC 3339)' },
          cursor: { type: 'string', maxLength: 1024, description: 'next_cursor of the previous page' },
          limit: { type: 'string', pattern: '^[0-9]{1,4}$', description: `page size, 1–${MAX_DISPUTE_PAGE} (default 50)` },
        },
      },
      response: { 200: disputePage, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => {
    const q = req.query;
    const statuses = csv(q.status, 'status');
    for (const s of statuses) {
      if (!(DISPUTE_STATUSES as readonly string[]).includes(s)) throw new AppError('invalid_parameter', `unknown status ${JSON.stringify(s.slice(0, 40))}; expected ${DISPUTE_STATUSES.join(', ')}`);
    }
    return listDisputes(deps, merchantScopeOf(req).merchantId, {
      statuses: statuses as DisputeStatus[],
      from: q.from === undefined ? undefined : parseInstant('from', q.from, 0),
      to: q.to === undefined ? undefined : parseInstant('to', q.to, 0),
    }, { cursor: q.cursor, limit: readLimit(q.limit, 50, MAX_DISPUTE_PAGE) });
  });

  app.get<{ Params: { id: string } }>('/api/merchant/disputes/:id', {
    config: permission,
    schema: {
      tags: ['merchant'],
      summary: 'One dispute, its deadline and its evidence (another merchant\'s is 404, like a missing one)',
      headers: merchantHeaderSchema, params: disputeParams, querystring: noQuery,
      response: { 200: disputeDetail, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getDispute(deps, merchantScopeOf(req).merchantId, req.params.id));

  app.post<{ Params: { id: string } }>('/api/merchant/disputes/:id/evidence', {
    config: permission,
    schema: {
      tags: ['merchant'],
      summary: 'Upload one evidence file (multipart/form-data: an optional `description` field, then the `file` part): a draft until submitted',
      description: `A PDF, PNG or JPEG, judged from its bytes; at most DISPUTE_EVIDENCE_MAX_FILE_BYTES, and per dispute DISPUTE_EVIDENCE_MAX_TOTAL_BYTES and DISPUTE_EVIDENCE_MAX_FILES. \`description\` is at most ${MAX_DESCRIPTION} characters. The file name is kept only as a cleaned display name.`,
      headers: merchantHeaderSchema, params: disputeParams, querystring: noQuery,
      consumes: ['multipart/form-data'],
      response: {
        201: evidenceSchema,
        400: problem('invalid_parameter', 'bad_request', 'merchant_required', 'file_size_mismatch'),
        409: problem('dispute_submitted', 'dispute_expired'),
        413: problem('file_too_large', 'evidence_limit_exceeded', 'payload_too_large'),
        415: problem('unsupported_media_type'),
        422: problem('file_refused'),
        503: problem('file_store_unavailable', 'file_store_denied', 'state_unavailable'),
      },
    },
  }, async (req, reply) => {
    const scope = merchantScopeOf(req);
    const disputeId = req.params.id;
    let received: ReceivedFile | null = null;
    try {
      let description: string | null = null;
      for await (const part of partsOf(req)) {
        if (part.type === 'field') {
          if (!UPLOAD_FIELDS.has(part.fieldname) || received) {
            throw new AppError('invalid_parameter', `unexpected field ${JSON.stringify(part.fieldname.slice(0, 40))}: only description, before the file`);
          }
          if (part.valueTruncated) throw new AppError('invalid_parameter', `description is at most ${MAX_DESCRIPTION} characters`);
          description = checkDescription(String(part.value));
        } else {
          if (part.fieldname !== 'file' || received) throw new AppError('invalid_parameter', 'one file, in the part named file');
          received = await receiveEvidenceFile(deps, scope.merchantId, disputeId, part.file, part.filename);
        }
      }
      if (!received) throw new AppError('invalid_parameter', 'no file: send it in the part named file');
      const item = await recordEvidence(deps, scope, originOf(req), disputeId, received, description);
      received = null; // recorded: no longer ours to discard
      return reply.code(201).send(item);
    } catch (err) {
      if (received) await discard(deps, received.key);
      // Refused before the body's end (too large, bad bytes): close the connection after the
      // answer rather than read the rest of what the client still sends.
      if (!req.raw.complete) reply.header('connection', 'close');
      throw err;
    }
  });

  app.get<{ Params: { id: string; evidenceId: string } }>('/api/merchant/disputes/:id/evidence/:evidenceId', {
    config: permission,
    schema: {
      tags: ['merchant'],
      summary: 'Download one evidence file: always an attachment, nosniff, sandboxed',
      headers: merchantHeaderSchema, params: evidenceParams, querystring: noQuery,
      response: {
        200: { description: 'the file', content: { 'application/pdf': { schema: binary }, 'image/png': { schema: binary }, 'image/jpeg': { schema: binary } } },
        400: problem('invalid_parameter', 'merchant_required'),
        503: problem('file_store_unavailable', 'file_store_denied', 'state_unavailable'),
      },
    },
  }, async (req, reply) => {
    const file = await openEvidence(deps, merchantScopeOf(req).merchantId, req.params.id, req.params.evidenceId);
    return reply.headers(file.headers).send(file.body);
  });

  app.delete<{ Params: { id: string; evidenceId: string } }>('/api/merchant/disputes/:id/evidence/:evidenceId', {
    config: permission,
    schema: {
      tags: ['merchant'], summary: 'Delete a draft evidence file (audited); refused once the dispute is submitted',
      headers: merchantHeaderSchema, params: evidenceParams, querystring: noQuery,
      response: { 204: noContent, 400: problem('invalid_parameter', 'merchant_required'), 409: problem('dispute_submitted') },
    },
  }, async (req, reply) => {
    await deleteEvidence(deps, merchantScopeOf(req), originOf(req), req.params.id, req.params.evidenceId);
    return reply.code(204).send();
  });

  app.post<{ Params: { id: string } }>('/api/merchant/disputes/:id/submit', {
    config: permission,
    schema: {
      tags: ['merchant'], summary: 'Submit the dispute\'s response: its evidence is locked from then on (audited)',
      headers: merchantHeaderSchema, params: disputeParams, querystring: noQuery,
      response: {
        200: submission, 400: problem('invalid_parameter', 'merchant_required'),
        409: problem('dispute_submitted', 'dispute_expired'), 422: problem('evidence_required'),
      },
    },
  }, async (req) => submitDispute(deps, merchantScopeOf(req), originOf(req), req.params.id));
}

/** The request's multipart parts; any other body is 415. */
function partsOf(req: FastifyRequest) {
  if (!req.isMultipart()) throw new AppError('unsupported_media_type', 'send multipart/form-data');
  return req.parts();
}
