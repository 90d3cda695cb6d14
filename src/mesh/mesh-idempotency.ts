// Idempotency-Key for the mesh's changes that must happen once (a routing table set, a proposal
// approved): the portal's mechanism (src/merchant/idempotency.ts) — claim, answer stored in the
// acting transaction, replay, reused-key and in-use refusals — with every mesh key in one scope
// of its own, '~mesh' (a value no merchant id can take: token ids never hold '~').

import { AppError } from '../errors.ts';
import { claimKey, completeKey, releaseKey, type ClaimedKey, type StoredAnswer } from '../merchant/idempotency.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';

export const MESH_KEY_SCOPE = '~mesh';

/** An answer: a success (`body`) or a refusal (`error`); `replayed` when it is the stored answer of an earlier request. */
export interface KeyedAnswer<T> {
  replayed: boolean;
  status: number;
  body?: T;
  error?: AppError;
}

/** The answer to keep for the key (in the transaction that acts): a body, or a refusal. */
export async function storeAnswer(q: Queryable, claim: ClaimedKey, status: number, value: object | AppError): Promise<void> {
  await completeKey(q, claim, { status, body: asStored(value) });
}

// The details as entries: jsonb orders an object's keys its own way, and a replay is sent byte for byte.
function asStored(value: object | AppError): Record<string, unknown> {
  if (value instanceof AppError) return { code: value.code, message: value.message, details: Object.entries(value.details ?? {}) };
  return value as Record<string, unknown>;
}

function fromStored<T>(a: StoredAnswer): KeyedAnswer<T> {
  if (a.status < 400) return { replayed: true, status: a.status, body: a.body as T };
  const b = a.body as { code: AppError['code']; message: string; details: Array<[string, unknown]> };
  return { replayed: true, status: a.status, error: new AppError(b.code, b.message, b.details.length ? Object.fromEntries(b.details) : undefined) };
}

/**
 * Runs `act` once per key and body. `act` stores its answer with storeAnswer in the transaction
 * that acts (a refusal it commits, like a superseded proposal, too); a refusal it throws, nothing
 * committed, is stored here; a server error gives the key up, so a retry runs again.
 */
export async function runOnce<T>(
  state: StateStore, key: string, fingerprint: string, now: number, act: (claim: ClaimedKey) => Promise<KeyedAnswer<T>>,
): Promise<KeyedAnswer<T>> {
  const claim = await claimKey(state, MESH_KEY_SCOPE, key, fingerprint, now);
  if ('stored' in claim) return fromStored<T>(claim.stored);
  try {
    return await act(claim.claimed);
  } catch (err) {
    const refusal = err instanceof AppError && err.status < 500 && err.code !== 'idempotency_key_in_use';
    if (!refusal) {
      await releaseKey(state, claim.claimed).catch(() => undefined);
      throw err;
    }
    await state.transaction((q) => storeAnswer(q, claim.claimed, err.status, err));
    return { replayed: false, status: err.status, error: err };
  }
}
