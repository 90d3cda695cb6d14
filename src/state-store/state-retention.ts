// Retention of the state store: what nothing reads any more once it is old enough. Each rule is
// one predicate over one table, with its setting; the dry run selects the ids the predicate
// matches and the run deletes by the same predicate (RETURNING the ids), in one transaction, so a
// dry run at the same `now` lists exactly what the run deletes. Rows that only hang off a
// deleted row (an alert's comments, an outbox message's delivery attempts) go with it.
//
// - resolved alerts, resolved more than ALERT_RETENTION_DAYS ago (not one a dispute reminder
//   names: that row is the reminder's once-only claim);
// - the audit logs (audit_log, merchant_audit), AUDIT_RETENTION_DAYS;
// - the webhook outbox's finished messages (delivered, dead, suppressed) and their delivery
//   attempts, and the Kafka outbox's (delivered, dead), OUTBOX_RETENTION_DAYS after they were
//   queued (their dedupe keys name alert ids, never reused: nothing is sent twice);
// - Idempotency-Key answers past their expiry (expires_at; merchant/idempotency.ts sets it).
// A setting of 0 keeps those rows forever. Running it twice, or from two processes at once, is
// harmless.

import type { Queryable, StateStore } from './state-store.ts';

const DAY_MS = 86_400_000;

export interface StateRetentionPolicy {
  alertDays: number;
  auditDays: number;
  outboxDays: number;
}

interface Rule {
  /** The report's name of what it deletes. */
  name: string;
  table: string;
  /** The key column(s), as one text value. */
  id: string;
  /** The predicate; $1 is the rule's cutoff. */
  where: string;
  /** null: the rule is off (its setting is 0, keep forever). */
  cutoff: (p: StateRetentionPolicy, now: number) => Date | null;
  /** Rows hanging off a deleted row (`column` holds its id), deleted first. */
  dependents?: Array<{ table: string; column: string }>;
}

const before = (days: (p: StateRetentionPolicy) => number) => (p: StateRetentionPolicy, now: number) =>
  (days(p) === 0 ? null : new Date(now - days(p) * DAY_MS));

const RULES: readonly Rule[] = [
  {
    name: 'resolved_alerts', table: 'alerts', id: 'id::text',
    where: `state = 'resolved' AND resolved_at < $1
      AND NOT EXISTS (SELECT 1 FROM merchant_dispute_reminders r WHERE r.alert_id = alerts.id)`,
    cutoff: before((p) => p.alertDays),
    dependents: [{ table: 'alert_comments', column: 'alert_id' }],
  },
  { name: 'audit_log', table: 'audit_log', id: 'id::text', where: 'at < $1', cutoff: before((p) => p.auditDays) },
  { name: 'merchant_audit', table: 'merchant_audit', id: 'id::text', where: 'at < $1', cutoff: before((p) => p.auditDays) },
  {
    name: 'webhook_outbox', table: 'outbox', id: 'id::text',
    where: `status IN ('delivered', 'dead', 'suppressed') AND created_at < $1`,
    cutoff: before((p) => p.outboxDays),
    dependents: [{ table: 'delivery_log', column: 'outbox_id' }],
  },
  {
    name: 'kafka_outbox', table: 'kafka_outbox', id: 'id::text',
    where: `status IN ('delivered', 'dead') AND created_at < $1`, cutoff: before((p) => p.outboxDays),
  },
  {
    name: 'idempotency_keys', table: 'merchant_idempotency_keys', id: `merchant_id || '/' || key`,
    where: 'expires_at <= $1', cutoff: (_p, now) => new Date(now),
  },
];

export interface StateRetentionItem {
  name: string;
  /** Rows before this go (ISO); null: kept forever (the setting is 0). */
  cutoff: string | null;
  /** The rows' ids (for composite keys, `merchant/key`), sorted. */
  ids: string[];
  /** Rows hanging off them, per table. */
  dependents: Record<string, number>;
}

/** What a run at `now` deletes (dryRun) or deleted. */
export async function runStateRetention(state: StateStore, policy: StateRetentionPolicy, now: number, dryRun: boolean): Promise<StateRetentionItem[]> {
  return state.transaction(async (q) => {
    const out: StateRetentionItem[] = [];
    for (const rule of RULES) {
      const cutoff = rule.cutoff(policy, now);
      out.push(cutoff === null ? { name: rule.name, cutoff: null, ids: [], dependents: {} } : await applyRule(q, rule, cutoff, dryRun));
    }
    return out;
  });
}

async function applyRule(q: Queryable, rule: Rule, cutoff: Date, dryRun: boolean): Promise<StateRetentionItem> {
  const ids = (await q.query<{ id: string }>(`SELECT ${rule.id} AS id FROM ${rule.table} WHERE ${rule.where}`, [cutoff])).map((r) => r.id);
  const dependents: Record<string, number> = {};
  for (const d of rule.dependents ?? []) {
    const match = `${d.table} WHERE ${d.column}::text = ANY($1::text[])`;
    const sql = dryRun ? `SELECT count(*)::int AS n FROM ${match}` : `WITH gone AS (DELETE FROM ${match} RETURNING 1) SELECT count(*)::int AS n FROM gone`;
    dependents[d.table] = (await q.query<{ n: number }>(sql, [ids]))[0].n;
  }
  // By the ids selected (whose dependents are gone) and the predicate still holding.
  const deleted = dryRun ? ids : (await q.query<{ id: string }>(
    `DELETE FROM ${rule.table} WHERE ${rule.id} = ANY($2::text[]) AND ${rule.where} RETURNING ${rule.id} AS id`, [cutoff, ids])).map((r) => r.id);
  return { name: rule.name, cutoff: cutoff.toISOString(), ids: deleted.sort(), dependents };
}
