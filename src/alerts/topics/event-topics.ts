// Events out to Kafka, the queueing side: when Kafka is configured, every outbox event (alert
// notification, analytics.anomaly, auto-action) also becomes one row of kafka_outbox, in the
// transaction of its cause, once per (cause, topic) — the webhook outbox's dedupe rule with the
// topic as the endpoint. publish-to-topics.ts sends the rows.

import type { Config } from '../../config.ts';
import type { Queryable } from '../../state-store/state-store.ts';
import { newWebhookMessageId } from '../webhooks/webhook-signature.ts';

/** What an event is about, hence its topic: the alerts' three, and the routing mesh's three (src/mesh). */
export type EventKind = 'alert' | 'anomaly' | 'action' | 'mesh_prediction' | 'mesh_proposal' | 'mesh_action';

/** The topic of each kind of event; null where Kafka is not configured. */
export type EventTopics = Readonly<Record<EventKind, string>>;

export function eventTopicsOf(
  c: Pick<Config, 'KAFKA_BROKERS' | 'KAFKA_ALERT_TOPIC' | 'KAFKA_ANOMALY_TOPIC' | 'KAFKA_ACTION_TOPIC'
    | 'KAFKA_MESH_PREDICTIONS_TOPIC' | 'KAFKA_MESH_PROPOSALS_TOPIC' | 'KAFKA_MESH_ACTIONS_TOPIC'>,
): EventTopics | null {
  if (c.KAFKA_BROKERS.trim() === '') return null;
  return {
    alert: c.KAFKA_ALERT_TOPIC, anomaly: c.KAFKA_ANOMALY_TOPIC, action: c.KAFKA_ACTION_TOPIC,
    mesh_prediction: c.KAFKA_MESH_PREDICTIONS_TOPIC, mesh_proposal: c.KAFKA_MESH_PROPOSALS_TOPIC, mesh_action: c.KAFKA_MESH_ACTIONS_TOPIC,
  };
}

export interface TopicEvent {
  kind: EventKind;
  type: string;
  payload: Record<string, unknown>;
  dedupeKey: string;
  merchantId: string | null;
  at?: number;
}

/**
 * The message key: the merchant the event concerns (an action names it in its payload), else the
 * alert — so one merchant's events, or one ops alert's, stay in order on one partition.
 */
export function messageKeyOf(e: TopicEvent): string {
  const merchant = e.merchantId ?? (typeof e.payload.merchant_id === 'string' ? e.payload.merchant_id : null);
  return merchant ?? `alert:${String(e.payload.alert_id ?? e.dedupeKey)}`;
}

/** Queues the event for its topic; returns 1 if the row is new, 0 if this cause was queued already. */
export async function enqueueForTopic(q: Queryable, e: TopicEvent, topics: EventTopics): Promise<number> {
  const at = e.at === undefined ? null : new Date(e.at);
  const rows = await q.query(
    `INSERT INTO kafka_outbox (msg_id, dedupe_key, topic, message_key, event_type, payload, occurred_at, next_attempt_at)
     VALUES ($1, $2, $3, $4, $5, $6, coalesce($7, now()), coalesce($7, now())) ON CONFLICT (dedupe_key, topic) DO NOTHING RETURNING id`,
    [newWebhookMessageId(), e.dedupeKey, topics[e.kind], messageKeyOf(e), e.type, { type: e.type, ...e.payload }, at]);
  return rows.length;
}
