// The merchant's own webhook endpoints (GET|POST|DELETE /api/merchant/webhooks[/:id]): the rows
// of webhook_endpoints with its merchant_id — exactly those its portal events go to
// (merchant.refund.created|approved|rejected from refund-record.ts, merchant.dispute.due_soon from
// dispute-deadlines.ts: enqueued merchantOnly) and its own alert rules notify; the ones a
// merchant administrator adds under /api/analytics/alerts/webhooks are the same rows, added by
// the same createMerchantWebhook (its cap, its audit entry). Delivered, signed and retried by the
// alert scheduler's outbox (src/alerts/outbox.ts).
//
// An endpoint may take only some event types (`event_types`; null = all). Its secret is handed
// back once, at creation. DELETE disables it (its delivery log stays readable). Every change is
// written to the merchant's audit log in the change's transaction. Another merchant's endpoint is
// looked up within this merchant only: missing, exactly like an unknown id.

import { AppError } from '../errors.ts';
import { checkTargetUrl, resolveTarget, type TargetWarning } from '../alerts/webhooks/ssrf-guard.ts';
import { newWebhookSecret } from '../alerts/webhooks/webhook-signature.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { writeAudit } from './merchant-audit.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';

/** The events a merchant endpoint can subscribe to: the portal's, and its own alert rules' notifications. */
export const MERCHANT_WEBHOOK_EVENTS = [
  'merchant.refund.created', 'merchant.refund.approved', 'merchant.refund.rejected', 'merchant.dispute.due_soon',
  'alert.firing', 'alert.resolved', 'alert.nodata', 'alert.error', 'analytics.anomaly',
] as const;

/** Endpoints one merchant may have enabled at once. */
export const MAX_MERCHANT_ENDPOINTS = 20;
const DELIVERIES_SHOWN = 50;

export interface MerchantWebhook {
  /** The same id as under /api/analytics/alerts/webhooks. */
  id: number;
  url: string;
  /** null: every event. */
  event_types: string[] | null;
  enabled: boolean;
  disabled_reason: string | null;
  created_by: string;
  created_at: string;
  active_secrets: number;
}

export interface WebhookDelivery {
  at: string;
  msg_id: string;
  event_type: string;
  attempt: number;
  outcome: string;
  status_code: number | null;
  duration_ms: number;
}

interface EndpointRow {
  id: number; url: string; event_types: string[] | null; enabled: boolean; disabled_reason: string | null;
  created_by: string; created_at: Date; active_secrets: number;
}

const FIELDS = 'id, url, event_types, enabled, disabled_reason, created_by, created_at, cardinality(secrets) AS active_secrets';

function view(r: EndpointRow): MerchantWebhook {
  return {
    id: Number(r.id), url: r.url, event_types: r.event_types, enabled: r.enabled, disabled_reason: r.disabled_reason,
    created_by: r.created_by, created_at: r.created_at.toISOString(), active_secrets: Number(r.active_secrets),
  };
}

/** An id as the API shows it; anything else is a missing endpoint. */
function endpointId(id: string): number | null {
  return /^[1-9][0-9]{0,8}$/.test(id) ? Number(id) : null;
}

export async function listMerchantWebhooks(q: Queryable, merchantId: string): Promise<MerchantWebhook[]> {
  const rows = await q.query<EndpointRow>(`SELECT ${FIELDS} FROM webhook_endpoints WHERE merchant_id = $1 ORDER BY id`, [merchantId]);
  return rows.map(view);
}

/** One endpoint with its latest delivery attempts; 404 when missing or another merchant's. */
export async function getMerchantWebhook(q: Queryable, merchantId: string, id: string): Promise<MerchantWebhook & { deliveries: WebhookDelivery[] }> {
  const n = endpointId(id);
  const [row] = n === null ? [] : await q.query<EndpointRow>(`SELECT ${FIELDS} FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2`, [n, merchantId]);
  if (!row) throw new AppError('not_found', 'no such webhook endpoint');
  const deliveries = await q.query<{ at: Date; msg_id: string; event_type: string; attempt: number; outcome: string; status_code: number | null; duration_ms: number }>(
    `SELECT l.at, o.msg_id, o.event_type, l.attempt, l.outcome, l.status_code, l.duration_ms
     FROM delivery_log l JOIN outbox o ON o.id = l.outbox_id WHERE o.endpoint_id = $1 ORDER BY l.id DESC LIMIT ${DELIVERIES_SHOWN}`, [n]);
  return { ...view(row), deliveries: deliveries.map((d) => ({ ...d, at: d.at.toISOString(), duration_ms: Number(d.duration_ms) })) };
}

