// Error rendering: AppError → problem+json (RFC 9457) with its stable code; Fastify's own
// client errors are mapped to the code of their status; anything else is logged and answered
// with a generic 500. Every code sent is one of src/errors.ts, documented at /docs/errors.

import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_STATUS, type ErrorCode } from '../errors.ts';

/** The `type` URI of a code: its entry in the error catalogue. */
export const problemType = (code: ErrorCode) => `/docs/errors#${code}`;

/** What a 503 tells clients to wait before retrying (a lost database connection is replaced in seconds). */
export const RETRY_AFTER_SECONDS = 5;

export function sendProblem(reply: FastifyReply, status: number, code: ErrorCode, detail: string, extra?: Record<string, unknown>) {
  return reply
    .code(status)
    .type('application/problem+json')
    .send({ type: problemType(code), title: code.replaceAll('_', ' '), status, code, detail, ...extra });
}

/** Fastify's client errors (body parsing, URL decoding…) by status; any other 4xx is a bad request. */
const FRAMEWORK_CODES: Record<number, ErrorCode> = { 404: 'not_found', 413: 'payload_too_large', 415: 'unsupported_media_type' };

export function errorHandler(err: FastifyError | Error, req: FastifyRequest, reply: FastifyReply) {
  if (err instanceof AppError) {
    if (err.status === 401) reply.header('www-authenticate', `Bearer realm="molam-analytics", error="${err.code === 'unauthorized' ? 'invalid_request' : 'invalid_token'}"`);
    // A 503 is temporary by definition: say when to come back, unless the route already did.
    if (err.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
    return sendProblem(reply, err.status, err.code, err.message, err.details);
  }
  const fe = err as FastifyError;
  if (fe.validation) return sendProblem(reply, 400, 'invalid_parameter', fe.message);
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return sendProblem(reply, 413, 'payload_too_large', 'the request body is too large');
  if (fe.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || fe.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
    return sendProblem(reply, 400, 'invalid_json', 'the body is not valid JSON');
  }
  if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = FRAMEWORK_CODES[fe.statusCode] ?? 'bad_request';
    return sendProblem(reply, ERROR_STATUS[code], code, fe.message);
  }
  req.log.error({ err }, 'unhandled error');
  return sendProblem(reply, 500, 'internal', 'an internal error occurred');
}
