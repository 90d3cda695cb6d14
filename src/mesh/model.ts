// The routing failover mesh's vocabulary (docs/mesh.md): regions, segments, routing tables and
// their versions, predictions, proposals. Every module of src/mesh speaks these types; the state
// store's tables (state-migrations.ts, version 10) hold them.

/** The mesh's regions: where a routing table applies. Payments are placed by their country. */
export const MESH_REGIONS = ['ECOWAS', 'CEMAC', 'EAC', 'EU', 'US', 'GLOBAL'] as const;
export type MeshRegion = (typeof MESH_REGIONS)[number];

/** Each region's name as people say it (ECOWAS is CEDEAO in French). */
export const MESH_REGION_NAMES: Readonly<Record<MeshRegion, { en: string; fr: string }>> = {
  ECOWAS: { en: 'ECOWAS (West Africa)', fr: 'CEDEAO (Afrique de l\'Ouest)' },
  CEMAC: { en: 'CEMAC (Central Africa)', fr: 'CEMAC (Afrique centrale)' },
  EAC: { en: 'EAC (East Africa)', fr: 'CAE (Afrique de l\'Est)' },
  EU: { en: 'European Union', fr: 'Union européenne' },
  US: { en: 'United States', fr: 'États-Unis' },
  GLOBAL: { en: 'Global (everywhere else)', fr: 'Mondial (partout ailleurs)' },
};

/**
 * The mesh region of a country, from its economic region (reference/regions.csv): the African
 * unions and the EU are their own, North America is US, anything else is GLOBAL.
 */
export function meshRegionOf(economicRegion: string | undefined): MeshRegion {
  switch (economicRegion) {
    case 'ECOWAS': case 'CEMAC': case 'EAC': case 'EU': return economicRegion;
    case 'NORTH_AMERICA': return 'US';
    default: return 'GLOBAL';
  }
}

/** A payment method in a route: one of the events' methods, or '*' for any. */
export const ANY_METHOD = '*';

/**
 * Where a provider's health is measured: its payments in one region, currency and method.
 * `provider` is the events' `provider` value.
 */
export interface HealthSegment {
  provider: string;
  region: MeshRegion;
  currency: string;
  method: string;
}

/** A routing table is one (region, currency); its routes split it by method and amount band. */
export interface TableKey {
  region: MeshRegion;
  currency: string;
}

/**
 * One route: payments of `method` ('*' = any) with minAmount ≤ amount < maxAmount (minor units
 * of the table's currency; maxAmount null = no upper bound) go to `providers`, in order (primary,
 * secondary, tertiary…). Within a table, bands of one method never overlap; a specific method's
 * route wins over '*'.
 */
export interface Route {
  method: string;
  minAmount: number;
  maxAmount: number | null;
  providers: string[];
}

/**
 * A version of a table: the whole table as it was from `createdAt` on. Versions count 1, 2, …
 * per table. `kind`: 'static' — set by an operator; 'proposal' — a proposal applied;
 * 'rollback' — a copy of an earlier version, restored; 'canary' versions do not exist: a canary
 * is a proposal live for a share of traffic, over the table's current version.
 */
export interface RoutingVersion extends TableKey {
  version: number;
  kind: 'static' | 'proposal' | 'rollback';
  routes: Route[];
  proposalId: string | null;
  /** For a rollback: the version it restored. */
  restoredVersion: number | null;
  createdAt: number;
  createdBy: string;
}

/**
 * A provider's predicted health in one segment, from the analytics store: score 0–100 (100 =
 * healthy), confidence 0–1 (how much data and how stable it is). Signed (JWS, compact) as
 * `jws`; nothing uses a prediction before its signature and freshness are verified.
 */
export interface Prediction extends HealthSegment {
  id: string;
  score: number;
  confidence: number;
  /** What the score was computed from (success rate, trend, failure mix, settle time, volume). */
  features: Record<string, number | string | null>;
  windowFrom: number;
  windowTo: number;
  generatedAt: number;
  expiresAt: number;
  kid: string;
  jws: string;
}

export type ProposalStatus =
  | 'pending_approval' // waits for an ops approval (policy approval_required, or below the threshold)
  | 'canary' // live for a share of traffic
  | 'applied' // a version of its table
  | 'rejected'
  | 'rolled_back' // applied, then restored to the version before it (or its canary ended)
  | 'superseded'; // its base version is no longer the table's current one

/** A proposed new set of routes for one table, based on one version of it. */
export interface Proposal extends TableKey {
  id: string;
  baseVersion: number;
  /** The routes replacing the table's routes of the same method and band (the others stay). */
  routes: Route[];
  /** Why each route is ordered as it is, per route: the predictions it used. */
  rationale: Array<{ method: string; minAmount: number; maxAmount: number | null; predictionIds: string[]; note: string }>;
  confidence: number;
  status: ProposalStatus;
  simulation: Record<string, unknown> | null;
  canaryPercent: number | null;
  /** The alert rule whose firing rolls the canary back. */
  canaryAlertRuleId: number | null;
  appliedVersion: number | null;
  createdAt: number;
  createdBy: string;
  decidedAt: number | null;
  decidedBy: string | null;
}

/** Why the decision API put the providers in this order. */
export type DecisionReason = 'exploitation' | 'exploration' | 'canary' | 'fallback';

export interface RouteDecision {
  providers: string[];
  region: MeshRegion;
  version: number;
  reason: DecisionReason;
  proposalId: string | null;
}
