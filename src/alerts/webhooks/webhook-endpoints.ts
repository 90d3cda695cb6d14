// Webhook endpoints in the state store, each confined to its merchant (ops endpoints: merchant
// null), every change audited in the same transaction. The secret is stored and handed back
// once, at creation or rotation; lists show how many secrets are active, never the secrets.

import type { Queryable, StateStore } from '../../state-store/state-store.ts';
import { audit, type Actor } from '../alert-rules-store.ts';

const PUBLIC_FIELDS = 'id, merchant_id, url, event_types, enabled, disabled_reason, created_by, created_at, cardinality(secrets) AS active_secrets';

export async function listEndpoints(s: Queryable, actor: Actor): Promise<unknown[]> {
  return s.query(`SELECT ${PUBLIC_FIELDS} FROM webhook_endpoints WHERE ($1::text IS NULL OR merchant_id = $1) ORDER BY id`, [actor.merchantId]);
}

/** A new endpoint of the actor's scope, signing with `secret`. */
export async function createEndpoint(s: StateStore, actor: Actor, url: string, secret: string): Promise<Record<string, unknown>> {
  return s.transaction(async (q) => {
    const [e] = await q.query<{ id: number }>(
      `INSERT INTO webhook_endpoints (merchant_id, url, secrets, created_by) VALUES ($1, $2, $3, $4) RETURNING ${PUBLIC_FIELDS}`,
      [actor.merchantId, url, [secret], actor.sub]);
    await audit(q, actor.sub, 'webhook.created', 'webhook_endpoint', e.id, actor.merchantId, { url });
    return e;
  });
}

/** Signs with `secret` from now on, and with the previous one too if `keepPrevious`; null when missing or not the actor's. */
export async function rotateSecret(s: StateStore, actor: Actor, id: number, secret: string, keepPrevious: boolean): Promise<Record<string, unknown> | null> {
  return s.transaction(async (q) => {
    const [e] = await q.query<Record<string, unknown>>(
      `UPDATE webhook_endpoints SET secrets = CASE WHEN $3 THEN ARRAY[$4, secrets[1]] ELSE ARRAY[$4] END
       WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2) RETURNING ${PUBLIC_FIELDS}`,
      [id, actor.merchantId, keepPrevious, secret]);
    if (e) await audit(q, actor.sub, 'webhook.rotated', 'webhook_endpoint', id, actor.merchantId, { keep_previous: keepPrevious });
    return e ?? null;
  });
}

/** Stops deliveries to an endpoint; false when missing or not the actor's. */
export async function disableEndpoint(s: StateStore, actor: Actor, id: number): Promise<boolean> {
  return s.transaction(async (q) => {
    const rows = await q.query(
      `UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'disabled by ' || $3 WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2) RETURNING id`,
      [id, actor.merchantId, actor.sub]);
    if (rows.length) await audit(q, actor.sub, 'webhook.disabled', 'webhook_endpoint', id, actor.merchantId);
    return rows.length > 0;
  });
}

/** The endpoint's delivery log, newest first; null when missing or not the actor's. */
export async function endpointDeliveries(s: Queryable, actor: Actor, id: number): Promise<unknown[] | null> {
  const [endpoint] = await s.query('SELECT id FROM webhook_endpoints WHERE id = $1 AND ($2::text IS NULL OR merchant_id = $2)', [id, actor.merchantId]);
  if (!endpoint) return null;
  return s.query(
    `SELECT l.at, l.attempt, l.outcome, l.status_code, l.duration_ms, o.msg_id, o.event_type, o.status
     FROM delivery_log l JOIN outbox o ON o.id = l.outbox_id JOIN webhook_endpoints e ON e.id = o.endpoint_id
     WHERE e.id = $1 AND ($2::text IS NULL OR e.merchant_id = $2) ORDER BY l.id DESC LIMIT 500`,
    [id, actor.merchantId]);
}
