// Every protected route passes the one admission gate (query/admission-gate.ts) before its
// handler runs: a request holds its place from then (authenticated, within its rate limit, body
// read and validated) until its answer has been handed to the socket or the client has gone, so
// serialising and sending a large answer count as much as computing it. A route opts out only
// with `admission: false` (ingest, which is paced by its own backpressure).

import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.ts';
import type { AdmissionGate } from '../query/admission-gate.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** false: not counted by the query admission (a route paced otherwise). Default: counted. */
    admission?: false;
  }
  interface FastifyRequest {
    /** Marks the handler done; the place is released once the response is closed too. */
    admissionHandled: (() => void) | null;
  }
}

/** Registers the gate's hooks; after the auth check and the rate limit, so callers they refuse never take a place. */
export function registerQueryAdmission(app: FastifyInstance, gate: AdmissionGate): void {
  app.decorateRequest('admissionHandled', null);
  app.addHook('preHandler', async (req, reply) => {
    const cfg = req.routeOptions.config;
    if (req.routeOptions.url === undefined || cfg.public || cfg.admission === false) return;
    // The place is released once both have happened: the handler is done (its answer built and
    // serialised: onSend) and the response is closed (sent, or the client left). A client that
    // leaves early does not free the place while its query still runs; one that leaves while
    // waiting leaves the queue.
    // Nothing to compute for a client already gone (its 'close' has been emitted already).
    if (reply.raw.destroyed) throw new AppError('bad_request', 'the client closed the connection');
    let closed = false;
    let handled = false;
    let leave: (() => void) | null = null;
    const gone = new AbortController();
    reply.raw.once('close', () => {
      closed = true;
      gone.abort(new AppError('bad_request', 'the client closed the connection'));
      if (handled) leave?.();
    });
    try {
      leave = await gate.enter(gone.signal);
    } catch (err) {
      if (err instanceof AppError && err.code === 'too_many_queries') reply.header('retry-after', String(gate.options.retryAfterSeconds));
      throw err;
    }
    req.admissionHandled = () => {
      handled = true;
      if (closed) leave!();
    };
  });
  // onSend runs once the handler (or the error handler) has produced the serialised payload,
  // even when the client has gone; onResponse (sent in full) implies it, as a second guard.
  app.addHook('onSend', async (req, _reply, payload) => {
    req.admissionHandled?.();
    return payload;
  });
  app.addHook('onResponse', async (req) => req.admissionHandled?.());
}
