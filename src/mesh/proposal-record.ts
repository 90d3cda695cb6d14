// A proposal as stored (mesh_proposals) and as the API shows it; reading proposals: one by id, or
// a keyset page. The changes are proposals.ts's.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';
import type { MeshRegion, Proposal, ProposalStatus, Route } from './model.ts';
import { routeView, type RouteView } from './routing-tables.ts';

export interface ProposalView {
  id: string;
  region: MeshRegion;
  currency: string;
  base_version: number;
  routes: RouteView[];
  rationale: Array<{ method: string; min_amount: number; max_amount: number | null; prediction_ids: string[]; note: string }>;
  confidence: number;
  status: ProposalStatus;
  simulation: Record<string, unknown> | null;
  canary_percent: number | null;
  canary_alert_rule_id: number | null;
  applied_version: number | null;
  created_at: string;
  created_by: string;
  decided_at: string | null;
  decided_by: string | null;
}

export interface ProposalRow {
  id: string; region: MeshRegion; currency: string; base_version: number; routes: Route[]; rationale: Proposal['rationale'];
  confidence: number; status: ProposalStatus; simulation: Record<string, unknown> | null; canary_percent: number | null;
  canary_alert_rule_id: number | null; applied_version: number | null; created_at: Date; created_by: string;
  decided_at: Date | null; decided_by: string | null;
}

export const COLUMNS = `id, region, currency, base_version, routes, rationale, confidence, status, simulation, canary_percent,
  canary_alert_rule_id, applied_version, created_at, created_by, decided_at, decided_by`;

export function viewOf(r: ProposalRow): ProposalView {
  return {
    id: r.id, region: r.region, currency: r.currency, base_version: r.base_version, routes: r.routes.map(routeView),
    rationale: r.rationale.map((x) => ({ method: x.method, min_amount: x.minAmount, max_amount: x.maxAmount, prediction_ids: x.predictionIds, note: x.note })),
    confidence: r.confidence, status: r.status, simulation: r.simulation, canary_percent: r.canary_percent,
    canary_alert_rule_id: r.canary_alert_rule_id, applied_version: r.applied_version, created_at: r.created_at.toISOString(),
    created_by: r.created_by, decided_at: r.decided_at?.toISOString() ?? null, decided_by: r.decided_by,
  };
}

export async function lockedProposal(q: Queryable, id: string): Promise<ProposalRow> {
  const [row] = await q.query<ProposalRow>(`SELECT ${COLUMNS} FROM mesh_proposals WHERE id = $1 FOR UPDATE`, [id]);
  if (!row) throw new AppError('not_found', `no proposal ${id}`);
  return row;
}

export async function getProposal(q: Queryable, id: string): Promise<ProposalView> {
  const [row] = await q.query<ProposalRow>(`SELECT ${COLUMNS} FROM mesh_proposals WHERE id = $1`, [id]);
  if (!row) throw new AppError('not_found', `no proposal ${id}`);
  return viewOf(row);
}

export const MAX_PROPOSAL_PAGE = 200;

export interface ProposalQuery {
  statuses: string[];
  region: MeshRegion | null;
  currency: string | null;
  cursor: string | undefined;
  limit: number;
}

/** Newest first; the cursor is the last item's creation time and id. */
export async function listProposals(q: Queryable, f: ProposalQuery): Promise<{ items: ProposalView[]; next_cursor: string | null }> {
  let after: [Date, string] | null = null;
  if (f.cursor !== undefined) {
    const m = /^([0-9]{1,15})_(prop_[0-9a-f]{1,64})$/.exec(f.cursor);
    if (!m) throw new AppError('invalid_parameter', 'cursor is not one this API returned');
    after = [new Date(Number(m[1])), m[2]];
  }
  const rows = await q.query<ProposalRow>(
    `SELECT ${COLUMNS} FROM mesh_proposals
     WHERE (cardinality($1::text[]) = 0 OR status = ANY($1::text[])) AND ($2::text IS NULL OR region = $2) AND ($3::text IS NULL OR currency = $3)
       AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
     ORDER BY created_at DESC, id DESC LIMIT $6`,
    [f.statuses, f.region, f.currency, after?.[0] ?? null, after?.[1] ?? null, f.limit + 1]);
  const page = rows.slice(0, f.limit);
  const last = page[page.length - 1];
  return { items: page.map(viewOf), next_cursor: rows.length > f.limit ? `${last.created_at.getTime()}_${last.id}` : null };
}
