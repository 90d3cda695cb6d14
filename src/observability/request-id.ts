// Request ids: a caller's well-formed x-request-id is kept (so one id follows a request across
// services), anything else gets a fresh UUID. Fastify puts the id on every request log line
// (`reqId`); the response echoes it in x-request-id.

import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';

const VALID_REQUEST_ID = /^[A-Za-z0-9._-]{1,128}$/;

/** For Fastify's `genReqId` option (with `requestIdHeader: false`, or Fastify skips it). */
export function genReqId(req: IncomingMessage): string {
  const id = req.headers['x-request-id'];
  return typeof id === 'string' && VALID_REQUEST_ID.test(id) ? id : randomUUID();
}

export function registerRequestIdHeader(app: FastifyInstance): void {
  app.addHook('onRequest', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
}
