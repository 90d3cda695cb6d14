// What a proposal would have changed (docs/mesh.md "Simulation"): the last N hours of the table's
// real traffic (its currency, the countries of its region), replayed from the analytics store
// (store/queries/provider-replay.ts). For each of the proposal's routes — a segment: a method and
// an amount band — the traffic it covers, and per provider its observed success rate and fee rate
// there (measured on the payments each provider carried); then the expected figures had the whole
// segment gone to the proposal's primary instead of the current primary:
//
//   expected succeeded payments = attempts × success rate of the primary
//   expected succeeded volume   = volume × volume success rate (succeeded amount / amount) of the primary
//   expected fees               = expected succeeded volume × fee rate (fees / succeeded amount) of the primary
//
// and the change from the current primary to the proposed one. A primary that carried none of the
// segment's traffic cannot be measured: its figures are null, and so are the changes.

import { COUNTRY_CODES, countryKey } from '../reference/countries.ts';
import { currencyKey } from '../reference/currencies.ts';
import { DIM_METHOD, DIM_PROVIDER, valueOf } from '../ingest/indexes/dimensions.ts';
import type { DimContext } from '../query/query-dimensions.ts';
import type { AnalyticsStore, ProviderReplayRow } from '../store/analytics-store.ts';
import { ANY_METHOD, meshRegionOf, type Route, type TableKey } from './model.ts';

export const DEFAULT_SIMULATION_HOURS = 24;
const HOUR_MS = 3_600_000;

export interface ProviderObserved {
  provider: string;
  attempts: number;
  succeeded: number;
  successRate: number | null;
  /** Succeeded amount / attempted amount. */
  volumeSuccessRate: number | null;
  /** Fees / succeeded amount. */
  feeRate: number | null;
}

export interface SegmentSimulation {
  method: string;
  minAmount: number;
  maxAmount: number | null;
  attempts: number;
  volumeMinor: string;
  /** As the traffic was actually carried, all providers together. */
  observedSuccessRate: number | null;
  providers: ProviderObserved[];
  currentPrimary: string | null;
  proposedPrimary: string | null;
  /** Had all of it gone to the current primary, and to the proposed one; null where unmeasured. */
  current: Expected | null;
  proposed: Expected | null;
  change: { successRate: number; succeeded: number; succeededVolumeMinor: number; feesMinor: number } | null;
}

interface Expected {
  successRate: number;
  succeeded: number;
  succeededVolumeMinor: number;
  feesMinor: number;
}

export interface Simulation {
  region: string;
  currency: string;
  from: number;
  to: number;
  hours: number;
  segments: SegmentSimulation[];
}

/** The amount boundaries of a set of routes (or cells), ascending: every band edge but 0. */
export function boundariesOf(routes: readonly { minAmount: number; maxAmount: number | null }[]): number[] {
  const edges = new Set<number>();
  for (const r of routes) {
    if (r.minAmount > 0) edges.add(r.minAmount);
    if (r.maxAmount !== null) edges.add(r.maxAmount);
  }
  return [...edges].sort((a, b) => a - b);
}

/** The route of `routes` that serves (method, amount): its own method's first, else '*'. */
export function routeFor(routes: readonly Route[], method: string, amount: number): Route | null {
  const inBand = (r: Route) => amount >= r.minAmount && (r.maxAmount === null || amount < r.maxAmount);
  return routes.find((r) => r.method === method && inBand(r)) ?? routes.find((r) => r.method === ANY_METHOD && inBand(r)) ?? null;
}

/** The countries of a mesh region (their economic region mapped by meshRegionOf), as store keys. */
export function regionCountryKeys(region: string, regions: ReadonlyMap<string, string>): number[] {
  return COUNTRY_CODES.filter((c) => meshRegionOf(regions.get(c)) === region).map(countryKey);
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : null);
const round = (x: number, d = 6) => Math.round(x * 10 ** d) / 10 ** d;

