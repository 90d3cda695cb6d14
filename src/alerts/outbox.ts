// The durable outbox: notifications, anomaly and action events are rows first (written in the
// same transaction as the state change that causes them), then delivered by `deliverDue`.
// A dedupe key per (cause, endpoint) makes "at most once" a constraint of the store. When Kafka
// is configured, each event also gets a row for its topic (topics/event-topics.ts), in the same
// transaction, by the same rule.

import { newWebhookMessageId, signWebhook } from './webhooks/webhook-signature.ts';
import { deliverWebhook, type DeliveryResult } from './webhooks/deliver-webhook.ts';
import { nextAttemptAt } from './webhooks/retry-schedule.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { enqueueForTopic, type EventKind, type EventTopics } from './topics/event-topics.ts';

export interface OutboxEvent {
  /**
   * Its topic when Kafka is configured: alert notification, anomaly or auto-action. None: webhooks
   * only (the merchant portal's events, e.g. merchant.refund.approved).
   */
  kind?: EventKind;
  type: string;
  payload: Record<string, unknown>;
  /** The cause, unique per event (e.g. `alert:17:firing:3`); per endpoint it is stored once. */
  dedupeKey: string;
  /** The merchant the event concerns: its endpoints get it, besides the ops-wide ones. */
  merchantId: string | null;
  /** Endpoint ids to notify; null = every enabled endpoint for the merchant and ops-wide. */
  endpointIds?: number[] | null;
  /** When the event happened (its first delivery is due then); default: the database's now. */
  at?: number;
  /** Only the ops-wide endpoints (actions about a merchant are not sent to that merchant). */
  opsOnly?: boolean;
  /** Only the merchant's own endpoints (its portal's events are its business, not the ops-wide endpoints'). */
  merchantOnly?: boolean;
}

/**
 * Queues the event for each endpoint, and for its Kafka topic when `topics` is set (null: no
 * Kafka); returns how many rows were new.
 */
export async function enqueue(q: Queryable, e: OutboxEvent, topics: EventTopics | null): Promise<number> {
  const endpoints = await q.query<{ id: number }>(
    `SELECT id FROM webhook_endpoints
     WHERE enabled AND ((merchant_id IS NULL AND NOT $4) OR (merchant_id = $1 AND NOT $3)) AND ($2::int[] IS NULL OR id = ANY($2::int[]))
       AND (event_types IS NULL OR $5 = ANY(event_types))`,
    [e.merchantId, e.endpointIds ?? null, e.opsOnly ?? false, e.merchantOnly ?? false, e.type]);
  let added = 0;
  for (const { id } of endpoints) {
    const rows = await q.query(
      `INSERT INTO outbox (msg_id, dedupe_key, endpoint_id, event_type, payload, next_attempt_at)
       VALUES ($1, $2, $3, $4, $5, coalesce($6, now())) ON CONFLICT (dedupe_key) DO NOTHING RETURNING id`,
      [newWebhookMessageId(), `${e.dedupeKey}:${id}`, id, e.type, { type: e.type, ...e.payload }, e.at === undefined ? null : new Date(e.at)]);
    added += rows.length;
  }
  // Every event goes to its topic, whatever the webhook routing (channels, ops-only) says.
  if (topics && e.kind) added += await enqueueForTopic(q, { ...e, kind: e.kind }, topics);
  return added;
}

export interface DeliveryOptions {
  now: () => number;
  allowPrivate: boolean;
  timeoutMs: number;
  batch?: number;
  /** Each attempt; `merchantId` is the endpoint's merchant (null: an ops-wide endpoint). */
  onAttempt?: (r: DeliveryResult, eventType: string, merchantId: string | null) => void;
}

const CONCURRENCY = 8;

interface DueRow {
  id: number;
  msg_id: string;
  event_type: string;
  payload: Record<string, unknown>;
  attempts: number;
  first_attempt_at: Date | null;
  endpoint_id: number;
  merchant_id: string | null;
  url: string;
  secrets: string[];
}

/** Delivers the due rows once; returns how many were attempted. */
export async function deliverDue(store: StateStore, o: DeliveryOptions): Promise<number> {
  const due = await store.query<DueRow>(
    `SELECT o.id, o.msg_id, o.event_type, o.payload, o.attempts, o.first_attempt_at, e.id AS endpoint_id, e.merchant_id, e.url, e.secrets
     FROM outbox o JOIN webhook_endpoints e ON e.id = o.endpoint_id
     WHERE o.status = 'pending' AND o.next_attempt_at <= $1 AND e.enabled
     ORDER BY o.next_attempt_at LIMIT $2`,
    [new Date(o.now()), o.batch ?? 50]);
  // A few at a time: one slow endpoint does not hold the others back.
  let next = 0;
  const worker = async () => {
    while (next < due.length) await attempt(store, due[next++], o);
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, due.length) }, worker));
  return due.length;
}

async function attempt(store: StateStore, row: DueRow, o: DeliveryOptions): Promise<void> {
  const now = o.now();
  const body = JSON.stringify({ id: row.msg_id, ...row.payload });
  const headers = signWebhook({ msgId: row.msg_id, timestamp: Math.floor(now / 1000), body, secrets: row.secrets });
  const r = await deliverWebhook({ url: row.url, headers: { ...headers }, body, timeoutMs: o.timeoutMs, allowPrivate: o.allowPrivate });
  o.onAttempt?.(r, row.event_type, row.merchant_id);
  const attempts = row.attempts + 1;
  const first = row.first_attempt_at?.getTime() ?? now;
  const next = r.ok || r.error === 'gone' || r.error === 'target_not_allowed' || r.error === 'redirect_refused'
    ? null : nextAttemptAt(attempts, now, first);
  const status = r.ok ? 'delivered' : next === null ? 'dead' : 'pending';
  await store.transaction(async (q) => {
    await q.query(
      `UPDATE outbox SET status = $2, attempts = $3, first_attempt_at = $4, next_attempt_at = $5 WHERE id = $1`,
      [row.id, status, attempts, new Date(first), new Date(next ?? now)]);
    await q.query(
      `INSERT INTO delivery_log (outbox_id, attempt, outcome, status_code, duration_ms) VALUES ($1, $2, $3, $4, $5)`,
      [row.id, attempts, r.ok ? 'delivered' : r.error ?? 'failed', r.status ?? null, Math.round(r.durationMs)]);
    if (r.error === 'gone') {
      await q.query(`UPDATE webhook_endpoints SET enabled = false, disabled_reason = 'the endpoint answered 410 Gone' WHERE id = $1`, [row.endpoint_id]);
      await q.query(
        `INSERT INTO audit_log (actor, action, object_type, object_id, detail) VALUES ('system', 'endpoint.disabled', 'webhook_endpoint', $1, $2)`,
        [String(row.endpoint_id), { reason: '410 Gone', outbox_id: row.id }]);
    }
  });
}
