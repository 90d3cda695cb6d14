// The mesh's action log (state table mesh_actions): every change to the mesh — a member requested
// or approved, a policy set, a routing table set, a proposal drafted, applied, rejected or rolled
// back — is one row, written in the change's own transaction, with its `mesh_action` event
// (outbox, and its Kafka topic when configured). Read newest first, a keyset page by id.

import { enqueue } from '../alerts/outbox.ts';
import type { EventTopics } from '../alerts/topics/event-topics.ts';
import { AppError } from '../errors.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';

/** What every mesh use case needs. */
export interface MeshDeps {
  state: StateStore;
  now: () => number;
  /** The Kafka topics of outbox events; null without Kafka. */
  eventTopics: EventTopics | null;
  /** A proposal became a routing version (molam_mesh_failover_applied_total). */
  onApplied?: (labels: { region: string; currency: string; trigger: 'approval' | 'auto' | 'rollback' }) => void;
  /**
   * A routing table changed (committed): a new version. The decision API's snapshot reads the
   * tables again (app.meshRouting.changed(), src/mesh/routing-snapshot.ts); never throws.
   */
  onRoutingChanged?: () => Promise<void>;
}

export interface MeshAction {
  /** The token subject, or 'system' for what a policy did by itself. */
  actor: string;
  /** e.g. member.requested, policy.created, routing.static_set, proposal.applied. */
  action: string;
  /** What it acted on, e.g. member:mm_…, routing:ECOWAS/XOF, proposal:mp_…. */
  target: string;
  result: Record<string, unknown>;
}

export interface ActionItem extends MeshAction {
  id: string;
  at: string;
}

/** Records the action and queues its mesh_action event, in the caller's transaction. */
export async function recordAction(q: Queryable, deps: Pick<MeshDeps, 'eventTopics'>, a: MeshAction, at: number): Promise<ActionItem> {
  const [row] = await q.query<{ id: number | bigint }>(
    'INSERT INTO mesh_actions (at, actor, action, target, result) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [new Date(at), a.actor, a.action, a.target, a.result]);
  const item: ActionItem = { id: String(row.id), at: new Date(at).toISOString(), ...a };
  await enqueue(q, {
    kind: 'mesh_action', type: `mesh.action.${a.action}`, payload: { action: item }, dedupeKey: `mesh:action:${item.id}`,
    merchantId: null, opsOnly: true, at,
  }, deps.eventTopics);
  return item;
}

/** Queues a mesh_proposal event (mesh.proposal.created|applied|rejected|rolled_back), in the caller's transaction. */
export async function proposalEvent(
  q: Queryable, deps: Pick<MeshDeps, 'eventTopics'>, change: 'created' | 'applied' | 'rejected' | 'rolled_back',
  proposal: { id: string }, at: number,
): Promise<void> {
  await enqueue(q, {
    kind: 'mesh_proposal', type: `mesh.proposal.${change}`, payload: { proposal }, dedupeKey: `mesh:proposal:${proposal.id}:${change}`,
    merchantId: null, opsOnly: true, at,
  }, deps.eventTopics);
}

export const MAX_ACTION_PAGE = 500;

export interface ActionQuery {
  actor: string | null;
  action: string | null;
  /** Actions whose target starts with this (e.g. routing:ECOWAS/ or proposal:mp_1). */
  target: string | null;
  from: number;
  to: number;
  cursor: string | undefined;
  limit: number;
}

interface ActionRow { id: number | bigint; at: Date; actor: string; action: string; target: string; result: Record<string, unknown> }

export async function listActions(q: Queryable, a: ActionQuery): Promise<{ items: ActionItem[]; next_cursor: string | null }> {
  if (a.cursor !== undefined && !/^[1-9][0-9]{0,17}$/.test(a.cursor)) throw new AppError('invalid_parameter', 'cursor is not one this API returned');
  const rows = await q.query<ActionRow>(
    `SELECT id, at, actor, action, target, result FROM mesh_actions
     WHERE at >= $1 AND at < $2 AND ($3::text IS NULL OR actor = $3) AND ($4::text IS NULL OR action = $4)
       AND ($5::text IS NULL OR starts_with(target, $5)) AND ($6::bigint IS NULL OR id < $6)
     ORDER BY id DESC LIMIT $7`,
    [new Date(a.from), new Date(a.to), a.actor, a.action, a.target, a.cursor ?? null, a.limit + 1]);
  const page = rows.slice(0, a.limit);
  return {
    items: page.map((r) => ({ id: String(r.id), at: r.at.toISOString(), actor: r.actor, action: r.action, target: r.target, result: r.result })),
    next_cursor: rows.length > a.limit ? String(page[page.length - 1].id) : null,
  };
}
