// Mesh members (state tables mesh_members, mesh_member_approvals): the banks, PSPs and rails a
// route may name, by their events' provider value, per region. A member is requested by an
// operator (pending_approval) and becomes active once it has both approvals — compliance's
// (mesh:compliance) and ops's (mesh:approve) — each from another person than the requester, and
// the two from two different people (four eyes, checked here, not by the client).

import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { Permission } from '../auth/access-table.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { recordAction, type MeshDeps } from './mesh-actions.ts';
import type { MeshRegion } from './model.ts';
import { memberRegionsOf } from './routing-rules.ts';

export type MemberKind = 'bank' | 'psp' | 'rail';
export type ApproverRole = 'compliance' | 'ops';

export interface MemberView {
  id: string;
  provider: string;
  name: string;
  kind: MemberKind;
  region: MeshRegion;
  currencies: string[];
  status: 'pending_approval' | 'active' | 'suspended';
  requested_by: string;
  created_at: string;
  approvals: Array<{ role: ApproverRole; approved_by: string; approved_at: string }>;
}

export interface MemberRequest {
  provider: string;
  name: string;
  kind: MemberKind;
  region: MeshRegion;
  currencies: string[];
}

interface MemberRow {
  id: string; provider: string; name: string; kind: MemberKind; region: MeshRegion; currency_codes: string[];
  status: MemberView['status']; requested_by: string; created_at: Date;
}

const COLUMNS = 'id, provider, name, kind, region, currency_codes, status, requested_by, created_at';

async function viewsOf(q: Queryable, rows: MemberRow[]): Promise<MemberView[]> {
  const approvals = rows.length === 0 ? [] : await q.query<{ member_id: string; approver_role: ApproverRole; approved_by: string; approved_at: Date }>(
    'SELECT member_id, approver_role, approved_by, approved_at FROM mesh_member_approvals WHERE member_id = ANY($1::text[]) ORDER BY approved_at, approver_role',
    [rows.map((r) => r.id)]);
  return rows.map((r) => ({
    id: r.id, provider: r.provider, name: r.name, kind: r.kind, region: r.region, currencies: r.currency_codes, status: r.status,
    requested_by: r.requested_by, created_at: r.created_at.toISOString(),
    approvals: approvals.filter((a) => a.member_id === r.id)
      .map((a) => ({ role: a.approver_role, approved_by: a.approved_by, approved_at: a.approved_at.toISOString() })),
  }));
}

export async function listMembers(q: Queryable, region: MeshRegion | null): Promise<{ items: MemberView[] }> {
  const rows = await q.query<MemberRow>(
    `SELECT ${COLUMNS} FROM mesh_members WHERE ($1::text IS NULL OR region = $1) ORDER BY region, provider`, [region]);
  return { items: await viewsOf(q, rows) };
}

export async function requestMember(deps: MeshDeps, m: MemberRequest, actor: string): Promise<MemberView> {
  const now = deps.now();
  const id = `mm_${randomBytes(10).toString('hex')}`;
  return deps.state.transaction(async (q) => {
    // A second request for one provider and region (even at the same moment) inserts nothing.
    const [row] = await q.query<MemberRow>(
      `INSERT INTO mesh_members (id, provider, name, kind, region, currency_codes, status, requested_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'pending_approval', $7, $8) ON CONFLICT (provider, region) DO NOTHING RETURNING ${COLUMNS}`,
      [id, m.provider, m.name, m.kind, m.region, [...new Set(m.currencies)], actor, new Date(now)]);
    if (!row) {
      const [taken] = await q.query<{ id: string }>('SELECT id FROM mesh_members WHERE provider = $1 AND region = $2', [m.provider, m.region]);
      throw new AppError('invalid_parameter', `provider ${m.provider} is a member of ${m.region} already (${taken?.id})`, { member_id: taken?.id ?? null });
    }
    const [view] = await viewsOf(q, [row]);
    await recordAction(q, deps, { actor, action: 'member.requested', target: `member:${id}`, result: { member: view } }, now);
    return view;
  });
}

/**
 * The role a principal approves as: compliance with mesh:compliance, ops with mesh:approve;
 * `asked` chooses when it holds both.
 */
export function approverRoleOf(permissions: ReadonlySet<Permission>, asked: ApproverRole | undefined): ApproverRole {
  const held: ApproverRole[] = [];
  if (permissions.has('mesh:compliance')) held.push('compliance');
  if (permissions.has('mesh:approve')) held.push('ops');
  if (asked !== undefined) {
    if (!held.includes(asked)) throw new AppError('approver_role_required', `approving as ${asked} takes ${asked === 'ops' ? 'mesh:approve' : 'mesh:compliance'}`);
    return asked;
  }
  if (held.length === 0) throw new AppError('approver_role_required', 'approving a member takes mesh:compliance or mesh:approve');
  if (held.length > 1) throw new AppError('invalid_parameter', 'this token may approve as compliance or as ops: say which in `as`');
  return held[0];
}

export interface Approver {
  sub: string;
  permissions: ReadonlySet<Permission>;
  /** The approval to give, when the approver may give either. */
  as?: ApproverRole;
}

/** Gives the member the approver's approval (its role from its permissions); the second one activates it. */
export async function approveMember(deps: MeshDeps, id: string, approver: Approver): Promise<MemberView> {
  const now = deps.now();
  const actor = approver.sub;
  return deps.state.transaction(async (q) => {
    const [row] = await q.query<MemberRow>(`SELECT ${COLUMNS} FROM mesh_members WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) throw new AppError('not_found', `no member ${id}`);
    const role = approverRoleOf(approver.permissions, approver.as);
    if (row.status !== 'pending_approval') throw new AppError('member_not_pending', `member ${id} is ${row.status}`);
    if (row.requested_by === actor) throw new AppError('four_eyes_required', 'the member\'s requester may not approve it: another person must');
    const given = await q.query<{ approver_role: ApproverRole; approved_by: string }>(
      'SELECT approver_role, approved_by FROM mesh_member_approvals WHERE member_id = $1', [id]);
    if (given.some((g) => g.approver_role === role)) throw new AppError('approval_exists', `member ${id} has its ${role} approval already`);
    if (given.some((g) => g.approved_by === actor)) {
      throw new AppError('four_eyes_required', 'the two approvals must come from two different people');
    }
    await q.query('INSERT INTO mesh_member_approvals (member_id, approver_role, approved_by, approved_at) VALUES ($1, $2, $3, $4)',
      [id, role, actor, new Date(now)]);
    const active = given.length + 1 === 2;
    if (active) await q.query('UPDATE mesh_members SET status = \'active\' WHERE id = $1', [id]);
    const [view] = await viewsOf(q, [{ ...row, status: active ? 'active' : row.status }]);
    await recordAction(q, deps, {
      actor, action: active ? 'member.activated' : 'member.approved', target: `member:${id}`, result: { role, member: view },
    }, now);
    return view;
  });
}

/** The providers a table of `region` may route to: active members of it or of GLOBAL, for the currency. */
export async function routableProviders(q: Queryable, region: MeshRegion, currency: string): Promise<Set<string>> {
  const rows = await q.query<{ provider: string }>(
    `SELECT provider FROM mesh_members WHERE status = 'active' AND region = ANY($1::text[]) AND $2 = ANY(currency_codes)`,
    [memberRegionsOf(region), currency]);
  return new Set(rows.map((r) => r.provider));
}
