// Proposals (state table mesh_proposals): a new set of routes for one table, based on one of its
// versions, made by hand (POST /proposals) or from predictions (mesh-health's generate, through
// createProposal). Once stored, the table's policy (policies.ts) decides: applied at once by
// 'system', or pending_approval until an operator approves or rejects it. Applying writes the
// table's next version — every route of the proposal or none — and only on top of the version
// the proposal was based on; a proposal whose base has moved on is superseded. An applied
// proposal can be rolled back within ROLLBACK_WINDOW_MS while its version is still the table's.

import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { fingerprintOf } from '../merchant/idempotency.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { proposalEvent, recordAction, type MeshDeps } from './mesh-actions.ts';
import { runOnce, storeAnswer, type KeyedAnswer } from './mesh-idempotency.ts';
import { routableProviders } from './members.ts';
import type { MeshRegion, Proposal, Route } from './model.ts';
import { policyFor, type PolicyView } from './policies.ts';
import { COLUMNS, getProposal, lockedProposal, viewOf, type ProposalRow, type ProposalView } from './proposal-record.ts';
import { changedShare, mergeRoutes, validateRoutes } from './routing-rules.ts';
import { checkBase, currentVersion, insertVersion, lockTable, routeView, versionAt } from './routing-tables.ts';

export type { ProposalView };

export const ROLLBACK_WINDOW_MS = 24 * 3_600_000;

/** What a proposal is made of; the rest (status, who, when) is the mesh's. */
export interface ProposalDraft {
  region: MeshRegion;
  currency: string;
  baseVersion: number;
  routes: Route[];
  rationale: Proposal['rationale'];
  confidence: number;
}

/** What the table's policy did with a new proposal, and why. */
export interface PolicyDecision {
  outcome: 'applied' | 'pending_approval' | 'superseded';
  policy_id: string | null;
  mode: PolicyView['mode'];
  threshold: number;
  reason: string;
}

/** The proposal's table's lock, then its row's: the order every writer of a table takes them in. */
async function lockedForTable(q: Queryable, id: string): Promise<ProposalRow> {
  const [t] = await q.query<{ region: MeshRegion; currency: string }>('SELECT region, currency FROM mesh_proposals WHERE id = $1', [id]);
  if (!t) throw new AppError('not_found', `no proposal ${id}`);
  await lockTable(q, t);
  return lockedProposal(q, id);
}

const target = (p: { id: string }) => `proposal:${p.id}`;

/**
 * Stores a proposal, then applies its table's policy: `auto` with confidence at or above the
 * threshold, and within the limits → applied at once by 'system'; otherwise it waits for an ops
 * approval. The proposal must be based on the table's current version (else stale_version,
 * nothing stored) and its routes well formed (else invalid_route); membership is checked when it
 * is applied. Exported for mesh-health's POST /proposals/generate.
 */
export async function createProposal(
  deps: MeshDeps, draft: ProposalDraft, actor: string,
): Promise<{ proposal: ProposalView; policy: PolicyDecision }> {
  const now = deps.now();
  const id = `prop_${randomBytes(10).toString('hex')}`;
  // Well formed on their own (bands, providers); membership is the applying transaction's check.
  validateRoutes(draft.routes, draft.routes, null);
  const { stored, policy } = await deps.state.transaction(async (q) => {
    await lockTable(q, draft);
    checkBase(draft, await currentVersion(q, draft), draft.baseVersion);
    const [row] = await q.query<ProposalRow>(
      `INSERT INTO mesh_proposals (id, region, currency, base_version, routes, rationale, confidence, status, created_at, created_by)
       VALUES ($1, $2, $3, $4, $5::jsonb, $6::jsonb, $7, 'pending_approval', $8, $9) RETURNING ${COLUMNS}`,
      [id, draft.region, draft.currency, draft.baseVersion, JSON.stringify(draft.routes), JSON.stringify(draft.rationale), draft.confidence, new Date(now), actor]);
    const view = viewOf(row);
    await recordAction(q, deps, { actor, action: 'proposal.created', target: target(view), result: { proposal: view } }, now);
    await proposalEvent(q, deps, 'created', view, now);
    return { stored: view, policy: await policyFor(q, draft.region, draft.currency) };
  });
  const decision = (outcome: PolicyDecision['outcome'], reason: string): PolicyDecision => ({
    outcome, policy_id: policy.id, mode: policy.mode, threshold: policy.auto_confidence_threshold, reason,
  });
  if (policy.mode !== 'auto') return { proposal: stored, policy: decision('pending_approval', 'the policy requires an approval') };
  if (draft.confidence < policy.auto_confidence_threshold) {
    return { proposal: stored, policy: decision('pending_approval', `confidence ${draft.confidence} is below the threshold ${policy.auto_confidence_threshold}`) };
  }
  try {
    const outcome = await deps.state.transaction((q) => applyIn(deps, q, id, 'system', 'auto', policy));
    if ('refused' in outcome) return { proposal: outcome.proposal, policy: decision('superseded', outcome.refused.message) };
    await countApplied(deps, outcome.proposal, 'auto');
    return { proposal: outcome.proposal, policy: decision('applied', `confidence ${draft.confidence} reaches the threshold ${policy.auto_confidence_threshold}`) };
  } catch (err) {
    // Not applicable by itself (a route naming no active member, beyond a limit): an operator decides.
    if (!(err instanceof AppError) || err.status >= 500) throw err;
    return { proposal: await getProposal(deps.state, id), policy: decision('pending_approval', `not applied automatically: ${err.message}`) };
  }
}

