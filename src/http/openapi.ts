// The OpenAPI document's common parts, added once at route registration: a route file declares
// its success answer and the statuses only it gives; this hook adds the problem+json answers
// every route of its kind can give (401/403/429/503 behind the token check, 400 for parameters,
// 400/413/415 for bodies, 404 for ids, 500 always) and drops the security requirement of public
// routes. A documented route without a success schema stops the server at start, like a route
// without a permission (auth-hook.ts).

import type { FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { ERROR_STATUS, type ErrorCode } from '../errors.ts';

export const PROBLEM_SCHEMA_ID = 'Problem';

/** The merchant portal's routes: each passes the merchant scope check. */
export const MERCHANT_PREFIX = '/api/merchant/';

/** problem+json (RFC 9457) as src/http/problem.ts sends it; AppError details add fields. */
export const problemSchema = {
  $id: PROBLEM_SCHEMA_ID,
  type: 'object',
  description: 'An error (RFC 9457). `code` is stable; `type` links to its entry in GET /docs/errors.',
  required: ['type', 'title', 'status', 'code', 'detail'],
  properties: {
    type: { type: 'string', description: '/docs/errors#<code>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string', description: 'one of GET /docs/errors' },
    detail: { type: 'string', description: 'what was wrong, in English' },
  },
  additionalProperties: true,
};

/** A problem+json answer for the OpenAPI document (and Fastify's serializer). */
export function problem(...codes: ErrorCode[]) {
  return {
    description: codes.map((c) => `\`${c}\``).join(', '),
    content: { 'application/problem+json': { schema: { $ref: `${PROBLEM_SCHEMA_ID}#` } } },
  };
}

/** What a query over a range can refuse (analytics, metrics, raw events). */
export const QUERY_PROBLEMS = {
  400: problem('invalid_parameter', 'invalid_range', 'invalid_time_zone', 'unknown_metric', 'unknown_dimension'),
  422: problem('range_too_large', 'result_too_large', 'beyond_retention'),
};

/** No body (204). */
export const noContent = { description: 'done; no body', type: 'null' };

type Responses = Record<string, unknown>;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** The problem answers a route can give because of what it is, by status. */
export function commonResponses(route: Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>): Record<number, ErrorCode[]> {
  const out: Record<number, ErrorCode[]> = {};
  const add = (...codes: ErrorCode[]) => {
    for (const c of codes) (out[ERROR_STATUS[c]] ??= []).push(c);
  };
  const schema = route.schema ?? {};
  const methods = [route.method].flat().map(String);
  if (schema.querystring || schema.params || schema.body) add('invalid_parameter');
  if (methods.some((m) => BODY_METHODS.has(m))) add('invalid_json', 'payload_too_large', 'unsupported_media_type');
  if (route.url.includes('/:')) add('not_found');
  if (!route.config?.public) add('unauthorized', 'invalid_token', 'token_expired', 'forbidden', 'rate_limited', 'auth_unavailable');
  // A merchant filter: a merchant token asking for another merchant is refused.
  const query = schema.querystring as { properties?: Record<string, unknown> } | undefined;
  if (query?.properties?.merchant_id && !route.config?.public) add('forbidden_merchant');
  // The merchant portal's scope check (src/http/merchant-scope.ts): which merchant, and the audit of ops calls.
  if (route.url.startsWith(MERCHANT_PREFIX)) add('merchant_required', 'forbidden_merchant', 'state_unavailable');
  add('internal');
  return out;
}

/** Registered before any route: fills in every documented route's common answers and security. */
export function registerOpenApiDefaults(app: FastifyInstance): void {
  app.addSchema(problemSchema);
  app.addHook('onRoute', (route) => {
    const schema = route.schema;
    if (schema?.hide || String(route.method) === 'HEAD' || String(route.method) === 'OPTIONS') return;
    const responses = (schema?.response ?? {}) as Responses;
    if (!Object.keys(responses).some((s) => /^2\d\d$/.test(s))) {
      throw new Error(`route ${String(route.method)} ${route.url} documents no success answer (schema.response)`);
    }
    const added: Responses = {};
    for (const [status, codes] of Object.entries(commonResponses(route))) {
      if (!(status in responses)) added[status] = problem(...codes);
    }
    route.schema = {
      ...schema,
      ...(route.config?.public ? { security: [] } : {}),
      response: { ...responses, ...added },
    };
  });
}

export const OPENAPI_OPTIONS: NonNullable<FastifyDynamicSwaggerOptions['openapi']> = {
  openapi: '3.1.0',
  info: {
    title: 'Molam Analytics API',
    version: '1',
    description: [
      'Payments analytics: KPIs, series, rankings, raw events, ingest, FX rates and alerts.',
      'Errors are `application/problem+json` with a stable `code`: the catalogue is GET /docs/errors (HTML or JSON).',
      'Live updates (Socket.IO on the same port) are described by the AsyncAPI document GET /docs/asyncapi.json.',
    ].join('\n\n'),
  },
  tags: [
    { name: 'analytics' }, { name: 'merchant' }, { name: 'alerts' }, { name: 'ingest' }, { name: 'fx' }, { name: 'ops' }, { name: 'auth' },
    { name: 'mesh' }, { name: 'custom-events' }, { name: 'docs' }, { name: 'dev' },
  ],
  components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  security: [{ bearer: [] }],
};
