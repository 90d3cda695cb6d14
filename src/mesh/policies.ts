// Mesh policies (state table mesh_policies): how proposals for a region — and a currency, or
// every currency (null) — are applied. `auto`: a proposal whose confidence reaches the
// threshold, and that stays within the limits, is applied at once by 'system'; below it, or
// outside the limits, it waits for an ops approval. `approval_required`: every proposal waits.
// One active policy per (region, currency): a new one replaces the previous atomically. A table
// without one (neither its currency's nor its region's) waits for approval, as the safe default.

import { randomBytes } from 'node:crypto';
import type { Queryable } from '../state-store/state-store.ts';
import { recordAction, type MeshDeps } from './mesh-actions.ts';
import type { MeshRegion } from './model.ts';
import { lockMesh } from './routing-tables.ts';

export const DEFAULT_AUTO_CONFIDENCE_THRESHOLD = 0.85;

export interface PolicyLimits {
  /** An auto-applied proposal changes the providers of at most this share (0–1) of its table's routes; null: no limit. */
  max_route_share: number | null;
  /** The largest canary a proposal of this table may run (percent of traffic, 1–99); null: no limit. */
  max_canary_percent: number | null;
}

export interface PolicyView {
  id: string | null;
  region: MeshRegion;
  currency: string | null;
  mode: 'auto' | 'approval_required';
  auto_confidence_threshold: number;
  limits: PolicyLimits;
  created_by: string | null;
  created_at: string | null;
  active: boolean;
}

export interface PolicyRequest {
  region: MeshRegion;
  currency: string | null;
  mode: PolicyView['mode'];
  autoConfidenceThreshold: number;
  limits: PolicyLimits;
}

interface PolicyRow {
  id: string; region: MeshRegion; currency: string | null; mode: PolicyView['mode']; auto_confidence_threshold: number;
  limits: Partial<PolicyLimits>; created_by: string; created_at: Date; active: boolean;
}

const COLUMNS = 'id, region, currency, mode, auto_confidence_threshold, limits, created_by, created_at, active';

function viewOf(r: PolicyRow): PolicyView {
  return {
    id: r.id, region: r.region, currency: r.currency, mode: r.mode, auto_confidence_threshold: r.auto_confidence_threshold,
    limits: { max_route_share: r.limits.max_route_share ?? null, max_canary_percent: r.limits.max_canary_percent ?? null },
    created_by: r.created_by, created_at: r.created_at.toISOString(), active: r.active,
  };
}

export async function listPolicies(q: Queryable, f: { region: MeshRegion | null; activeOnly: boolean }): Promise<{ items: PolicyView[] }> {
  const rows = await q.query<PolicyRow>(
    `SELECT ${COLUMNS} FROM mesh_policies WHERE ($1::text IS NULL OR region = $1) AND (NOT $2 OR active)
     ORDER BY region, currency NULLS FIRST, created_at DESC, id`, [f.region, f.activeOnly]);
  return { items: rows.map(viewOf) };
}

/** Sets the policy of (region, currency): the previous active one is deactivated in the same transaction. */
export async function createPolicy(deps: MeshDeps, p: PolicyRequest, actor: string): Promise<PolicyView> {
  const now = deps.now();
  const id = `pol_${randomBytes(10).toString('hex')}`;
  return deps.state.transaction(async (q) => {
    await lockMesh(q, `policy:${p.region}:${p.currency ?? '*'}`);
    const replaced = await q.query<{ id: string }>(
      'UPDATE mesh_policies SET active = false WHERE active AND region = $1 AND currency IS NOT DISTINCT FROM $2 RETURNING id',
      [p.region, p.currency]);
    const [row] = await q.query<PolicyRow>(
      `INSERT INTO mesh_policies (id, region, currency, mode, auto_confidence_threshold, limits, created_by, created_at, active)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, true) RETURNING ${COLUMNS}`,
      [id, p.region, p.currency, p.mode, p.autoConfidenceThreshold, { ...p.limits }, actor, new Date(now)]);
    const view = viewOf(row);
    await recordAction(q, deps, {
      actor, action: 'policy.created', target: `policy:${p.region}/${p.currency ?? '*'}`,
      result: { policy: view, replaced: replaced.map((r) => r.id) },
    }, now);
    return view;
  });
}

/** The policy a table's proposals follow: its currency's, else its region's, else the default (approval_required). */
export async function policyFor(q: Queryable, region: MeshRegion, currency: string): Promise<PolicyView> {
  const [row] = await q.query<PolicyRow>(
    `SELECT ${COLUMNS} FROM mesh_policies WHERE active AND region = $1 AND (currency = $2 OR currency IS NULL)
     ORDER BY currency NULLS LAST LIMIT 1`, [region, currency]);
  if (row) return viewOf(row);
  return {
    id: null, region, currency: null, mode: 'approval_required', auto_confidence_threshold: DEFAULT_AUTO_CONFIDENCE_THRESHOLD,
    limits: { max_route_share: null, max_canary_percent: null }, created_by: null, created_at: null, active: true,
  };
}