type Applied = { proposal: ProposalView } | { proposal: ProposalView; refused: AppError };

/**
 * Applies a pending proposal in the caller's transaction: a new version of its table, made of
 * the table's routes with the proposal's merged in. A base that moved on marks it superseded
 * (committed, returned as `refused`); an invalid route throws (nothing written).
 */
async function applyIn(
  deps: MeshDeps, q: Queryable, id: string, actor: string, trigger: 'approval' | 'auto', policy: PolicyView | null, comment: string | null = null,
): Promise<Applied> {
  const now = deps.now();
  const p = await lockedForTable(q, id);
  // A live canary is approved as it is (its canary ends: the proposal is applied for every payment).
  if (p.status !== 'pending_approval' && !(p.status === 'canary' && trigger === 'approval')) {
    throw new AppError('proposal_not_pending', `proposal ${id} is ${p.status}`, { proposal_status: p.status });
  }
  if (trigger === 'approval' && p.created_by === actor) {
    throw new AppError('four_eyes_required', 'the proposal\'s author may not approve it: another operator must');
  }
  const current = await currentVersion(q, p);
  try {
    checkBase(p, current, p.base_version);
  } catch (err) {
    await q.query('UPDATE mesh_proposals SET status = \'superseded\', decided_at = $2, decided_by = $3 WHERE id = $1', [id, new Date(now), actor]);
    const proposal = viewOf({ ...p, status: 'superseded', decided_at: new Date(now), decided_by: actor });
    await recordAction(q, deps, { actor, action: 'proposal.superseded', target: target(p), result: { current_version: current?.version ?? 0, proposal } }, now);
    return { proposal, refused: err as AppError };
  }
  const table = current?.routes ?? [];
  const merged = mergeRoutes(table, p.routes);
  validateRoutes(p.routes, merged, await routableProviders(q, p.region, p.currency));
  const limit = policy?.limits.max_route_share ?? null;
  if (trigger === 'auto' && limit !== null && changedShare(table, p.routes) > limit) {
    throw new AppError('invalid_route', `it changes more than the policy's max_route_share (${limit}) of the table`, { max_route_share: limit });
  }
  const version = await insertVersion(q, {
    region: p.region, currency: p.currency, version: p.base_version + 1, kind: 'proposal', routes: merged, proposalId: id, restoredVersion: null, createdBy: actor,
  }, now);
  await q.query(
    'UPDATE mesh_proposals SET status = \'applied\', applied_version = $2, decided_at = $3, decided_by = $4 WHERE id = $1',
    [id, version.version, new Date(now), actor]);
  const proposal = viewOf({ ...p, status: 'applied', applied_version: version.version, decided_at: new Date(now), decided_by: actor });
  await recordAction(q, deps, {
    actor, action: 'proposal.applied', target: target(p),
    result: { trigger, version: version.version, base_version: p.base_version, routes: merged.map(routeView) },
  }, now);
  await proposalEvent(q, deps, 'applied', proposal, now);
  return { proposal };
}

