// The state store's edge for outages: a lost or refused connection (PostgreSQL down, restarting,
// unreachable; PGlite closed) becomes one expected error, AppError('state_unavailable') — a 503
// with Retry-After — instead of a 500 in every route that touches alerts. Errors of the
// statements themselves (constraints, syntax, AppErrors thrown inside a transaction) pass
// through unchanged. The pg pool reconnects on the next query by itself; nothing here retries.

import { AppError } from '../errors.ts';
import type { Queryable, SqlParam, StateStore } from './state-store.ts';

/** Socket-level failures: the server is not there, or went away. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED', 'ECONNRESET', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
]);

/** Driver messages for a connection lost or never made (pg and PGlite raise plain Errors for these). */
const LOST_CONNECTION = [
  /^Connection terminated/, // pg: the socket closed (also "… due to connection timeout")
  /^timeout exceeded when trying to connect/, // pg-pool: connectionTimeoutMillis
  /has encountered a connection error and is not queryable/, // pg: a client whose socket died
  /^Cannot use a pool after calling end on the pool/, // pg-pool: shutting down
  /^PGlite is closed/, // PGlite: closed (shutdown) or aborted
];

/**
 * Whether `err` says the state store cannot be reached (as opposed to a statement that failed).
 * SQLSTATE class 08 is "connection exception"; 57P01-57P03 are the server shutting down or
 * starting; 53300 is "too many connections" — all of them pass if one retries later.
 */
export function isStateUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err instanceof AppError) return err.code === 'state_unavailable';
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') return true;
  }
  // Node wraps the attempts of a dual-stack connect in an AggregateError (its code is on the inner errors).
  if (err instanceof AggregateError) return err.errors.some(isStateUnavailable);
  return LOST_CONNECTION.some((re) => re.test(err.message));
}

/** `details.state_store` says why: `unreachable` (an outage) or `starting` (not open yet). */
export function stateUnavailable(
  why = 'the state store (alerts, webhooks) cannot be reached; retry later',
  details: { state_store: 'unreachable' | 'starting' } = { state_store: 'unreachable' },
): AppError {
  return new AppError('state_unavailable', why, details);
}

function mapped<T>(p: Promise<T>): Promise<T> {
  return p.catch((err: unknown) => {
    throw isStateUnavailable(err) && !(err instanceof AppError) ? stateUnavailable() : err;
  });
}

/** The same store, its outages turned into AppError('state_unavailable'). */
export function guardStateStore(store: StateStore): StateStore {
  let closing: Promise<void> | null = null;
  return {
    kind: store.kind,
    query: <T>(sql: string, params?: readonly SqlParam[]) => mapped(store.query<T>(sql, params)),
    transaction: <T>(fn: (q: Queryable) => Promise<T>) => mapped(store.transaction(fn)),
    tryLock: (key) => mapped(store.tryLock(key)),
    holdsLock: (key) => store.holdsLock(key),
    unlock: (key) => mapped(store.unlock(key)),
    ...(store.dumpDataDir ? { dumpDataDir: () => mapped(store.dumpDataDir!()) } : {}),
    close: () => (closing ??= store.close()), // once: shutdown paths may close it twice
  };
}
