// The routing decision (POST /api/mesh/route, docs/mesh.md#the-decision-api): pure and
// synchronous, over an in-memory snapshot of the routing tables, kill switches, live canaries and
// verified predictions (routing-snapshot.ts loads it). No I/O, no clock, no randomness: the same
// snapshot and payment always give the same answer, and a decision costs a few map lookups and two
// string hashes.
//
// Order of the rules, per table (the payment's region's, then GLOBAL's when it has no route):
//   kill switch engaged → the last static version's route, as it is ('fallback');
//   a live canary and bucket(payment) < percent → the proposal's route ('canary');
//   else the current version's route ('exploitation').
// Canary and exploitation order the route's providers by health: a provider whose verified
// prediction scores under the elimination threshold goes behind the healthy ones (kept, as a last
// resort: the caller may still cascade to it). A share of payments (the exploration rate) puts an
// eliminated provider first instead ('exploration'), so it can show it recovered.

import { AppError } from '../errors.ts';
import { ANY_METHOD, meshRegionOf, type DecisionReason, type MeshRegion, type Route, type RouteDecision } from './model.ts';

/** One routing table (region, currency) as the decision needs it. */
export interface TableState {
  /** The current version and its routes. */
  version: number;
  routes: readonly Route[];
  /** The last version set by an operator (kind 'static'); null when the table never had one. */
  staticVersion: { version: number; routes: readonly Route[] } | null;
  /** Engaged kill switch: route by the last static version until reset. */
  killSwitch: { engagedAt: number; engagedBy: string; reason: string } | null;
  /** A proposal live for `percent` % of the table's payments; `routes` is the table as it would be with it applied. */
  canary: { proposalId: string; percent: number; routes: readonly Route[] } | null;
}

export interface RoutingSnapshotData {
  /** By tableKey(region, currency). */
  tables: ReadonlyMap<string, TableState>;
  /** Verified, unexpired prediction scores (0–100), by scoreKey(provider, region, currency, method). */
  scores: ReadonlyMap<string, number>;
  /** Epoch ms the snapshot was read. */
  loadedAt: number;
}

export interface DecisionSettings {
  /** A provider whose score is below this is eliminated (MESH_ELIMINATION_SCORE). */
  eliminationScore: number;
  /** The share of payments, 0–1, that put an eliminated provider first (MESH_EXPLORATION_RATE). */
  explorationRate: number;
}

export interface PaymentToRoute {
  currency: string;
  /** Minor units of `currency`. */
  amount: number;
  /** ISO 3166-1 alpha-2. */
  country: string;
  method: string;
  paymentId: string;
}

export interface Decision extends RouteDecision {
  /** The table that answered: the payment's region's, or GLOBAL's. */
  tableRegion: MeshRegion;
  /** The route's providers that were eliminated (their prediction is under the threshold). */
  eliminated: string[];
}

export const tableKey = (region: string, currency: string) => `${region}/${currency}`;
export const scoreKey = (provider: string, region: string, currency: string, method: string) => `${provider}|${region}|${currency}|${method}`;

/** Buckets are 0–9999: a canary of p % takes buckets below p × 100. */
export const BUCKETS = 10_000;
const CANARY_SEED = 0x811c9dc5; // FNV-1a's offset basis
const EXPLORATION_SEED = 0x1b873593;

/**
 * A stable bucket 0–9999 of a payment id: FNV-1a (32 bits) over its UTF-16 code units from
 * `seed`, mixed by MurmurHash3's finaliser (FNV's low bits alone follow sequential ids too
 * closely), mod 10,000. The same id always lands in the same bucket, on every replica.
 */
export function bucketOf(id: string, seed = CANARY_SEED): number {
  let h = seed >>> 0;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) % BUCKETS;
}

/** The canary's bucket of a payment (a canary of p % takes the payments whose bucket < p × 100). */
export const canaryBucket = (paymentId: string) => bucketOf(paymentId, CANARY_SEED);
/** The exploration bucket: independent of the canary's (another seed). */
export const explorationBucket = (paymentId: string) => bucketOf(paymentId, EXPLORATION_SEED);