function expectedFor(o: ProviderObserved | undefined, attempts: number, volume: number): Expected | null {
  if (!o || o.successRate === null) return null;
  const succeededVolume = volume * (o.volumeSuccessRate ?? 0);
  return {
    successRate: round(o.successRate), succeeded: round(attempts * o.successRate, 2),
    succeededVolumeMinor: Math.round(succeededVolume), feesMinor: Math.round(succeededVolume * (o.feeRate ?? 0)),
  };
}

export async function simulateProposal(
  deps: { store: AnalyticsStore; dims: DimContext },
  s: { table: TableKey; current: readonly Route[]; proposed: readonly Route[]; hours?: number; now: number },
): Promise<Simulation> {
  const hours = s.hours ?? DEFAULT_SIMULATION_HOURS;
  const to = s.now;
  const from = to - hours * HOUR_MS;
  const boundaries = boundariesOf([...s.current, ...s.proposed]);
  const rows = await deps.store.providerReplay({
    from, to, currencyKey: currencyKey(s.table.currency), countryKeys: regionCountryKeys(s.table.region, deps.dims.regions),
    boundaries: boundaries.map(BigInt),
  });
  /** Band i starts at 0 or at boundary i − 1. */
  const bandStart = (band: number) => (band === 0 ? 0 : boundaries[band - 1]);
  const decoded = rows.map((r) => ({ ...r, method: valueOf(deps.dims.dict, DIM_METHOD, r.methodKey) ?? '', provider: valueOf(deps.dims.dict, DIM_PROVIDER, r.providerKey) ?? '' }));
  const segments = s.proposed.map((route) => {
    // The traffic the route serves in the table as proposed: its method (or, for '*', the methods no route of their own takes) and band.
    const served = decoded.filter((r) => routeFor(s.proposed, r.method, bandStart(r.band)) === route);
    return simulateSegment(route, served, s.current);
  });
  return { region: s.table.region, currency: s.table.currency, from, to, hours, segments };
}

function simulateSegment(route: Route, rows: Array<ProviderReplayRow & { method: string; provider: string }>, current: readonly Route[]): SegmentSimulation {
  const byProvider = new Map<string, { attempts: number; succeeded: number; volume: number; okVolume: number; fees: number }>();
  let attempts = 0;
  let succeeded = 0;
  let volume = 0n;
  for (const r of rows) {
    const p = byProvider.get(r.provider) ?? byProvider.set(r.provider, { attempts: 0, succeeded: 0, volume: 0, okVolume: 0, fees: 0 }).get(r.provider)!;
    p.attempts += r.attempted;
    p.succeeded += r.succeeded;
    p.volume += Number(r.volumeMinor);
    p.okVolume += Number(r.succeededVolumeMinor);
    p.fees += Number(r.feeMinor);
    attempts += r.attempted;
    succeeded += r.succeeded;
    volume += r.volumeMinor;
  }
  const providers: ProviderObserved[] = [...byProvider.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([provider, p]) => ({
    provider, attempts: p.attempts, succeeded: p.succeeded, successRate: ratio(p.succeeded, p.attempts),
    volumeSuccessRate: ratio(p.okVolume, p.volume), feeRate: ratio(p.fees, p.okVolume),
  }));
  // The current table's route for the segment (the same method, else its '*' route, at the band's start).
  const currentPrimary = routeFor(current, route.method, route.minAmount)?.providers[0] ?? null;
  const proposedPrimary = route.providers[0] ?? null;
  const v = Number(volume);
  const now = expectedFor(providers.find((p) => p.provider === currentPrimary), attempts, v);
  const next = expectedFor(providers.find((p) => p.provider === proposedPrimary), attempts, v);
  return {
    method: route.method, minAmount: route.minAmount, maxAmount: route.maxAmount, attempts, volumeMinor: String(volume),
    observedSuccessRate: ratio(succeeded, attempts) === null ? null : round(succeeded / attempts), providers, currentPrimary, proposedPrimary,
    current: now, proposed: next,
    change: now && next ? {
      successRate: round(next.successRate - now.successRate), succeeded: round(next.succeeded - now.succeeded, 2),
      succeededVolumeMinor: next.succeededVolumeMinor - now.succeededVolumeMinor, feesMinor: next.feesMinor - now.feesMinor,
    } : null,
  };
}
