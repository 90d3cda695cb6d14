// Alert rules, silences and webhook endpoints in the state store, each confined to a merchant
// scope: `merchantId` null = ops (everything), else only rows of that merchant. Every change is
// written to the audit log with its actor, in the same transaction.

import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { AppError } from '../errors.ts';
import { parseRule, type Rule } from './rule-schema.ts';
import { resolveReferences } from './references.ts';

export interface Actor {
  sub: string;
  /** The merchant the actor is confined to (null = ops). */
  merchantId: string | null;
}

export interface StoredRule extends Rule {
  id: string;
  version: number;
  /** When the evaluator last looked at the rule, and why it could not (null = it could). */
  last_evaluated_at: string | null;
  last_error: string | null;
  created_by: string;
  created_at: string;
  updated_at: string;
}

interface RuleRow {
  id: number;
  merchant_id: string | null;
  definition: Record<string, unknown>;
  enabled: boolean;
  version: number;
  created_by: string;
  created_at: Date;
  updated_at: Date;
  last_evaluated_at?: Date | null;
  last_error?: string | null;
}

export async function audit(q: Queryable, actor: string, action: string, objectType: string, objectId: string | number | null,
  merchantId: string | null, detail: Record<string, unknown> = {}): Promise<void> {
  await q.query(
    'INSERT INTO audit_log (actor, action, object_type, object_id, merchant_id, detail) VALUES ($1, $2, $3, $4, $5, $6)',
    [actor, action, objectType, objectId === null ? null : String(objectId), merchantId, detail]);
}

export function toRule(r: RuleRow): StoredRule {
  return {
    ...(r.definition as unknown as Rule), id: String(r.id), enabled: r.enabled, merchant_id: r.merchant_id,
    version: r.version, created_by: r.created_by, created_at: r.created_at.toISOString(), updated_at: r.updated_at.toISOString(),
    last_evaluated_at: r.last_evaluated_at?.toISOString() ?? null, last_error: r.last_error ?? null,
  };
}

/**
 * A merchant's rule is always its own: merchant_id and the merchant filter are set from the
 * actor. Channels are endpoint ids; auto-actions need a merchant to act on.
 */
export function scopedRule(input: unknown, actor: Actor): Rule {
  const o = { ...(input as Record<string, unknown>) };
  delete o.id;
  if (actor.merchantId !== null) o.merchant_id = actor.merchantId;
  const rule = parseRule(o);
  for (const c of rule.channels) {
    if (!/^[1-9][0-9]{0,8}$/.test(c)) throw new AppError('invalid_parameter', `channels are webhook endpoint ids; ${JSON.stringify(c)} is not one`);
  }
  const oneMerchant = rule.merchant_id !== null || rule.group_by.includes('merchant_id') || rule.filters.merchant_id?.length === 1;
  if (rule.auto_actions.length && !oneMerchant) {
    throw new AppError('invalid_parameter', 'auto_actions act on a merchant: scope the rule to one merchant, or group it by merchant_id');
  }
  return rule;
}

/**
 * A rule's channels are endpoints the actor can see (else refused like missing ones) that can
 * receive the rule's alerts: ops-wide ones, or the rule's own merchant's (enqueue sends nothing
 * else, so anything else would be a channel that silently never fires).
 */
async function checkChannels(q: Queryable, actor: Actor, rule: Rule): Promise<void> {
  for (const e of await resolveReferences(q, actor, 'webhook_endpoint', 'channels', rule.channels)) {
    if (e.merchant_id !== null && e.merchant_id !== rule.merchant_id) {
      // Only ops can get here (a merchant sees its own endpoints only): naming the owner leaks nothing.
      throw new AppError('invalid_parameter', `channels: webhook endpoint ${e.id} is merchant ${e.merchant_id}'s; `
        + `this rule's alerts can go to ops-wide endpoints${rule.merchant_id === null ? '' : ` and merchant ${rule.merchant_id}'s`} only`);
    }
  }
}

/** Open alerts of a rule that stops being evaluated are closed with it (silently). */
async function closeOpenAlerts(q: Queryable, ruleId: string): Promise<void> {
  await q.query(`UPDATE alerts SET state = 'resolved', resolved_at = now(), resolved_by = 'rule disabled' WHERE rule_id = $1 AND state <> 'resolved'`, [Number(ruleId)]);
}

function definitionOf(rule: Rule): Record<string, unknown> {
  const { id: _id, enabled: _e, merchant_id: _m, ...definition } = rule;
  return definition;
}

export async function listRules(s: Queryable, actor: Actor): Promise<StoredRule[]> {
  const rows = await s.query<RuleRow>(
    'SELECT * FROM alert_rules WHERE deleted_at IS NULL AND ($1::text IS NULL OR merchant_id = $1) ORDER BY id', [actor.merchantId]);
  return rows.map(toRule);
}

export async function getRule(s: Queryable, actor: Actor, id: string): Promise<StoredRule | null> {
  if (!/^\d{1,9}$/.test(id)) return null;
  const [row] = await s.query<RuleRow>(
    'SELECT * FROM alert_rules WHERE id = $1 AND deleted_at IS NULL AND ($2::text IS NULL OR merchant_id = $2)', [Number(id), actor.merchantId]);
  return row ? toRule(row) : null;
}

/** `check` sees the parsed rule before it is stored (the routes check its filters against the data's dimensions). */
export async function createRule(s: StateStore, actor: Actor, input: unknown, check?: (rule: Rule) => void): Promise<StoredRule> {
  const rule = scopedRule(input, actor);
  check?.(rule);
  return s.transaction(async (q) => {
    await checkChannels(q, actor, rule);
    const [row] = await q.query<RuleRow>(
      'INSERT INTO alert_rules (merchant_id, name, definition, enabled, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING *',
      [rule.merchant_id, rule.name, definitionOf(rule), rule.enabled, actor.sub]);
    await audit(q, actor.sub, 'rule.created', 'alert_rule', row.id, rule.merchant_id, { rule: definitionOf(rule) });
    return toRule(row);
  });
}

/** Applies a partial change (any rule field); the whole result is validated again. */
export async function updateRule(s: StateStore, actor: Actor, id: string, patch: Record<string, unknown>,
  check?: (rule: Rule) => void): Promise<StoredRule | null> {
  const current = await getRule(s, actor, id);
  if (!current) return null;
  const { id: _i, version: _v, created_by: _c, created_at: _ca, updated_at: _u, last_evaluated_at: _le, last_error: _lr, ...fields } = current;
  const rule = scopedRule({ ...fields, ...patch }, actor);
  check?.(rule);
  return s.transaction(async (q) => {
    await checkChannels(q, actor, rule);
    const [row] = await q.query<RuleRow>(
      `UPDATE alert_rules SET name = $2, definition = $3, enabled = $4, version = version + 1, updated_at = now()
       WHERE id = $1 RETURNING *`, [Number(id), rule.name, definitionOf(rule), rule.enabled]);
    if (!rule.enabled) await closeOpenAlerts(q, id);
    await audit(q, actor.sub, 'rule.updated', 'alert_rule', id, rule.merchant_id, { patch });
    return toRule(row);
  });
}

export async function deleteRule(s: StateStore, actor: Actor, id: string): Promise<boolean> {
  const current = await getRule(s, actor, id);
  if (!current) return false;
  await s.transaction(async (q) => {
    await q.query('UPDATE alert_rules SET deleted_at = now(), enabled = false WHERE id = $1', [Number(id)]);
    await closeOpenAlerts(q, id);
    await audit(q, actor.sub, 'rule.deleted', 'alert_rule', id, current.merchant_id);
  });
  return true;
}
