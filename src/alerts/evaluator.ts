// One evaluation pass: every enabled rule is evaluated on the rollups, each (rule, group) goes
// through the lifecycle policy (transition.ts), and the resulting alert state, notifications,
// anomaly and action events are written in one transaction per rule — so a restart in the middle
// neither loses nor repeats a notification (outbox dedupe keys are derived from the alert and the
// state change, and the alert row changes in the same transaction).

import type { Logger } from 'pino';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import type { RunQuery } from '../analytics/query-runner.ts';
import { evaluateRule, type Evaluation } from './evaluate-condition.ts';
import { isOpen, transition, type AlertState, type Notification } from './transition.ts';
import { enqueue } from './outbox.ts';
import { audit, toRule, type StoredRule } from './alert-rules-store.ts';
import { isSilenced } from './silences.ts';
import type { EventTopics } from './topics/event-topics.ts';

export interface EvaluatorDeps {
  state: StateStore;
  run: RunQuery;
  now: () => number;
  log: Logger;
  /** The Kafka topic of each kind of event; null = no Kafka (webhooks only). */
  eventTopics: EventTopics | null;
  onAlertCreated?: (rule: StoredRule) => void;
  onAnomaly?: (rule: StoredRule) => void;
}

interface AlertRow {
  id: number;
  fingerprint: string;
  group_labels: Record<string, string | null>;
  merchant_id: string | null;
  state: 'pending' | 'firing' | 'nodata' | 'error';
  started_at: Date;
  firing_since: Date | null;
  last_notified_at: Date | null;
  detail: string | null;
}

interface Observation {
  fingerprint: string;
  group: Record<string, string | null>;
  breached: boolean | null;
  error?: string;
  evaluation?: Evaluation;
}

export async function evaluateAll(d: EvaluatorDeps): Promise<{ rules: number; notifications: number }> {
  const rows = await d.state.query<Parameters<typeof toRule>[0]>('SELECT * FROM alert_rules WHERE deleted_at IS NULL AND enabled ORDER BY id');
  let notifications = 0;
  for (const row of rows) {
    const rule = toRule(row);
    const now = d.now();
    let evaluations: Evaluation[] = [];
    let error: string | undefined;
    try {
      evaluations = await evaluateRule(rule, d.run, now);
    } catch (err) {
      error = (err as Error).message.slice(0, 300);
      d.log.warn({ err, rule: rule.id }, 'alert rule evaluation failed');
    }
    try {
      notifications += await evaluateOne(d, rule, evaluations, error, now);
      await d.state.query('UPDATE alert_rules SET last_evaluated_at = $2, last_error = $3 WHERE id = $1', [Number(rule.id), new Date(now), error ?? null]);
    } catch (err) {
      // One rule's failure never stops the others.
      d.log.error({ err, rule: rule.id }, 'alert rule could not be applied');
      await d.state.query('UPDATE alert_rules SET last_evaluated_at = $2, last_error = $3 WHERE id = $1',
        [Number(rule.id), new Date(now), `not applied: ${(err as Error).message.slice(0, 300)}`]).catch(() => undefined);
    }
  }
  return { rules: rows.length, notifications };
}

function evaluateOne(d: EvaluatorDeps, rule: StoredRule, evaluations: Evaluation[], error: string | undefined, now: number): Promise<number> {
  {
    return d.state.transaction(async (q) => {
      const open = await q.query<AlertRow>(`SELECT * FROM alerts WHERE rule_id = $1 AND state <> 'resolved' FOR UPDATE`, [Number(rule.id)]);
      const byFingerprint = new Map(open.map((a) => [a.fingerprint, a]));
      const observations: Observation[] = error !== undefined
        ? open.map((a) => ({ fingerprint: a.fingerprint, group: a.group_labels, breached: null, error }))
        : evaluations.map((e) => ({ fingerprint: e.fingerprint, group: safeLabels(e.group), breached: e.breached, evaluation: e }));
      // An open alert whose group produced no evaluation has no data this time.
      const seen = new Set(observations.map((o) => o.fingerprint));
      for (const a of open) if (!seen.has(a.fingerprint)) observations.push({ fingerprint: a.fingerprint, group: a.group_labels, breached: null });
      let sent = 0;
      for (const o of observations) {
        const prev = byFingerprint.get(o.fingerprint) ?? null;
        if (!prev && await heldBackByManualResolve(q, o)) continue;
        sent += await apply(q, d, rule, prev, o, now);
      }
      return sent;
    });
  }
}

