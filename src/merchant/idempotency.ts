// Idempotency-Key for the portal's requests that move money (state table merchant_idempotency_keys).
// Keys are per merchant. The first request with a key claims it; its answer — a success or a
// refusal, not a server error — is stored in the transaction that acts (completeKey), so a
// request either acted and stored its answer, or did neither. Then, for at least KEY_TTL_MS:
// the same key and body get the stored answer; another body is 422 idempotency_key_reused; a
// request while the first still runs is 409 idempotency_key_in_use. A claim whose process died
// is taken over after RUNNING_LEASE_MS; the first attempt, if it was only slow, then finds its
// claim gone when it completes and rolls back (one of the two acts, never both).

import { createHash, randomUUID } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';

export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** How long an answer is kept at least (then purged by purgeExpiredKeys). */
export const KEY_TTL_MS = 24 * 3_600_000;
/** How long a claim protects a request in flight before another attempt may take it over. */
export const RUNNING_LEASE_MS = 60_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

/** A claimed key: this attempt (`owner`) runs the request. */
export interface ClaimedKey {
  merchantId: string;
  key: string;
  owner: string;
}

/** A stored answer: a success body, or the refusal's code, message and details. */
export interface StoredAnswer {
  status: number;
  body: Record<string, unknown>;
}

/** The header's value, checked: required, 1-255 visible ASCII characters. */
export function readIdempotencyKey(header: unknown): string {
  if (header === undefined || header === '') {
    throw new AppError('idempotency_key_required', 'send an Idempotency-Key header: a fresh value per request, the same value when retrying it');
  }
  if (typeof header !== 'string' || !KEY.test(header)) {
    throw new AppError('invalid_parameter', 'Idempotency-Key must be one value of 1-255 visible ASCII characters');
  }
  return header;
}

/** What "the same body" means: the request's normalised fields, hashed. */
export function fingerprintOf(fields: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(fields)).digest('hex');
}

interface KeyRow { fingerprint: string; owner: string | null; response_status: number | null; response_body: Record<string, unknown> | null }

/**
 * Claims the key for a new request, or answers from what is stored: the stored answer, or
 * idempotency_key_reused (another body), or idempotency_key_in_use (still running).
 */
export async function claimKey(
  state: StateStore, merchantId: string, key: string, fingerprint: string, now: number,
): Promise<{ claimed: ClaimedKey } | { stored: StoredAnswer }> {
  const owner = randomUUID();
  // A new key, an expired one (not purged yet) or a claim abandoned with the same body: ours.
  const [won] = await state.query<{ owner: string }>(
    `INSERT INTO merchant_idempotency_keys AS k (merchant_id, key, fingerprint, owner, locked_until, created_at, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (merchant_id, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, owner = EXCLUDED.owner,
       locked_until = EXCLUDED.locked_until, response_status = NULL, response_body = NULL,
       created_at = EXCLUDED.created_at, expires_at = EXCLUDED.expires_at
     WHERE k.expires_at <= EXCLUDED.created_at
        OR (k.response_status IS NULL AND k.locked_until <= EXCLUDED.created_at AND k.fingerprint = EXCLUDED.fingerprint)
     RETURNING owner`,
    [merchantId, key, fingerprint, owner, new Date(now + RUNNING_LEASE_MS), new Date(now), new Date(now + KEY_TTL_MS)]);
  if (won?.owner === owner) return { claimed: { merchantId, key, owner } };
  const [row] = await state.query<KeyRow>(
    'SELECT fingerprint, owner, response_status, response_body FROM merchant_idempotency_keys WHERE merchant_id = $1 AND key = $2',
    [merchantId, key]);
  if (!row) throw new AppError('idempotency_key_in_use', 'a request with this Idempotency-Key was just answered or purged; retry');
  if (row.fingerprint !== fingerprint) {
    throw new AppError('idempotency_key_reused', 'this Idempotency-Key was used for a request with another body; use a new key for a new request');
  }
  if (row.response_status === null || row.response_body === null) {
    throw new AppError('idempotency_key_in_use', 'a request with this Idempotency-Key is still running; retry in a moment for its answer');
  }
  return { stored: { status: row.response_status, body: row.response_body } };
}

/**
 * Stores the answer, inside the transaction that acted. Throws (rolling that transaction back)
 * when the claim is no longer this attempt's: another attempt took it over.
 */
export async function completeKey(q: Queryable, claim: ClaimedKey, answer: StoredAnswer): Promise<void> {
  const rows = await q.query(
    `UPDATE merchant_idempotency_keys SET owner = NULL, locked_until = NULL, response_status = $4, response_body = $5
     WHERE merchant_id = $1 AND key = $2 AND owner = $3 RETURNING 1`,
    [claim.merchantId, claim.key, claim.owner, answer.status, answer.body]);
  if (rows.length === 0) {
    throw new AppError('idempotency_key_in_use', 'this request ran longer than its claim on the Idempotency-Key, and another attempt took it over; retry for its answer');
  }
}

/** Gives the key up unanswered (the request failed on the server's side): a retry runs it again. */
export async function releaseKey(state: StateStore, claim: ClaimedKey): Promise<void> {
  await state.query('DELETE FROM merchant_idempotency_keys WHERE merchant_id = $1 AND key = $2 AND owner = $3',
    [claim.merchantId, claim.key, claim.owner]);
}

/** Deletes the answers kept their 24 hours; returns how many. */
export async function purgeExpiredKeys(state: StateStore, now: number): Promise<number> {
  const [r] = await state.query<{ n: number }>(
    'WITH gone AS (DELETE FROM merchant_idempotency_keys WHERE expires_at <= $1 RETURNING 1) SELECT count(*)::int AS n FROM gone',
    [new Date(now)]);
  return r.n;
}
