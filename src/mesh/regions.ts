// The mesh's regions (model.ts), each with its names and how many members it has, by status.

import type { Queryable } from '../state-store/state-store.ts';
import { MESH_REGION_NAMES, MESH_REGIONS, type MeshRegion } from './model.ts';

export interface RegionView {
  region: MeshRegion;
  name: { en: string; fr: string };
  members: { active: number; pending_approval: number; suspended: number };
}

export async function listRegions(q: Queryable): Promise<{ items: RegionView[] }> {
  const counts = await q.query<{ region: string; status: keyof RegionView['members']; n: number }>(
    'SELECT region, status, count(*)::int AS n FROM mesh_members GROUP BY region, status');
  return {
    items: MESH_REGIONS.map((region) => {
      const members = { active: 0, pending_approval: 0, suspended: 0 };
      for (const c of counts) if (c.region === region) members[c.status] = c.n;
      return { region, name: { ...MESH_REGION_NAMES[region] }, members };
    }),
  };
}

export interface PoolView {
  id: string;
  region: string;
  currency: string;
  provider: string;
  /** Minor units of `currency`, as a decimal string (bigint). */
  balance_minor: string;
  updated_at: string;
}

/** The liquidity pools (mesh_liquidity_pools), read only: moved by reconciliation. */
export async function listPools(q: Queryable, f: { region: string | null; currency: string | null }): Promise<{ items: PoolView[] }> {
  const rows = await q.query<{ id: string; region: string; currency: string; provider: string; balance_minor: string; updated_at: Date }>(
    `SELECT id, region, currency, provider, balance_minor::text AS balance_minor, updated_at FROM mesh_liquidity_pools
     WHERE ($1::text IS NULL OR region = $1) AND ($2::text IS NULL OR currency = $2) ORDER BY region, currency, provider`,
    [f.region, f.currency]);
  return { items: rows.map((r) => ({ ...r, updated_at: r.updated_at.toISOString() })) };
}