/**
 * An alert resolved by hand while its condition still held opens no new alert until the
 * condition has cleared once (else every manual resolve would re-fire, actions included).
 */
async function heldBackByManualResolve(q: Queryable, o: Observation): Promise<boolean> {
  if (o.breached === false) {
    await q.query('UPDATE alerts SET suppressed_until_clear = false WHERE fingerprint = $1 AND suppressed_until_clear', [o.fingerprint]);
    return false;
  }
  const held = await q.query('SELECT 1 FROM alerts WHERE fingerprint = $1 AND suppressed_until_clear LIMIT 1', [o.fingerprint]);
  return held.length > 0;
}

/** Label values go into jsonb: NUL, which it cannot hold, becomes U+FFFD. */
function safeLabels(group: Record<string, string | null>): Record<string, string | null> {
  return Object.fromEntries(Object.entries(group).map(([k, v]) => [k, v === null ? null : v.replaceAll('\0', '\uFFFD')]));
}

function stateOf(a: AlertRow): AlertState {
  return {
    state: a.state, since: a.started_at.getTime(), firing_since: a.firing_since?.getTime() ?? null,
    last_notified_at: a.last_notified_at?.getTime() ?? null,
  };
}

async function apply(q: Queryable, d: EvaluatorDeps, rule: StoredRule, prev: AlertRow | null, o: Observation, now: number): Promise<number> {
  const t = transition(prev ? stateOf(prev) : null, { breached: o.breached, at: now, error: o.error }, rule);
  const next = t.next;
  const e = o.evaluation;
  // Rows exist for alerts worth showing: pending, firing, or interrupted while firing.
  const keep = next.state === 'pending' || next.state === 'firing' || isOpen(next);
  let id = prev?.id ?? null;
  if (next.state === 'resolved' && prev) {
    await q.query(`UPDATE alerts SET state = 'resolved', resolved_at = $2, last_evaluated_at = $2, last_notified_at = $3 WHERE id = $1`,
      [prev.id, new Date(now), t.notify ? new Date(now) : prev.last_notified_at]);
  } else if (!keep) {
    if (prev) {
      // Never fired: not worth keeping (its comments go with it).
      await q.query('DELETE FROM alert_comments WHERE alert_id = $1', [prev.id]);
      await q.query('DELETE FROM alerts WHERE id = $1', [prev.id]);
    }
    return 0;
  } else if (prev) {
    await q.query(
      `UPDATE alerts SET state = $2, firing_since = $3, last_notified_at = $4, last_evaluated_at = $5,
         observed = coalesce($6, observed), baseline = coalesce($7, baseline), z = coalesce($8, z), detail = coalesce($9, detail)
       WHERE id = $1`,
      [prev.id, next.state, date(next.firing_since), date(next.last_notified_at), new Date(now),
        e?.observed ?? null, e?.baseline ?? null, e?.z ?? null, o.error ?? e?.detail ?? null]);
  } else {
    const [row] = await q.query<{ id: number }>(
      `INSERT INTO alerts (rule_id, fingerprint, group_labels, merchant_id, state, severity, observed, baseline, z, detail,
         started_at, firing_since, last_evaluated_at, last_notified_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $11, $13) RETURNING id`,
      [Number(rule.id), o.fingerprint, o.group, alertMerchant(rule, o.group), next.state, rule.severity,
        e?.observed ?? null, e?.baseline ?? null, e?.z ?? null, o.error ?? e?.detail ?? null,
        new Date(now), date(next.firing_since), date(next.last_notified_at)]);
    id = row.id;
  }
  if (!t.notify || id === null) return 0;
  return notify(q, d, rule, id, o, t.notify, now, prev === null || !isOpen(stateOf(prev)), prev?.last_notified_at ?? null);
}

