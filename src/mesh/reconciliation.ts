// Reconciliation of routing changes (docs/mesh.md "Reconciliation"). When a new version of a
// routing table changes the primary provider of some traffic, that traffic's money moves: from
// one provider (and its region's liquidity pool) to another — across regions when the new primary
// is a member of another region (GLOBAL). For each new version, the money expected to move is
// recorded, per (from, to) provider pair: the succeeded volume the moved segments carried over the
// window before the change. The liquidity pools are moved by it at once. Once the window after
// the change has passed (or the table changed again), the volume the new primary actually carried
// in those segments is observed from the analytics store and the item is matched (within the
// tolerance) or unmatched.
//
// Crash-safe and replica-safe without a lock: a version is claimed by its row in
// mesh_reconciled_versions, inserted in the transaction that records its moves; a pending item
// is settled by an update that only a pending item takes.

import { randomBytes } from 'node:crypto';
import { currencyKey } from '../reference/currencies.ts';
import { DIM_METHOD, DIM_PROVIDER, valueOf } from '../ingest/indexes/dimensions.ts';
import type { DimContext } from '../query/query-dimensions.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { AppError } from '../errors.ts';
import { recordAction, type MeshDeps } from './mesh-actions.ts';
import type { MeshRegion, Route, TableKey } from './model.ts';
import { versionAt } from './routing-tables.ts';
import { boundariesOf, regionCountryKeys, routeFor } from './simulate-proposal.ts';

export interface ReconcileDeps extends MeshDeps {
  store: AnalyticsStore;
  dims: DimContext;
  /** The window before a change the expectation is measured on, and after it the observation. */
  windowMs: number;
  /** How far (percent of the expectation) the observed volume may be from it and still match. */
  tolerancePercent: number;
}

/** Traffic of one method and amount band: [minAmount, maxAmount), maxAmount null = no bound. */
export interface Cell {
  method: string;
  minAmount: number;
  maxAmount: number | null;
}

/** Money a change moves from one primary to another: the cells it concerns and their volume before. */
export interface Move {
  from: string;
  to: string;
  cells: Cell[];
  expectedMinor: bigint;
}

/** Succeeded volume per cell and provider, as measured (decoded replay rows). */
export interface CellTraffic extends Cell {
  provider: string;
  succeededVolumeMinor: bigint;
}

/** Band i of ascending boundaries: [0 or b(i−1), b(i) or no bound). */
function bandOf(boundaries: readonly number[], band: number): { minAmount: number; maxAmount: number | null } {
  return { minAmount: band === 0 ? 0 : boundaries[band - 1], maxAmount: band < boundaries.length ? boundaries[band] : null };
}

const cellKey = (c: Cell) => `${c.method}\u0000${c.minAmount}`;

/**
 * The moves between two versions of a table: each cell of traffic whose primary provider differs
 * moves all its succeeded volume (whatever provider carried it: after the change the new primary
 * is tried first for all of it) from the old primary to the new. Cells without a route before or
 * after move nothing.
 */
export function movesBetween(before: readonly Route[], after: readonly Route[], traffic: readonly CellTraffic[]): Move[] {
  const cells = new Map<string, { cell: Cell; volume: bigint }>();
  for (const t of traffic) {
    const k = cellKey(t);
    const c = cells.get(k) ?? cells.set(k, { cell: { method: t.method, minAmount: t.minAmount, maxAmount: t.maxAmount }, volume: 0n }).get(k)!;
    c.volume += t.succeededVolumeMinor;
  }
  const moves = new Map<string, Move>();
  for (const { cell, volume } of [...cells.values()].sort((a, b) => cellKey(a.cell).localeCompare(cellKey(b.cell)))) {
    if (volume === 0n) continue;
    const from = routeFor(before, cell.method, cell.minAmount)?.providers[0];
    const to = routeFor(after, cell.method, cell.minAmount)?.providers[0];
    if (!from || !to || from === to) continue;
    const k = `${from}\u0000${to}`;
    const m = moves.get(k) ?? moves.set(k, { from, to, cells: [], expectedMinor: 0n }).get(k)!;
    m.cells.push(cell);
    m.expectedMinor += volume;
  }
  return [...moves.values()];
}

