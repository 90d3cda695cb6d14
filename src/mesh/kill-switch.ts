// Kill switches (table mesh_kill_switches, docs/mesh.md#canary-and-kill-switch): an engaged one
// returns its table (region, currency) to its last static version — what an operator set, not
// what a proposal or a canary made — for every payment, until an operator resets it. Engaging one
// needs a static version to fall back to. Each change is in the action log with its event.

import { AppError } from '../errors.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { recordAction, type MeshDeps } from './mesh-actions.ts';
import type { MeshRegion } from './model.ts';
import { lockTable } from './routing-tables.ts';

export type KillSwitchDeps = Pick<MeshDeps, 'state' | 'now' | 'eventTopics'>;

export interface KillSwitch {
  region: string;
  currency: string;
  engaged_at: string;
  engaged_by: string;
  reason: string;
  /** The static version the table routes by meanwhile. */
  static_version: number | null;
}

interface Row { region: string; currency: string; engaged_at: Date; engaged_by: string; reason: string; static_version: number | null }

const SELECT = `SELECT k.region, k.currency, k.engaged_at, k.engaged_by, k.reason,
  (SELECT max(version) FROM mesh_routing_versions v WHERE v.region = k.region AND v.currency = k.currency AND v.kind = 'static') AS static_version
  FROM mesh_kill_switches k`;

const toItem = (r: Row): KillSwitch => ({
  region: r.region, currency: r.currency, engaged_at: r.engaged_at.toISOString(), engaged_by: r.engaged_by, reason: r.reason,
  static_version: r.static_version === null ? null : Number(r.static_version),
});

export async function listKillSwitches(q: Queryable): Promise<KillSwitch[]> {
  return (await q.query<Row>(`${SELECT} ORDER BY k.region, k.currency`)).map(toItem);
}

/** Engages the table's kill switch. no_static_version (409) without a static version; kill_switch_engaged (409) if it is engaged already. */
export async function engageKillSwitch(d: KillSwitchDeps, region: MeshRegion, currency: string, actor: string, reason: string): Promise<KillSwitch> {
  const now = d.now();
  return d.state.transaction(async (q) => {
    await lockTable(q, { region, currency });
    const [table] = await q.query<{ versions: number; static_version: number | null }>(
      `SELECT count(*)::int AS versions, max(version) FILTER (WHERE kind = 'static') AS static_version
       FROM mesh_routing_versions WHERE region = $1 AND currency = $2`, [region, currency]);
    if (table.static_version === null) {
      throw new AppError('no_static_version', table.versions === 0
        ? `the ${region}/${currency} routing table does not exist: there is nothing to fall back to`
        : `the ${region}/${currency} routing table has no static version (set by an operator) to fall back to`, { region, currency });
    }
    const rows = await q.query<Row>(
      `INSERT INTO mesh_kill_switches (region, currency, engaged_at, engaged_by, reason) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (region, currency) DO NOTHING RETURNING region, currency, engaged_at, engaged_by, reason`,
      [region, currency, new Date(now), actor, reason]);
    if (rows.length === 0) throw new AppError('kill_switch_engaged', `the ${region}/${currency} kill switch is engaged already`, { region, currency });
    const item = toItem({ ...rows[0], static_version: table.static_version });
    await recordAction(q, d, { actor, action: 'kill_switch.engaged', target: `routing:${region}/${currency}`, result: { kill_switch: item } }, now);
    return item;
  });
}

/** Resets (disengages) the table's kill switch; not_found when it is not engaged. */
export async function resetKillSwitch(d: KillSwitchDeps, region: MeshRegion, currency: string, actor: string): Promise<KillSwitch> {
  const now = d.now();
  return d.state.transaction(async (q) => {
    await lockTable(q, { region, currency });
    const [row] = await q.query<Row>(`${SELECT} WHERE k.region = $1 AND k.currency = $2`, [region, currency]);
    if (!row) throw new AppError('not_found', `the ${region}/${currency} kill switch is not engaged`);
    await q.query('DELETE FROM mesh_kill_switches WHERE region = $1 AND currency = $2', [region, currency]);
    const item = toItem(row);
    await recordAction(q, d, {
      actor, action: 'kill_switch.reset', target: `routing:${region}/${currency}`, result: { kill_switch: item, reset_at: new Date(now).toISOString() },
    }, now);
    return item;
  });
}
