// Silences: matchers on a rule and labels, from `starts_at` to `ends_at`. A silenced alert is
// still evaluated and recorded; only its notifications are held back.

import type { Queryable } from '../state-store/state-store.ts';

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
