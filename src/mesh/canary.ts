// Canaries (docs/mesh.md#canary-and-kill-switch): a proposal awaiting approval goes live for a
// share of its table's payments (those whose canary bucket, a hash of the payment id, is under
// the percentage), linked to an alert rule. At most one canary per table (a unique index). It
// ends by an operator (stop: back to pending_approval, to be approved or rejected as before) or
// by itself: when its alert rule fires after the canary started, `rollBackFiredCanaries` (run
// by the evaluator role, part 'mesh-canary-watch') marks it rolled_back — the decision API stops
// routing by it at its next snapshot read. Every change is in the action log with its event.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { proposalEvent, recordAction, type MeshDeps } from './mesh-actions.ts';
import { policyFor } from './policies.ts';
import { COLUMNS as PROPOSAL_COLUMNS, viewOf, type ProposalRow } from './proposal-record.ts';
import { lockTable } from './routing-tables.ts';
import type { MeshRegion } from './model.ts';

export type CanaryDeps = Pick<MeshDeps, 'state' | 'now' | 'eventTopics'>;

export interface CanaryState {
  proposal_id: string;
  region: string;
  currency: string;
  status: string;
  canary_percent: number | null;
  canary_alert_rule_id: number | null;
  canary_started_at: string | null;
}

interface Row {
  id: string; region: MeshRegion; currency: string; status: string; base_version: number;
  canary_percent: number | null; canary_alert_rule_id: number | null; canary_started_at: Date | null;
}

const toState = (r: Row): CanaryState => ({
  proposal_id: r.id, region: r.region, currency: r.currency, status: r.status,
  canary_percent: r.canary_percent === null ? null : Number(r.canary_percent),
  canary_alert_rule_id: r.canary_alert_rule_id === null ? null : Number(r.canary_alert_rule_id),
  canary_started_at: r.canary_started_at?.toISOString() ?? null,
});

const COLUMNS = 'id, region, currency, status, base_version, canary_percent, canary_alert_rule_id, canary_started_at';

async function proposalView(q: Queryable, id: string) {
  const [row] = await q.query<ProposalRow>(`SELECT ${PROPOSAL_COLUMNS} FROM mesh_proposals WHERE id = $1`, [id]);
  return viewOf(row);
}

/**
 * Puts a pending proposal live for `percent` % of its table's payments, rolled back when the alert
 * rule `alertRuleId` fires. canary_not_allowed (409): not pending, or based on a version that is no
 * longer the table's current one; canary_exists (409): the table has a canary already.
 */
export async function startCanary(d: CanaryDeps, id: string, percent: number, alertRuleId: number, actor: string): Promise<CanaryState> {
  const now = d.now();
  return d.state.transaction(async (q) => {
    const [p] = await q.query<Row>(`SELECT ${COLUMNS} FROM mesh_proposals WHERE id = $1`, [id]);
    if (!p) throw new AppError('not_found', `no proposal ${id}`);
    await lockTable(q, p);
    const [again] = await q.query<Row>(`SELECT ${COLUMNS} FROM mesh_proposals WHERE id = $1 FOR UPDATE`, [id]);
    if (again.status !== 'pending_approval') {
      throw new AppError('canary_not_allowed', `proposal ${id} is ${again.status}: only a proposal awaiting approval can go live as a canary`, { proposal_status: again.status });
    }
    const [current] = await q.query<{ version: number | null }>(
      'SELECT max(version) AS version FROM mesh_routing_versions WHERE region = $1 AND currency = $2', [p.region, p.currency]);
    if (current.version === null || Number(current.version) !== Number(p.base_version)) {
      throw new AppError('canary_not_allowed', `proposal ${id} is based on version ${p.base_version} of ${p.region}/${p.currency}, which is at version ${current.version ?? 'none'}`, {
        base_version: Number(p.base_version), current_version: current.version === null ? null : Number(current.version),
      });
    }
    const [live] = await q.query<{ id: string }>(`SELECT id FROM mesh_proposals WHERE region = $1 AND currency = $2 AND status = 'canary'`, [p.region, p.currency]);
    if (live) throw new AppError('canary_exists', `proposal ${live.id} is live as the ${p.region}/${p.currency} canary already: stop it first`, { proposal_id: live.id });
    const { limits } = await policyFor(q, p.region, p.currency);
    if (limits.max_canary_percent !== null && percent > limits.max_canary_percent) {
      throw new AppError('canary_above_policy', `the ${p.region}/${p.currency} policy allows canaries of at most ${limits.max_canary_percent} %`, { max_canary_percent: limits.max_canary_percent });
    }
    const rule = await q.query('SELECT 1 FROM alert_rules WHERE id = $1 AND deleted_at IS NULL', [alertRuleId]);
    if (rule.length === 0) throw new AppError('invalid_parameter', `alert_rule_id ${alertRuleId} is not an alert rule`);
    const [row] = await q.query<Row>(
      `UPDATE mesh_proposals SET status = 'canary', canary_percent = $2, canary_alert_rule_id = $3, canary_started_at = $4
       WHERE id = $1 RETURNING ${COLUMNS}`, [id, percent, alertRuleId, new Date(now)]);
    const state = toState(row);
    await recordAction(q, d, { actor, action: 'canary.started', target: `proposal:${id}`, result: { canary: state } }, now);
    return state;
  });
}

