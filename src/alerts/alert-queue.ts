// The alerts themselves, as people work them: listed with filters, one with its comments and
// history, and changed (acknowledged, resolved, assigned, commented) — each change audited in
// the same transaction. A merchant sees the alerts of its own rules only (ops rules about it are
// ops business); another merchant's alert is missing, not forbidden.

import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { audit, type Actor } from './alert-rules-store.ts';
import { enqueue } from './outbox.ts';
import type { EventTopics } from './topics/event-topics.ts';

export interface AlertFilter {
  status: string | null;
  severity: string | null;
  ruleId: number | null;
  /** Alerts about this merchant (ops: any; a merchant: its own, set by the caller's scope). */
  merchant: string | null;
  from: Date;
  to: Date;
  limit: number;
}

// What the UI needs to say why an alert fired: the rule's name, metric, condition (the threshold),
// window and filters as the rule reads now (an edited rule shows its current condition).
const RULE_CONTEXT = `r.name AS rule_name, r.definition->>'metric' AS rule_metric, r.definition->'condition' AS rule_condition,
  (r.definition->>'window_minutes')::int AS rule_window_minutes, coalesce(r.definition->'filters', '{}'::jsonb) AS rule_filters`;

/** Newest first; `viewer` is the merchant the caller is confined to (null = ops). */
export async function listAlerts(s: Queryable, viewer: string | null, f: AlertFilter): Promise<unknown[]> {
  return s.query(
    `SELECT a.*, ${RULE_CONTEXT} FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
     WHERE ($1::text IS NULL OR a.state = $1) AND ($2::text IS NULL OR a.severity = $2) AND ($3::int IS NULL OR a.rule_id = $3)
       AND ($4::text IS NULL OR a.merchant_id = $4) AND a.started_at >= $5 AND a.started_at < $6
       AND ($8::text IS NULL OR r.merchant_id = $8)
     ORDER BY a.started_at DESC, a.id DESC LIMIT $7`,
    [f.status, f.severity, f.ruleId, f.merchant, f.from, f.to, f.limit, viewer]);
}

const comments = (q: Queryable, id: number) =>
  q.query('SELECT author, body, created_at FROM alert_comments WHERE alert_id = $1 ORDER BY id', [id]);

/** One alert with its comments and the history of changes; null when missing or not the viewer's. */
export async function getAlert(s: Queryable, viewer: string | null, id: number): Promise<Record<string, unknown> | null> {
  const [alert] = await s.query<Record<string, unknown>>(
    `SELECT a.*, ${RULE_CONTEXT} FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
     WHERE a.id = $1 AND ($2::text IS NULL OR r.merchant_id = $2)`, [id, viewer]);
  if (!alert) return null;
  const history = await s.query(
    `SELECT actor, action, detail, at FROM audit_log WHERE object_type = 'alert' AND object_id = $1 ORDER BY id`, [String(id)]);
  return { ...alert, comments: await comments(s, id), history };
}

export interface AlertChange {
  acknowledge?: boolean;
  resolve?: boolean;
  assignee?: string | null;
  comment?: string;
}

/**
 * Applies a change; the alert as it is then, with its comments, or null when missing or not the
 * actor's. Resolving a firing alert by hand notifies like the evaluator would.
 */
export async function updateAlert(s: StateStore, actor: Actor, id: number, change: AlertChange,
  o: { now: number; eventTopics: EventTopics | null }): Promise<Record<string, unknown> | null> {
  return s.transaction(async (q) => {
    const [alert] = await q.query<{ id: number; merchant_id: string | null; state: string; group_labels: Record<string, string | null>; rule_id: number; rule_name: string; rule_merchant: string | null }>(
      `SELECT a.id, a.merchant_id, a.state, a.group_labels, a.rule_id, r.name AS rule_name, r.merchant_id AS rule_merchant
       FROM alerts a JOIN alert_rules r ON r.id = a.rule_id
       WHERE a.id = $1 AND ($2::text IS NULL OR r.merchant_id = $2) FOR UPDATE OF a`, [id, actor.merchantId]);
    if (!alert) return null;
    const at = new Date(o.now);
    if (change.acknowledge) await q.query('UPDATE alerts SET acknowledged_by = $2, acknowledged_at = $3 WHERE id = $1', [id, actor.sub, at]);
    if (change.assignee !== undefined) await q.query('UPDATE alerts SET assignee = $2 WHERE id = $1', [id, change.assignee]);
    if (change.resolve && alert.state !== 'resolved') {
      // Held back until the condition clears once, so the evaluator does not open it again at once.
      await q.query(`UPDATE alerts SET state = 'resolved', resolved_at = $3, resolved_by = $2, suppressed_until_clear = true WHERE id = $1`,
        [id, actor.sub, at]);
      if (alert.state === 'firing') {
        await enqueue(q, {
          kind: 'alert', type: 'alert.resolved', merchantId: alert.merchant_id, opsOnly: alert.rule_merchant === null, at: o.now, dedupeKey: `alert:${id}:resolved:manual`,
          payload: { alert_id: id, state: 'resolved', resolved_by: actor.sub, rule: { id: String(alert.rule_id), name: alert.rule_name }, group: alert.group_labels, merchant_id: alert.merchant_id, at: at.toISOString() },
        }, o.eventTopics);
      }
    }
    if (change.comment) await q.query('INSERT INTO alert_comments (alert_id, author, body) VALUES ($1, $2, $3)', [id, actor.sub, change.comment]);
    await audit(q, actor.sub, 'alert.updated', 'alert', id, alert.merchant_id, { ...change });
    const [updated] = await q.query<Record<string, unknown>>('SELECT * FROM alerts WHERE id = $1', [id]);
    return { ...updated, comments: await comments(q, id) };
  });
}