export interface NewWebhook {
  url: string;
  /** Absent or null: every event. */
  eventTypes?: string[] | null;
}

/**
 * Adds an endpoint for the merchant — from the portal or from /api/analytics/alerts/webhooks with
 * a merchant token: MAX_MERCHANT_ENDPOINTS enabled at most, audited either way. The URL checked as every delivery checks it (no loopback or
 * private target unless WEBHOOKS_ALLOW_PRIVATE_TARGETS), its host resolved now so a refused
 * address is said at once. Returns it with its secret (shown this once) and warnings.
 */
export async function createMerchantWebhook(
  state: StateStore, scope: MerchantScope, origin: RequestOrigin, w: NewWebhook, o: { allowPrivate: boolean; now: number },
): Promise<MerchantWebhook & { secret: string; warnings: TargetWarning[] }> {
  const check = checkTargetUrl(w.url, { allowPrivate: o.allowPrivate });
  if (!check.ok) throw new AppError('target_not_allowed', `webhook target refused: ${check.reason}`);
  const resolved = await resolveTarget(check.url, { allowPrivate: o.allowPrivate });
  if (!resolved.ok) throw new AppError('target_not_allowed', `webhook target refused: ${resolved.reason}`);
  const types = w.eventTypes == null ? null : [...new Set(w.eventTypes)].sort();
  const secret = newWebhookSecret();
  const row = await state.transaction(async (q) => {
    // Serialises this merchant's creations, so the cap holds under concurrent requests.
    await q.query('SELECT pg_advisory_xact_lock(7231013, hashtext($1))', [scope.merchantId]);
    const [{ n }] = await q.query<{ n: number | string }>('SELECT count(*) AS n FROM webhook_endpoints WHERE merchant_id = $1 AND enabled', [scope.merchantId]);
    if (Number(n) >= MAX_MERCHANT_ENDPOINTS) {
      throw new AppError('invalid_parameter', `at most ${MAX_MERCHANT_ENDPOINTS} enabled webhook endpoints per merchant; delete one first`);
    }
    const [created] = await q.query<EndpointRow>(
      `INSERT INTO webhook_endpoints (merchant_id, url, secrets, event_types, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${FIELDS}`,
      [scope.merchantId, check.url.toString(), [secret], types, scope.actor, new Date(o.now)]);
    await writeAudit(q, scope, origin, {
      action: 'webhook.created', objectType: 'webhook_endpoint', objectId: String(created.id), detail: { url: created.url, event_types: types },
    }, o.now);
    return created;
  });
  return { ...view(row), secret, warnings: resolved.warnings };
}

/** Disables the endpoint: nothing more is delivered to it. 404 when missing or another merchant's. */
export async function deleteMerchantWebhook(state: StateStore, scope: MerchantScope, origin: RequestOrigin, id: string, now: number): Promise<void> {
  const n = endpointId(id);
  if (n === null) throw new AppError('not_found', 'no such webhook endpoint');
  await state.transaction(async (q) => {
    const [row] = await q.query<{ enabled: boolean }>('SELECT enabled FROM webhook_endpoints WHERE id = $1 AND merchant_id = $2 FOR UPDATE', [n, scope.merchantId]);
    if (!row) throw new AppError('not_found', 'no such webhook endpoint');
    if (!row.enabled) return; // deleted already: the same answer, nothing to record
    await q.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'deleted by ' || $2 WHERE id = $1`, [n, scope.actor]);
    await writeAudit(q, scope, origin, { action: 'webhook.deleted', objectType: 'webhook_endpoint', objectId: String(n), detail: {} }, now);
  });
}