/** Ends a canary by hand: the proposal awaits approval again. canary_not_running (409) when it is not live. */
export async function stopCanary(d: CanaryDeps, id: string, actor: string): Promise<CanaryState> {
  const now = d.now();
  return d.state.transaction(async (q) => {
    const [p] = await q.query<Row>(`SELECT ${COLUMNS} FROM mesh_proposals WHERE id = $1 FOR UPDATE`, [id]);
    if (!p) throw new AppError('not_found', `no proposal ${id}`);
    if (p.status !== 'canary') throw new AppError('canary_not_running', `proposal ${id} is ${p.status}, not live as a canary`, { proposal_status: p.status });
    const [row] = await q.query<Row>(`UPDATE mesh_proposals SET status = 'pending_approval' WHERE id = $1 RETURNING ${COLUMNS}`, [id]);
    const state = toState(row);
    await recordAction(q, d, {
      actor, action: 'canary.stopped', target: `proposal:${id}`, result: { canary: state, stopped_at: new Date(now).toISOString() },
    }, now);
    return state;
  });
}

/**
 * Rolls back every canary whose alert rule has a firing alert that started firing after the
 * canary started: status rolled_back, decided by 'system', in the action log with the event
 * mesh.canary.rolled_back. Returns the proposals rolled back.
 */
export async function rollBackFiredCanaries(d: CanaryDeps): Promise<string[]> {
  const fired = await d.state.query<{ id: string; alert_id: number }>(
    `SELECT p.id, min(a.id) AS alert_id FROM mesh_proposals p
     JOIN alerts a ON a.rule_id = p.canary_alert_rule_id AND a.state = 'firing' AND coalesce(a.firing_since, a.started_at) >= p.canary_started_at
     WHERE p.status = 'canary' GROUP BY p.id ORDER BY p.id`);
  const done: string[] = [];
  for (const f of fired) {
    const now = d.now();
    const rolled = await d.state.transaction(async (q) => {
      const [row] = await q.query<Row>(
        `UPDATE mesh_proposals SET status = 'rolled_back', decided_at = $2, decided_by = 'system'
         WHERE id = $1 AND status = 'canary' RETURNING ${COLUMNS}`, [f.id, new Date(now)]);
      if (!row) return false; // stopped or rolled back meanwhile
      await proposalEvent(q, d, 'rolled_back', await proposalView(q, f.id), now);
      await recordAction(q, d, {
        actor: 'system', action: 'canary.rolled_back', target: `proposal:${f.id}`,
        result: { canary: toState(row), alert_id: Number(f.alert_id), alert_rule_id: Number(row.canary_alert_rule_id) },
      }, now);
      return true;
    });
    if (rolled) done.push(f.id);
  }
  return done;
}

/**
 * Ends the canaries whose table moved on since they were proposed (another proposal applied, a
 * static table set, a rollback): their routes were made for a version that is no longer the
 * table's, so they are superseded (as approving them would make them) and the decision API has
 * stopped routing by them already (routing-snapshot.ts ignores them). Returns the proposals.
 */
export async function supersedeStaleCanaries(d: CanaryDeps): Promise<string[]> {
  const stale = await d.state.query<{ id: string }>(
    `SELECT p.id FROM mesh_proposals p WHERE p.status = 'canary' AND p.base_version <>
       (SELECT coalesce(max(v.version), 0) FROM mesh_routing_versions v WHERE v.region = p.region AND v.currency = p.currency)
     ORDER BY p.id`);
  const done: string[] = [];
  for (const { id } of stale) {
    const now = d.now();
    const ended = await d.state.transaction(async (q) => {
      const [row] = await q.query<Row>(
        `UPDATE mesh_proposals SET status = 'superseded', decided_at = $2, decided_by = 'system'
         WHERE id = $1 AND status = 'canary' RETURNING ${COLUMNS}`, [id, new Date(now)]);
      if (!row) return false;
      await recordAction(q, d, { actor: 'system', action: 'canary.superseded', target: `proposal:${id}`, result: { canary: toState(row) } }, now);
      return true;
    });
    if (ended) done.push(id);
  }
  return done;
}
