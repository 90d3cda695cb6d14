// Routing tables (state table mesh_routing_versions): each (region, currency) is a list of whole
// versions 1, 2, …; the newest is the table. A version is written only under the table's lock
// and only on top of the version its change was based on — otherwise stale_version — so two
// changes of one table never both apply. Operators set static tables here (with an
// Idempotency-Key); proposals (proposals.ts) and rollbacks write versions through insertVersion.

import { AppError } from '../errors.ts';
import { fingerprintOf } from '../merchant/idempotency.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { recordAction, type MeshDeps } from './mesh-actions.ts';
import { runOnce, storeAnswer, type KeyedAnswer } from './mesh-idempotency.ts';
import { routableProviders } from './members.ts';
import type { MeshRegion, Route, RoutingVersion, TableKey } from './model.ts';
import { sortRoutes, validateRoutes } from './routing-rules.ts';

/** A route as the API shows it. */
export interface RouteView { method: string; min_amount: number; max_amount: number | null; providers: string[] }

export interface VersionView {
  region: MeshRegion;
  currency: string;
  version: number;
  kind: RoutingVersion['kind'];
  routes: RouteView[];
  proposal_id: string | null;
  restored_version: number | null;
  created_at: string;
  created_by: string;
}

export const routeView = (r: Route): RouteView => ({ method: r.method, min_amount: r.minAmount, max_amount: r.maxAmount, providers: [...r.providers] });
export const routeOf = (r: RouteView): Route => ({ method: r.method, minAmount: r.min_amount, maxAmount: r.max_amount, providers: [...r.providers] });

/** Serialises the changes of one key (a table, a policy's scope) until the transaction ends, on any replica. */
export async function lockMesh(q: Queryable, key: string): Promise<void> {
  await q.query('SELECT pg_advisory_xact_lock(7231014, hashtext($1))', [key]);
}

export const lockTable = (q: Queryable, t: TableKey) => lockMesh(q, `routing:${t.region}:${t.currency}`);

interface VersionRow {
  region: MeshRegion; currency: string; version: number; kind: RoutingVersion['kind']; routes: Route[]; proposal_id: string | null;
  restored_version: number | null; created_at: Date; created_by: string;
}

const COLUMNS = 'region, currency, version, kind, routes, proposal_id, restored_version, created_at, created_by';

export function versionOf(r: VersionRow): RoutingVersion {
  return {
    region: r.region, currency: r.currency, version: r.version, kind: r.kind, routes: r.routes, proposalId: r.proposal_id,
    restoredVersion: r.restored_version, createdAt: r.created_at.getTime(), createdBy: r.created_by,
  };
}

export function versionView(v: RoutingVersion): VersionView {
  return {
    region: v.region, currency: v.currency, version: v.version, kind: v.kind, routes: v.routes.map(routeView), proposal_id: v.proposalId,
    restored_version: v.restoredVersion, created_at: new Date(v.createdAt).toISOString(), created_by: v.createdBy,
  };
}

/** The table's newest version; null for a table never set. */
export async function currentVersion(q: Queryable, t: TableKey): Promise<RoutingVersion | null> {
  const [row] = await q.query<VersionRow>(
    `SELECT ${COLUMNS} FROM mesh_routing_versions WHERE region = $1 AND currency = $2 ORDER BY version DESC LIMIT 1`, [t.region, t.currency]);
  return row ? versionOf(row) : null;
}

/** One version of the table; null when it has no such version. */
export async function versionAt(q: Queryable, t: TableKey, version: number): Promise<RoutingVersion | null> {
  const [row] = await q.query<VersionRow>(
    `SELECT ${COLUMNS} FROM mesh_routing_versions WHERE region = $1 AND currency = $2 AND version = $3`, [t.region, t.currency, version]);
  return row ? versionOf(row) : null;
}

/** Writes the table's next version; the caller holds the table's lock and checked its base. */
export async function insertVersion(q: Queryable, v: Omit<RoutingVersion, 'createdAt'>, at: number): Promise<RoutingVersion> {
  const [row] = await q.query<VersionRow>(
    `INSERT INTO mesh_routing_versions (region, currency, version, kind, routes, proposal_id, restored_version, created_at, created_by)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [v.region, v.currency, v.version, v.kind, JSON.stringify(v.routes), v.proposalId, v.restoredVersion, new Date(at), v.createdBy]);
  return versionOf(row);
}

/** Every table, at its current version. */
export async function listTables(q: Queryable): Promise<{ items: VersionView[] }> {
  const rows = await q.query<VersionRow>(
    `SELECT DISTINCT ON (region, currency) ${COLUMNS} FROM mesh_routing_versions ORDER BY region, currency, version DESC`);
  return { items: rows.map((r) => versionView(versionOf(r))) };
}

export const MAX_HISTORY_PAGE = 500;

/**
 * The table: its current version, and its versions newest first, a page at a time (`before`: the
 * last version of the previous page; `next_before` null on the last page).
 */
export async function getTable(
  q: Queryable, t: TableKey, page: { before: number | null; limit: number },
): Promise<{ current: VersionView; versions: VersionView[]; next_before: number | null }> {
  const current = await currentVersion(q, t);
  if (!current) throw new AppError('not_found', `no routing table for ${t.region}/${t.currency}`);
  const rows = await q.query<VersionRow>(
    `SELECT ${COLUMNS} FROM mesh_routing_versions WHERE region = $1 AND currency = $2 AND ($3::int IS NULL OR version < $3)
     ORDER BY version DESC LIMIT $4`, [t.region, t.currency, page.before, page.limit + 1]);
  const versions = rows.slice(0, page.limit).map((r) => versionView(versionOf(r)));
  return { current: versionView(current), versions, next_before: rows.length > page.limit ? versions[versions.length - 1].version : null };
}

/** The version a change was based on is the table's current one (0: the table has none yet); else stale_version. */
export function checkBase(t: TableKey, current: RoutingVersion | null, base: number): void {
  const at = current?.version ?? 0;
  if (at !== base) {
    throw new AppError('stale_version', `${t.region}/${t.currency} is at version ${at}, not ${base}`, { current_version: at, base_version: base });
  }
}

/**
 * An operator sets the whole table (a 'static' version) on top of `baseVersion`, once per
 * Idempotency-Key: every route valid or none applied.
 */
export async function setStaticTable(
  deps: MeshDeps, t: TableKey, baseVersion: number, routes: Route[], actor: string, key: string,
): Promise<KeyedAnswer<VersionView>> {
  const now = deps.now();
  const fingerprint = fingerprintOf(['routing.static_set', t.region, t.currency, baseVersion, routes]);
  const answer = await runOnce<VersionView>(deps.state, key, fingerprint, now, (claim) => deps.state.transaction(async (q) => {
    await lockTable(q, t);
    const current = await currentVersion(q, t);
    checkBase(t, current, baseVersion);
    validateRoutes(routes, routes, await routableProviders(q, t.region, t.currency));
    const v = await insertVersion(q, {
      ...t, version: baseVersion + 1, kind: 'static', routes: sortRoutes(routes), proposalId: null, restoredVersion: null, createdBy: actor,
    }, now);
    const view = versionView(v);
    await recordAction(q, deps, {
      actor, action: 'routing.static_set', target: `routing:${t.region}/${t.currency}`, result: { version: view.version, base_version: baseVersion, routes: view.routes },
    }, now);
    await storeAnswer(q, claim, 200, view);
    return { replayed: false, status: 200, body: view };
  }));
  if (!answer.replayed && answer.body) await deps.onRoutingChanged?.();
  return answer;
}