/** The route of `method` (a specific method wins over '*') whose band holds `amount`. */
export function findRoute(routes: readonly Route[], method: string, amount: number): Route | null {
  let any: Route | null = null;
  for (const r of routes) {
    if (amount < r.minAmount || (r.maxAmount !== null && amount >= r.maxAmount)) continue;
    if (r.method === method) return r;
    if (r.method === ANY_METHOD) any = r;
  }
  return any;
}

/**
 * Decides where to route one payment. Throws AppError no_route (404) when neither the payment's
 * region nor GLOBAL has a route for its currency, method and amount.
 */
export function decideRoute(snap: RoutingSnapshotData, settings: DecisionSettings, regions: ReadonlyMap<string, string>, p: PaymentToRoute): Decision {
  const region = meshRegionOf(regions.get(p.country));
  const own = decideIn(snap, settings, region, region, p);
  if (own) return own;
  const global = region === 'GLOBAL' ? null : decideIn(snap, settings, 'GLOBAL', region, p);
  if (global) return global;
  const lookedIn = region === 'GLOBAL' ? ['GLOBAL'] : [region, 'GLOBAL'];
  throw new AppError('no_route',
    `no route for ${p.method} payments of ${p.amount} ${p.currency} (minor units) from ${p.country}: looked in the ${lookedIn.join(' and ')} tables for ${p.currency}`,
    { region, currency: p.currency, method: p.method, amount: p.amount, country: p.country, looked_in: lookedIn });
}

function decideIn(snap: RoutingSnapshotData, settings: DecisionSettings, tableRegion: MeshRegion, region: MeshRegion, p: PaymentToRoute): Decision | null {
  const table = snap.tables.get(tableKey(tableRegion, p.currency));
  if (!table) return null;
  if (table.killSwitch && table.staticVersion) {
    const route = findRoute(table.staticVersion.routes, p.method, p.amount);
    if (!route) return null;
    return { providers: [...route.providers], region, version: table.staticVersion.version, reason: 'fallback', proposalId: null, tableRegion, eliminated: [] };
  }
  const canary = table.canary !== null && canaryBucket(p.paymentId) < table.canary.percent * (BUCKETS / 100) ? table.canary : null;
  const route = findRoute(canary ? canary.routes : table.routes, p.method, p.amount);
  if (!route) return null;
  return { ...ordered(snap, settings, route.providers, region, p, canary ? 'canary' : 'exploitation'), region, version: table.version, proposalId: canary?.proposalId ?? null, tableRegion };
}

/** The providers, healthy ones first (route order kept within each group), or one eliminated provider first when the payment explores. */
function ordered(snap: RoutingSnapshotData, settings: DecisionSettings, providers: readonly string[], region: MeshRegion, p: PaymentToRoute, reason: DecisionReason) {
  let eliminated: string[] | null = null;
  for (const provider of providers) {
    // The payment method's prediction, else one over every method; none: not eliminated (nothing known against it).
    const score = snap.scores.get(scoreKey(provider, region, p.currency, p.method)) ?? snap.scores.get(scoreKey(provider, region, p.currency, ANY_METHOD));
    if (score !== undefined && score < settings.eliminationScore) (eliminated ??= []).push(provider);
  }
  if (eliminated === null) return { providers: [...providers], reason, eliminated: [] };
  const healthy = providers.filter((x) => !eliminated.includes(x));
  const bucket = settings.explorationRate > 0 ? explorationBucket(p.paymentId) : BUCKETS;
  if (healthy.length > 0 && bucket < settings.explorationRate * BUCKETS) {
    // Which eliminated provider explores: spread by the bucket, so each gets its share.
    const first = eliminated[bucket % eliminated.length];
    return { providers: [first, ...healthy, ...eliminated.filter((x) => x !== first)], reason: 'exploration' as const, eliminated };
  }
  return { providers: [...healthy, ...eliminated], reason, eliminated };
}
