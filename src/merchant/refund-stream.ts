// An approved refund enters the analytics stream as one refund_created event (docs/events.md),
// so every KPI counts it — exactly once. The event is written, whole, in the approval's
// transaction (state table merchant_refund_events) and delivered afterwards by the relay
// (refund-relay.ts). Its event_id is fixed by the refund (`refund:<id>`) and its content is
// stored, so a delivery repeated (a relay that died between the send and its mark, a Kafka
// message read twice) is a duplicate for the ingest engine's dedupe, never a second refund.
// The id carries the refund's id alone: a merchant id may already be 128 characters, the
// contract's limit for an event_id, and refund ids are unique across merchants.

import { formatMinor } from '../events/amount.ts';
import { currencyExponent } from '../reference/currencies.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import type { RefundRow } from './refund-record.ts';

/** A claim older than this is from a relay that stopped mid-delivery: the event is due again. */
export const RECLAIM_AFTER_MS = 5 * 60_000;
const MAX_RETRY_DELAY_MS = 5 * 60_000;

export const refundEventId = (refundId: string) => `refund:${refundId}`;

/** The refund_created event of an approved refund, as the event contract spells it. */
export function refundEvent(refund: RefundRow, at: number): Record<string, string> {
  const t = refund.txn;
  const optional = { city: t.city, payment_method: t.payment_method, provider: t.provider, customer_id: t.customer_id };
  return {
    event_id: refundEventId(refund.id), type: 'refund_created', occurred_at: new Date(at).toISOString(),
    refund_id: refund.id, txn_id: refund.txn_id, merchant_id: refund.merchant_id,
    amount: formatMinor(BigInt(refund.amount_minor), currencyExponent(refund.currency) ?? 0), currency: refund.currency, country: t.country,
    ...Object.fromEntries(Object.entries(optional).filter((e): e is [string, string] => e[1] !== null)),
  };
}

/** Queues the event, in the approval's transaction; once per refund (its primary key). */
export async function queueRefundEvent(q: Queryable, refund: RefundRow, at: number): Promise<void> {
  await q.query(
    `INSERT INTO merchant_refund_events (refund_id, merchant_id, event, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)
     ON CONFLICT (refund_id) DO NOTHING`,
    [refund.id, refund.merchant_id, refundEvent(refund, at), new Date(at)]);
}

export interface DueEvent {
  refund_id: string;
  merchant_id: string;
  event: Record<string, string>;
  attempts: number;
}

/**
 * Claims up to `limit` due events for one delivery (status 'sending'); claims left by a relay
 * that stopped are due again first. Rows another relay is claiming are skipped, not waited for.
 */
export async function claimDueEvents(state: StateStore, now: number, limit: number): Promise<DueEvent[]> {
  await state.query(
    `UPDATE merchant_refund_events SET status = 'pending', last_error = 'claimed by a relay that stopped before confirming; due again'
     WHERE status = 'sending' AND claimed_at < $1`, [new Date(now - RECLAIM_AFTER_MS)]);
  return state.query<DueEvent>(
    `UPDATE merchant_refund_events SET status = 'sending', claimed_at = $1, attempts = attempts + 1
     WHERE refund_id IN (
       SELECT refund_id FROM merchant_refund_events WHERE status = 'pending' AND next_attempt_at <= $1
       ORDER BY next_attempt_at, refund_id LIMIT $2 FOR UPDATE SKIP LOCKED)
     RETURNING refund_id, merchant_id, event, attempts`,
    [new Date(now), limit]);
}

export async function markDelivered(state: StateStore, refundIds: string[], via: string, now: number): Promise<void> {
  if (refundIds.length === 0) return;
  await state.query(
    `UPDATE merchant_refund_events SET status = 'delivered', delivered_at = $2, delivered_via = $3, last_error = NULL
     WHERE refund_id = ANY($1::text[]) AND status = 'sending'`, [refundIds, new Date(now), via]);
}

/** The engine refused the event for good (e.g. older than raw retention): kept with the reason, never sent again. */
export async function markRejected(state: StateStore, refundId: string, error: string): Promise<void> {
  await state.query(`UPDATE merchant_refund_events SET status = 'rejected', last_error = $2 WHERE refund_id = $1 AND status = 'sending'`,
    [refundId, error.slice(0, 500)]);
}

/** Not delivered this time: due again after a backoff (doubling from 1 s, at most 5 minutes), never given up. */
export async function markRetry(state: StateStore, events: readonly DueEvent[], error: string, now: number): Promise<void> {
  for (const e of events) {
    const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** Math.min(e.attempts - 1, 20));
    await state.query(
      `UPDATE merchant_refund_events SET status = 'pending', next_attempt_at = $2, last_error = $3 WHERE refund_id = $1 AND status = 'sending'`,
      [e.refund_id, new Date(now + delay), error.slice(0, 500)]);
  }
}