/** Whether the observed volume matches the expectation within `tolerancePercent` of it. */
export function matches(expected: bigint, observed: bigint, tolerancePercent: number): boolean {
  const diff = observed > expected ? observed - expected : expected - observed;
  // diff / expected ≤ tolerance / 100, in integers.
  return diff * 100n <= expected * BigInt(tolerancePercent);
}

/** The table's traffic over [from, to) per cell of `boundaries` and provider, decoded. */
async function cellTraffic(deps: ReconcileDeps, t: TableKey, boundaries: number[], from: number, to: number): Promise<CellTraffic[]> {
  const rows = await deps.store.providerReplay({
    from, to, currencyKey: currencyKey(t.currency), countryKeys: regionCountryKeys(t.region, deps.dims.regions), boundaries: boundaries.map(BigInt),
  });
  return rows.map((r) => ({
    method: valueOf(deps.dims.dict, DIM_METHOD, r.methodKey) ?? '',
    provider: valueOf(deps.dims.dict, DIM_PROVIDER, r.providerKey) ?? '',
    ...bandOf(boundaries, r.band),
    succeededVolumeMinor: r.succeededVolumeMinor,
  }));
}

/** The region a provider is a member of for this table: the table's own, else GLOBAL. */
async function memberRegions(q: Queryable, t: TableKey, providers: string[]): Promise<Map<string, MeshRegion>> {
  const rows = await q.query<{ provider: string; region: MeshRegion }>(
    `SELECT provider, region FROM mesh_members WHERE status = 'active' AND provider = ANY($1::text[]) AND region = ANY($2::text[])
     ORDER BY (region = $3) DESC`,
    [providers, [t.region, 'GLOBAL'], t.region]);
  const out = new Map<string, MeshRegion>();
  for (const r of rows) if (!out.has(r.provider)) out.set(r.provider, r.region);
  return out;
}

async function movePool(q: Queryable, p: { region: string; currency: string; provider: string; deltaMinor: bigint }, at: number): Promise<void> {
  await q.query(
    `INSERT INTO mesh_liquidity_pools (id, region, currency, provider, balance_minor, updated_at) VALUES ($1, $2, $3, $4, $5::bigint, $6)
     ON CONFLICT (region, currency, provider) DO UPDATE SET balance_minor = mesh_liquidity_pools.balance_minor + EXCLUDED.balance_minor, updated_at = EXCLUDED.updated_at`,
    [`lp_${randomBytes(8).toString('hex')}`, p.region, p.currency, p.provider, p.deltaMinor.toString(), new Date(at)]);
}

interface VersionRef extends TableKey {
  version: number;
  created_at: Date;
  proposal_id: string | null;
}

