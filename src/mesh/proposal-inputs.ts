// What the proposal routes need from the health side: a plan of new routes for a table from its
// verified predictions (propose-routes.ts over the table's current version), and the simulation
// of a stored proposal against the table's current routes, kept with the proposal
// (mesh_proposals.simulation). The proposals' lifecycle itself (create, approve, reject, roll
// back) is proposals.ts's.

import type { DimContext } from '../query/query-dimensions.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import type { EventTopics } from '../alerts/topics/event-topics.ts';
import { recordAction } from './mesh-actions.ts';
import type { Route, TableKey } from './model.ts';
import { verifiedLatest } from './predictions-store.ts';
import { currentVersion } from './routing-tables.ts';
import { proposeRoutes, type ProposedRoutes } from './propose-routes.ts';
import type { KeyRing } from './signing-keys.ts';
import { simulateProposal, type Simulation } from './simulate-proposal.ts';

/** The table's current version and its routes; version 0 and no routes for a table never set. */
async function currentTable(q: Queryable, t: TableKey): Promise<{ version: number; routes: Route[] }> {
  const v = await currentVersion(q, t);
  return v ? { version: v.version, routes: v.routes } : { version: 0, routes: [] };
}

export interface ProposalPlan extends ProposedRoutes {
  baseVersion: number;
  current: Route[];
}

/** New routes for the table from its newest verified predictions (refused ones are not used). */
export async function planProposal(
  deps: { state: Queryable; ring: KeyRing; now: () => number },
  t: TableKey & { minAmount?: number; maxAmount?: number | null },
): Promise<ProposalPlan> {
  const now = deps.now();
  const table = await currentTable(deps.state, t);
  const { valid } = await verifiedLatest(deps.state, deps.ring, { region: t.region, currency: t.currency }, now);
  const band = t.minAmount !== undefined || t.maxAmount !== undefined ? { minAmount: t.minAmount ?? 0, maxAmount: t.maxAmount ?? null } : undefined;
  return { ...proposeRoutes(t, valid, table.routes, { band }), baseVersion: table.version, current: table.routes };
}

/**
 * Simulates the stored proposal `id` against its table's current routes over the last `hours`
 * and keeps the result with it; null when there is no such proposal.
 */
export async function simulateStoredProposal(
  deps: { state: StateStore; store: AnalyticsStore; dims: DimContext; now: () => number; eventTopics: EventTopics | null }, id: string, hours: number, actor: string,
): Promise<Simulation | null> {
  const [p] = await deps.state.query<{ region: TableKey['region']; currency: string; routes: Route[] }>(
    'SELECT region, currency, routes FROM mesh_proposals WHERE id = $1', [id]);
  if (!p) return null;
  const table = { region: p.region, currency: p.currency };
  const { routes } = await currentTable(deps.state, table);
  const sim = await simulateProposal(deps, { table, current: routes, proposed: p.routes, hours, now: deps.now() });
  const kept = simulationJson(sim);
  await deps.state.transaction(async (q) => {
    await q.query('UPDATE mesh_proposals SET simulation = $2 WHERE id = $1', [id, kept]);
    const summary = sim.segments.map((g) => ({ method: g.method, min_amount: g.minAmount, max_amount: g.maxAmount, attempts: g.attempts, change: g.change }));
    await recordAction(q, deps, { actor, action: 'proposal.simulated', target: `proposal:${id}`, result: { hours, segments: summary } }, deps.now());
  });
  return sim;
}

/** A simulation as the API answers it and as it is kept: snake_case, times as ISO text. */
export function simulationJson(s: Simulation): Record<string, unknown> {
  const expected = (e: { successRate: number; succeeded: number; succeededVolumeMinor: number; feesMinor: number } | null) => (e === null ? null : {
    success_rate: e.successRate, succeeded: e.succeeded, succeeded_volume_minor: e.succeededVolumeMinor, fees_minor: e.feesMinor,
  });
  return {
    region: s.region, currency: s.currency, from: new Date(s.from).toISOString(), to: new Date(s.to).toISOString(), hours: s.hours,
    segments: s.segments.map((g) => ({
      method: g.method, min_amount: g.minAmount, max_amount: g.maxAmount, attempts: g.attempts, volume_minor: g.volumeMinor,
      observed_success_rate: g.observedSuccessRate,
      providers: g.providers.map((p) => ({
        provider: p.provider, attempts: p.attempts, succeeded: p.succeeded, success_rate: p.successRate,
        volume_success_rate: p.volumeSuccessRate, fee_rate: p.feeRate,
      })),
      current_primary: g.currentPrimary, proposed_primary: g.proposedPrimary,
      current: expected(g.current), proposed: expected(g.proposed), change: expected(g.change),
    })),
  };
}
