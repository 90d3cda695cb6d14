// Who may open a live connection: the Origin check (browsers) and the token in `auth.token`,
// verified by the same verifier as REST. Refusals reach the client as connect_error with
// `data.code`.

import type { IncomingMessage } from 'node:http';
import type { Socket } from 'socket.io';
import { AppError } from '../errors.ts';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { Metrics } from '../observability/metrics-registry.ts';

/** Browsers send Origin: it must be this server's own or in the allowlist. Other clients send none. */
export function originAllowed(req: IncomingMessage, allow: string[]): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  if (allow.includes(origin)) return true;
  try {
    return new URL(origin).host === req.headers.host;
  } catch {
    return false;
  }
}

/** Socket.IO middleware: a verified principal with analytics:view in socket.data.principal. */
export function authenticate(verifier: TokenVerifier | null, metrics: Metrics) {
  return async (socket: Socket, next: (err?: Error) => void) => {
    try {
      const token = socket.handshake.auth?.token;
      if (typeof token !== 'string' || token === '') throw new AppError('unauthorized', 'a token is required in auth.token');
      if (!verifier) throw new AppError('unauthorized', 'no identity provider is configured on this server');
      const principal = await verifier(token);
      if (!principal.permissions.has('analytics:view')) throw new AppError('forbidden', 'live data needs the analytics:view permission');
      socket.data.principal = principal;
      next();
    } catch (err) {
      metrics.wsConnections.inc({ status: 'refused' });
      const e = err instanceof AppError ? err : new AppError('invalid_token', 'the token could not be verified');
      next(Object.assign(new Error(e.message), { data: { code: e.code } }));
    }
  };
}
