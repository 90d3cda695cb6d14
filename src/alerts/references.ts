// One object naming another by id (a rule's channels → webhook endpoints, a silence's rule_id →
// a rule) is checked here, in one place: the id must name an object the actor can see, else it is
// refused exactly as a missing one would be (same code, same message), so another merchant's ids
// can neither be used nor probed. Ops actors see everything. Run inside the transaction that
// stores the reference.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';
import type { Actor } from './alert-rules-store.ts';

/** What can be referenced: its table, the words of the refusal, and whether deleted rows count. */
const KINDS = {
  webhook_endpoint: { table: 'webhook_endpoints', noun: 'webhook endpoint', live: 'true' },
  alert_rule: { table: 'alert_rules', noun: 'alert rule', live: 'deleted_at IS NULL' },
} as const;

export type ReferenceKind = keyof typeof KINDS;

export interface Referenced {
  id: number;
  merchant_id: string | null;
}

/**
 * The referenced objects, each visible to `actor`; throws invalid_parameter naming `field` and
 * the first id that is missing or another merchant's (the two are indistinguishable).
 */
export async function resolveReferences(q: Queryable, actor: Actor, kind: ReferenceKind, field: string, ids: readonly string[]): Promise<Referenced[]> {
  const k = KINDS[kind];
  const wanted = [...new Set(ids)];
  if (wanted.length === 0) return [];
  const numeric = wanted.filter((id) => /^[1-9][0-9]{0,8}$/.test(id)); // anything else names nothing
  const found = await q.query<Referenced>(
    `SELECT id, merchant_id FROM ${k.table} WHERE id = ANY($1::int[]) AND ${k.live} AND ($2::text IS NULL OR merchant_id = $2)`,
    [numeric.map(Number), actor.merchantId]);
  const byId = new Map(found.map((r) => [String(r.id), r]));
  const missing = wanted.find((id) => !byId.has(id));
  if (missing !== undefined) throw new AppError('invalid_parameter', `${field}: no ${k.noun} ${JSON.stringify(missing)}`);
  return wanted.map((id) => byId.get(id)!);
}