/** An operator approves (mesh:approve), once per Idempotency-Key: applied, or refused with nothing applied. */
export async function approveProposal(
  deps: MeshDeps, id: string, actor: string, key: string, comment: string | null,
): Promise<KeyedAnswer<ProposalView>> {
  const fingerprint = fingerprintOf(['proposal.approve', id, comment]);
  const answer = await runOnce<ProposalView>(deps.state, key, fingerprint, deps.now(), (claim) => deps.state.transaction(async (q) => {
    const outcome = await applyIn(deps, q, id, actor, 'approval', null, comment);
    if ('refused' in outcome) {
      await storeAnswer(q, claim, outcome.refused.status, outcome.refused);
      return { replayed: false, status: outcome.refused.status, error: outcome.refused };
    }
    await storeAnswer(q, claim, 200, outcome.proposal);
    return { replayed: false, status: 200, body: outcome.proposal };
  }));
  if (!answer.replayed && answer.body) await countApplied(deps, answer.body, 'approval');
  return answer;
}

async function countApplied(deps: MeshDeps, p: { region: string; currency: string }, trigger: 'approval' | 'auto' | 'rollback') {
  deps.onApplied?.({ region: p.region, currency: p.currency, trigger });
  await deps.onRoutingChanged?.();
}

/** Rejects a pending proposal (its author may withdraw it so). */
export async function rejectProposal(deps: MeshDeps, id: string, actor: string, reason: string | null): Promise<ProposalView> {
  const now = deps.now();
  return deps.state.transaction(async (q) => {
    const p = await lockedProposal(q, id);
    if (p.status !== 'pending_approval') throw new AppError('proposal_not_pending', `proposal ${id} is ${p.status}`, { proposal_status: p.status });
    await q.query('UPDATE mesh_proposals SET status = \'rejected\', decided_at = $2, decided_by = $3 WHERE id = $1', [id, new Date(now), actor]);
    const proposal = viewOf({ ...p, status: 'rejected', decided_at: new Date(now), decided_by: actor });
    await recordAction(q, deps, { actor, action: 'proposal.rejected', target: target(p), result: { reason, proposal } }, now);
    await proposalEvent(q, deps, 'rejected', proposal, now);
    return proposal;
  });
}

/**
 * Rolls an applied proposal back: the version before it, restored exactly as a new version
 * (kind 'rollback'), within ROLLBACK_WINDOW_MS of its application, and only while its version is
 * still the table's (a later change would be undone unseen).
 */
export async function rollbackProposal(deps: MeshDeps, id: string, actor: string, reason: string | null): Promise<ProposalView> {
  const now = deps.now();
  const result = await deps.state.transaction(async (q) => {
    const p = await lockedForTable(q, id);
    if (p.status !== 'applied' || p.applied_version === null || p.decided_at === null) {
      throw new AppError('proposal_not_applied', `proposal ${id} is ${p.status}`, { proposal_status: p.status });
    }
    if (now - p.decided_at.getTime() > ROLLBACK_WINDOW_MS) {
      throw new AppError('rollback_window_passed', `proposal ${id} was applied at ${p.decided_at.toISOString()}, more than 24 hours ago`);
    }
    const current = await currentVersion(q, p);
    if (current?.version !== p.applied_version) {
      throw new AppError('stale_version', `${p.region}/${p.currency} moved on to version ${current?.version} after the proposal's version ${p.applied_version}; roll back the later change first`,
        { current_version: current?.version ?? 0, applied_version: p.applied_version });
    }
    const previous = p.applied_version - 1;
    const restored = previous === 0 ? [] : (await versionAt(q, p, previous))!.routes;
    const version = await insertVersion(q, {
      region: p.region, currency: p.currency, version: current.version + 1, kind: 'rollback', routes: restored, proposalId: id,
      restoredVersion: previous, createdBy: actor,
    }, now);
    await q.query('UPDATE mesh_proposals SET status = \'rolled_back\' WHERE id = $1', [id]);
    const proposal = viewOf({ ...p, status: 'rolled_back' });
    await recordAction(q, deps, {
      actor, action: 'proposal.rolled_back', target: target(p), result: { reason, version: version.version, restored_version: previous },
    }, now);
    await proposalEvent(q, deps, 'rolled_back', proposal, now);
    return proposal;
  });
  await countApplied(deps, result, 'rollback');
  return result;
}
