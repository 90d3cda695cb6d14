// The rules of a routing table's routes, pure (docs/mesh.md#routing-tables): how a proposal's
// routes merge into a table, and what makes a set of routes valid. No I/O: the members a route
// may name are passed in.

import { AppError } from '../errors.ts';
import type { MeshRegion, Route } from './model.ts';

/** The order a table's routes are stored and shown in: by method, then band. */
export function sortRoutes(routes: readonly Route[]): Route[] {
  return [...routes].sort((a, b) => (a.method < b.method ? -1 : a.method > b.method ? 1 : a.minAmount - b.minAmount));
}

const sameBand = (a: Route, b: Route) => a.method === b.method && a.minAmount === b.minAmount && a.maxAmount === b.maxAmount;

/**
 * The table after a proposal: each proposed route replaces the table's route of the same method
 * and band, or is added; the table's other routes stay as they are.
 */
export function mergeRoutes(table: readonly Route[], proposed: readonly Route[]): Route[] {
  const kept = table.filter((r) => !proposed.some((p) => sameBand(p, r)));
  return sortRoutes([...kept, ...proposed]);
}

/** Why a route is refused, and which (its index in the routes the caller sent). */
function refuse(index: number, reason: string): never {
  throw new AppError('invalid_route', `route ${index}: ${reason}; nothing was applied`, { route_index: index, reason });
}

const overlaps = (a: Route, b: Route) =>
  a.method === b.method && a.minAmount < (b.maxAmount ?? Infinity) && b.minAmount < (a.maxAmount ?? Infinity);

/**
 * Checks `routes` (the ones a caller sent) on their own, then within `table` (the whole table
 * they will be part of, themselves included): bands, providers, membership. `members`: the
 * providers that are active members of the table's region or GLOBAL, for its currency (null: not
 * checked here). Throws invalid_route
 * naming the first bad route.
 */
export function validateRoutes(routes: readonly Route[], table: readonly Route[], members: ReadonlySet<string> | null): void {
  routes.forEach((r, i) => {
    if (!Number.isSafeInteger(r.minAmount) || r.minAmount < 0) refuse(i, 'min_amount must be an integer ≥ 0');
    if (r.maxAmount !== null && (!Number.isSafeInteger(r.maxAmount) || r.maxAmount <= r.minAmount)) {
      refuse(i, 'max_amount must be an integer above min_amount (or null: no upper bound)');
    }
    if (r.providers.length === 0) refuse(i, 'providers is empty');
    if (new Set(r.providers).size !== r.providers.length) refuse(i, 'a provider is named twice');
    const stranger = members && r.providers.find((p) => !members.has(p));
    if (stranger) refuse(i, `provider ${stranger} is not an active member of the table's region or GLOBAL for its currency`);
    // Another route of the table (or of the request) over part of this band.
    const other = table.find((t) => t !== r && overlaps(t, r) && !sameBand(t, r));
    if (other) refuse(i, `its band overlaps the ${other.method} route from ${other.minAmount} to ${other.maxAmount ?? 'no bound'}`);
    const twin = routes.findIndex((t, j) => j !== i && sameBand(t, r));
    if (twin !== -1) refuse(i, `route ${twin} has the same method and band`);
  });
}

/** The regions whose members a table's routes may name: its own, and GLOBAL. */
export function memberRegionsOf(region: MeshRegion): MeshRegion[] {
  return region === 'GLOBAL' ? ['GLOBAL'] : [region, 'GLOBAL'];
}

/**
 * The share (0–1) of the table's routes, after the proposal, whose providers the proposal
 * changes (a new route counts as changed): what a policy's max_route_share limits.
 */
export function changedShare(table: readonly Route[], proposed: readonly Route[]): number {
  const after = mergeRoutes(table, proposed);
  if (after.length === 0) return 0;
  const changed = proposed.filter((p) => {
    const before = table.find((t) => sameBand(t, p));
    return !before || before.providers.join('\u0000') !== p.providers.join('\u0000');
  }).length;
  return changed / after.length;
}
