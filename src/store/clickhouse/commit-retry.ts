// Which failures of a commit are worth another try, and how long to wait before it. A commit
// that fails this way is not reported: the backend removes what the failed attempt wrote
// (recover.ts) and writes the whole batch again (open-clickhouse-backend.ts). Anything else (a
// refused row, a missing table, an error of ours) fails the batch at once, as before.

import { isResetSocket, serverErrorCode } from './connection.ts';

/**
 * Server error codes that say "not now" rather than "never": the server is busy or short of
 * something that frees itself, or the connection broke. By name: TIMEOUT_EXCEEDED,
 * TOO_MANY_SIMULTANEOUS_QUERIES, NO_FREE_CONNECTION, SOCKET_TIMEOUT, NETWORK_ERROR,
 * MEMORY_LIMIT_EXCEEDED, TOO_MANY_PARTS (merges behind inserts), UNKNOWN_STATUS_OF_INSERT.
 */
const TRANSIENT_CODES = new Set([159, 202, 203, 209, 210, 241, 252, 319]);

/** Node's errors of a connection that could not be made or was given up (a server restarting). */
const TRANSIENT_SOCKET = new Set(['ECONNREFUSED', 'ECONNABORTED', 'ETIMEDOUT']);

export function isTransientFailure(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const code = serverErrorCode(err);
  if (code !== undefined) return TRANSIENT_CODES.has(code);
  // A socket the server reset or closed (a stale keep-alive socket among them).
  if (isResetSocket(err)) return true;
  const sys = (err as { code?: unknown }).code;
  if (typeof sys === 'string' && TRANSIENT_SOCKET.has(sys)) return true;
  // The client's own wording for a request it gave up on.
  return /^Timeout error\./.test(err.message);
}

export interface CommitRetryOptions {
  /** Attempts of one batch, the first included (default 8). */
  attempts?: number;
  /** The wait before the second attempt; it doubles each time, up to `maxDelayMs` (default 500). */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/** The wait before attempt `attempt + 1` (attempt counts from 1); undefined when none is left. */
export function retryDelay(attempt: number, opts: CommitRetryOptions = {}): number | undefined {
  if (attempt >= (opts.attempts ?? 8)) return undefined;
  return Math.min(opts.maxDelayMs ?? 15_000, (opts.baseDelayMs ?? 500) * 2 ** (attempt - 1));
}