/** Records the moves of every version not yet reconciled (oldest first, up to `limit`); returns the items recorded. */
export async function recordRoutingMoves(deps: ReconcileDeps, limit = 50): Promise<number> {
  const versions = await deps.state.query<VersionRef>(
    `SELECT v.region, v.currency, v.version, v.created_at, v.proposal_id FROM mesh_routing_versions v
     WHERE v.version > 1 AND NOT EXISTS (SELECT 1 FROM mesh_reconciled_versions r WHERE r.region = v.region AND r.currency = v.currency AND r.version = v.version)
     ORDER BY v.created_at, v.region, v.currency, v.version LIMIT $1`, [limit]);
  let recorded = 0;
  for (const v of versions) {
    const t: TableKey = { region: v.region, currency: v.currency };
    const [before, after] = await Promise.all([versionAt(deps.state, t, v.version - 1), versionAt(deps.state, t, v.version)]);
    if (!before || !after) continue;
    const at = v.created_at.getTime();
    const boundaries = boundariesOf([...before.routes, ...after.routes]);
    const moves = movesBetween(before.routes, after.routes, await cellTraffic(deps, t, boundaries, at - deps.windowMs, at));
    const now = deps.now();
    recorded += await deps.state.transaction(async (q) => {
      const claimed = await q.query(
        `INSERT INTO mesh_reconciled_versions (region, currency, version, reconciled_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING version`, [t.region, t.currency, v.version, new Date(now)]);
      if (claimed.length === 0) return 0; // another replica took it
      const regions = await memberRegions(q, t, moves.flatMap((m) => [m.from, m.to]));
      const items = [];
      for (const m of moves) {
        const id = `rec_${randomBytes(10).toString('hex')}`;
        const fromRegion = regions.get(m.from) ?? t.region;
        const toRegion = regions.get(m.to) ?? t.region;
        await q.query(
          `INSERT INTO mesh_reconciliations (id, proposal_id, region, currency, version, from_provider, to_provider, from_region, to_region,
             cells, expected_minor, status, window_from, window_to, created_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::bigint, 'pending', $12, $13, $14)`,
          [id, v.proposal_id, t.region, t.currency, v.version, m.from, m.to, fromRegion, toRegion, JSON.stringify(m.cells),
            m.expectedMinor.toString(), v.created_at, new Date(at + deps.windowMs), new Date(now)]);
        await movePool(q, { region: fromRegion, currency: t.currency, provider: m.from, deltaMinor: -m.expectedMinor }, now);
        await movePool(q, { region: toRegion, currency: t.currency, provider: m.to, deltaMinor: m.expectedMinor }, now);
        items.push({ id, from: m.from, to: m.to, from_region: fromRegion, to_region: toRegion, expected_minor: m.expectedMinor.toString() });
      }
      if (items.length) {
        await recordAction(q, deps, {
          actor: 'system', action: 'reconciliation.recorded', target: `routing:${t.region}/${t.currency}`, result: { version: v.version, items },
        }, now);
      }
      return items.length;
    });
  }
  return recorded;
}

interface PendingRow extends TableKey {
  id: string;
  version: number;
  to_provider: string;
  cells: Cell[];
  expected_minor: string;
  window_from: Date;
  window_to: Date;
  next_at: Date | null;
}

/**
 * Settles the pending items whose window is over — at its end, or when the table got a later
 * version, then — observing the volume their new primary carried in their cells; returns how many.
 */
export async function settleReconciliations(deps: ReconcileDeps, limit = 200): Promise<number> {
  const now = deps.now();
  const pending = await deps.state.query<PendingRow>(
    `SELECT r.id, r.region, r.currency, r.version, r.to_provider, r.cells, r.expected_minor::text AS expected_minor, r.window_from, r.window_to,
       (SELECT min(v.created_at) FROM mesh_routing_versions v WHERE v.region = r.region AND v.currency = r.currency AND v.version > r.version) AS next_at
     FROM mesh_reconciliations r WHERE r.status = 'pending' ORDER BY r.window_to, r.id LIMIT $1`, [limit]);
  let settled = 0;
  for (const p of pending) {
    const from = p.window_from.getTime();
    const end = Math.min(p.window_to.getTime(), p.next_at?.getTime() ?? Infinity);
    if (end > now) continue;
    const boundaries = boundariesOf(p.cells);
    const cells = new Set(p.cells.map(cellKey));
    const traffic = await cellTraffic(deps, p, boundaries, from, end);
    const observed = traffic.filter((c) => c.provider === p.to_provider && cells.has(cellKey(c))).reduce((s, c) => s + c.succeededVolumeMinor, 0n);
    // A window cut short by a later version expects its share of the volume.
    const full = p.window_to.getTime() - from;
    const expected = (BigInt(p.expected_minor) * BigInt(end - from)) / BigInt(full);
    const status = matches(expected, observed, deps.tolerancePercent) ? 'matched' : 'unmatched';
    const rows = await deps.state.query(
      `UPDATE mesh_reconciliations SET status = $2, observed_minor = $3::bigint, expected_window_minor = $4::bigint, window_to = $5, checked_at = $6
       WHERE id = $1 AND status = 'pending' RETURNING id`,
      [p.id, status, observed.toString(), expected.toString(), new Date(end), new Date(now)]);
    settled += rows.length;
  }
  return settled;
}

