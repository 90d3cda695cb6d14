// The action log entries of the decision side (kill switches, canaries): one mesh_actions row and
// its mesh_action outbox event (ops-wide webhooks, and the mesh.actions Kafka topic when
// configured), in the caller's transaction. The governance side keeps its own writer of the same
// table (the same row shape: actor, action, target, result).

import { enqueue } from '../alerts/outbox.ts';
import type { EventTopics } from '../alerts/topics/event-topics.ts';
import type { Queryable } from '../state-store/state-store.ts';

export interface DecisionAction {
  /** The token subject, or 'system' (a canary rolled back by its alert). */
  actor: string;
  /** kill_switch.engaged | kill_switch.reset | canary.started | canary.stopped | canary.rolled_back */
  action: string;
  /** routing:ECOWAS/XOF, proposal:<id> */
  target: string;
  result: Record<string, unknown>;
}

/** Records the action and queues its event `mesh.<action>` (e.g. mesh.canary.rolled_back); returns the action's id. */
export async function recordDecisionAction(q: Queryable, topics: EventTopics | null, a: DecisionAction, at: number): Promise<string> {
  const [row] = await q.query<{ id: number | bigint }>(
    'INSERT INTO mesh_actions (at, actor, action, target, result) VALUES ($1, $2, $3, $4, $5) RETURNING id',
    [new Date(at), a.actor, a.action, a.target, a.result]);
  const id = String(row.id);
  await enqueue(q, {
    kind: 'mesh_action', type: `mesh.${a.action}`, dedupeKey: `mesh:action:${id}`, merchantId: null, opsOnly: true, at,
    payload: { action: { id, at: new Date(at).toISOString(), ...a } },
  }, topics);
  return id;
}
