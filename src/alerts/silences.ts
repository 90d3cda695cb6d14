// Silences: matchers on a rule and labels, from `starts_at` to `ends_at`. A silenced alert is
// still evaluated and recorded; only its notifications are held back.

import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { audit, type Actor } from './alert-rules-store.ts';
import { resolveReferences } from './references.ts';

export interface Matchers {
  rule_id?: string;
  labels?: Record<string, string>;
}

/** Whether an active silence matches: every matcher given equals the alert's label. */
export function matches(m: Matchers, labels: Record<string, string | null>): boolean {
  if (m.rule_id !== undefined && String(labels.rule_id) !== m.rule_id) return false;
  return Object.entries(m.labels ?? {}).every(([k, v]) => labels[k] === v);
}

/**
 * Ops silences cover any alert; a merchant's silence only the alerts of that merchant's own rules
 * (never an ops rule about the merchant).
 */
export async function isSilenced(q: Queryable, labels: Record<string, string | null>,
  scope: { alertMerchant: string | null; ruleMerchant: string | null }, now: number): Promise<boolean> {
  const active = await q.query<{ matchers: Matchers; merchant_id: string | null }>(
    'SELECT matchers, merchant_id FROM silences WHERE starts_at <= $1 AND ends_at > $1', [new Date(now)]);
  return active.some((s) => (s.merchant_id === null || s.merchant_id === scope.ruleMerchant) && matches(s.matchers, labels));
}

/** The silences the actor's scope holds, newest first. */
export async function listSilences(s: Queryable, actor: Actor): Promise<unknown[]> {
  return s.query('SELECT * FROM silences WHERE ($1::text IS NULL OR merchant_id = $1) ORDER BY id DESC', [actor.merchantId]);
}

/** A new silence, audited. A merchant silences its own rules only; another's (or an ops rule) looks missing. */
export async function createSilence(s: StateStore, actor: Actor,
  input: { matchers: Matchers; startsAt: number; endsAt: number; comment: string | null }): Promise<Record<string, unknown>> {
  return s.transaction(async (q) => {
    if (input.matchers.rule_id !== undefined) await resolveReferences(q, actor, 'alert_rule', 'matchers.rule_id', [input.matchers.rule_id]);
    const [row] = await q.query<{ id: number }>(
      'INSERT INTO silences (merchant_id, matchers, starts_at, ends_at, comment, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING *',
      [actor.merchantId, { ...input.matchers }, new Date(input.startsAt), new Date(input.endsAt), input.comment, actor.sub]);
    await audit(q, actor.sub, 'silence.created', 'silence', row.id, actor.merchantId, { matchers: input.matchers });
    return row;
  });
}

/** Ends a silence now, audited; false when missing or not the actor's. */
export async function endSilence(s: StateStore, actor: Actor, id: number): Promise<boolean> {
  return s.transaction(async (q) => {
    const rows = await q.query('UPDATE silences SET ends_at = now() WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2) RETURNING id', [id, actor.merchantId]);
    if (rows.length) await audit(q, actor.sub, 'silence.ended', 'silence', id, actor.merchantId);
    return rows.length > 0;
  });
}