export type ReconciliationStatus = 'pending' | 'matched' | 'unmatched';

export interface ReconciliationView {
  id: string;
  proposal_id: string | null;
  region: string;
  currency: string;
  version: number;
  from_provider: string;
  to_provider: string;
  from_region: string;
  to_region: string;
  cross_region: boolean;
  cells: Array<{ method: string; min_amount: number; max_amount: number | null }>;
  /** Minor units, decimal strings: the volume of the window before, and its share for the window observed. */
  expected_minor: string;
  expected_window_minor: string | null;
  observed_minor: string | null;
  status: ReconciliationStatus;
  window_from: string;
  window_to: string;
  created_at: string;
  checked_at: string | null;
}

interface ViewRow {
  id: string; proposal_id: string | null; region: string; currency: string; version: number; from_provider: string; to_provider: string;
  from_region: string; to_region: string; cells: Cell[]; expected_minor: string; expected_window_minor: string | null; observed_minor: string | null;
  status: ReconciliationStatus; window_from: Date; window_to: Date; created_at: Date; checked_at: Date | null;
}

export const MAX_RECONCILIATION_PAGE = 500;

/**
 * The reconciliation items, newest first, a keyset page at a time (cursor: the last item's id of
 * the previous page), with the counts per status of everything the filter selects.
 */
export async function listReconciliations(q: Queryable, f: {
  status: ReconciliationStatus | null; region: string | null; currency: string | null; cursor?: string; limit: number;
}): Promise<{ items: ReconciliationView[]; counts: Record<ReconciliationStatus, number>; next_cursor: string | null }> {
  let after: { at: Date; id: string } | null = null;
  if (f.cursor !== undefined) {
    const [c] = await q.query<{ created_at: Date; id: string }>('SELECT created_at, id FROM mesh_reconciliations WHERE id = $1', [f.cursor]);
    if (!c) throw new AppError('invalid_parameter', 'cursor: not an item of this list (use next_cursor as given)');
    after = { at: c.created_at, id: c.id };
  }
  const where = `($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR region = $2) AND ($3::text IS NULL OR currency = $3)`;
  const rows = await q.query<ViewRow>(
    `SELECT id, proposal_id, region, currency, version, from_provider, to_provider, from_region, to_region, cells,
       expected_minor::text AS expected_minor, expected_window_minor::text AS expected_window_minor, observed_minor::text AS observed_minor,
       status, window_from, window_to, created_at, checked_at
     FROM mesh_reconciliations WHERE ${where} AND ($4::timestamptz IS NULL OR (created_at, id) < ($4, $5))
     ORDER BY created_at DESC, id DESC LIMIT $6`,
    [f.status, f.region, f.currency, after?.at ?? null, after?.id ?? null, f.limit + 1]);
  const countRows = await q.query<{ status: ReconciliationStatus; n: number }>(
    `SELECT status, count(*)::int AS n FROM mesh_reconciliations WHERE ${where} GROUP BY status`, [f.status, f.region, f.currency]);
  const counts = { pending: 0, matched: 0, unmatched: 0 };
  for (const c of countRows) counts[c.status] = c.n;
  const items = rows.slice(0, f.limit).map((r) => ({
    id: r.id, proposal_id: r.proposal_id, region: r.region, currency: r.currency, version: r.version,
    from_provider: r.from_provider, to_provider: r.to_provider, from_region: r.from_region, to_region: r.to_region,
    cross_region: r.from_region !== r.to_region,
    cells: r.cells.map((c) => ({ method: c.method, min_amount: c.minAmount, max_amount: c.maxAmount })),
    expected_minor: r.expected_minor, expected_window_minor: r.expected_window_minor, observed_minor: r.observed_minor, status: r.status,
    window_from: r.window_from.toISOString(), window_to: r.window_to.toISOString(), created_at: r.created_at.toISOString(),
    checked_at: r.checked_at?.toISOString() ?? null,
  }));
  return { items, counts, next_cursor: rows.length > f.limit ? items[items.length - 1].id : null };
}