async function notify(q: Queryable, d: EvaluatorDeps, rule: StoredRule, alertId: number, o: Observation, kind: Notification,
  now: number, newlyFiring: boolean, previouslyNotified: Date | null): Promise<number> {
  const merchantId = alertMerchant(rule, o.group);
  const labels = { rule_id: rule.id, rule: rule.name, severity: rule.severity, merchant_id: merchantId, ...o.group };
  const payload = {
    alert_id: alertId, state: kind, rule: { id: rule.id, name: rule.name, metric: rule.metric, severity: rule.severity },
    group: o.group, merchant_id: merchantId, at: new Date(now).toISOString(),
    observed: o.evaluation?.observed ?? null, baseline: o.evaluation?.baseline ?? null, z: o.evaluation?.z ?? null,
    detail: o.error ?? o.evaluation?.detail ?? null,
  };
  const endpointIds = rule.channels.length ? rule.channels.map(Number).filter(Number.isInteger) : null;
  if (kind === 'firing' && newlyFiring) d.onAlertCreated?.(rule);
  let sent = 0;
  // Anomaly and action events do not depend on silences (they gate notifications only).
  if (kind === 'firing' && newlyFiring) {
    if (rule.condition.type === 'anomaly' && o.evaluation) {
      d.onAnomaly?.(rule);
      sent += await enqueue(q, {
        kind: 'anomaly', type: 'analytics.anomaly', merchantId, endpointIds, at: now, opsOnly: rule.merchant_id === null,
        dedupeKey: `anomaly:${alertId}:${o.evaluation.window.from}`,
        payload: {
          z_score: o.evaluation.z ?? null, baseline: o.evaluation.baseline ?? null, observed: o.evaluation.observed,
          scope: { metric: rule.metric, group: o.group, merchant_id: merchantId },
          window: { from: new Date(o.evaluation.window.from).toISOString(), to: new Date(o.evaluation.window.to).toISOString() },
          alert_id: alertId,
        },
      }, d.eventTopics);
    }
    for (const action of rule.auto_actions) {
      if (merchantId === null) continue; // the rule schema requires a merchant for actions; belt and braces
      const type = action === 'pause_payouts' ? 'merchant.payouts.pause_requested' : 'merchant.flagged';
      // Once per alert, to the ops-wide endpoints only (the merchant concerned is not tipped off).
      const added = await enqueue(q, {
        kind: 'action', type, payload: { merchant_id: merchantId, alert_id: alertId, reason: rule.name },
        dedupeKey: `action:${alertId}:${action}`, merchantId: null, opsOnly: true, at: now,
      }, d.eventTopics);
      if (added) await audit(q, 'system', `action.${action}`, 'alert', alertId, merchantId, { type });
      sent += added;
    }
  }
  if (await isSilenced(q, labels, { alertMerchant: merchantId, ruleMerchant: rule.merchant_id }, now)) {
    // Not sent: the alert keeps its previous notification time, so a reminder follows the silence.
    await q.query('UPDATE alerts SET last_notified_at = $2 WHERE id = $1', [alertId, previouslyNotified]);
    await audit(q, 'system', `alert.${kind}.silenced`, 'alert', alertId, merchantId, { labels });
    return sent;
  }
  // An ops rule's alerts go to ops endpoints; a merchant's rule notifies its own endpoints (and ops').
  sent += await enqueue(q, {
    kind: 'alert', type: `alert.${kind}`, payload, dedupeKey: `alert:${alertId}:${kind}:${now}`, merchantId, endpointIds, at: now, opsOnly: rule.merchant_id === null,
  }, d.eventTopics);
  return sent;
}

const date = (ms: number | null) => (ms === null ? null : new Date(ms));

/** The merchant an alert concerns: the rule's, else its group's, else the rule's single merchant filter. */
export function alertMerchant(rule: StoredRule, group: Record<string, string | null>): string | null {
  if (rule.merchant_id) return rule.merchant_id;
  if (group.merchant_id) return group.merchant_id;
  const f = rule.filters.merchant_id ?? [];
  return f.length === 1 ? f[0] : null;
}
