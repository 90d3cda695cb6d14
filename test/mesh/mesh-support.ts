// Test helper for the mesh's governance: the people (tokens of the mesh roles) and the steps
// every test starts from — members requested and approved, a table set — over HTTP.

import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

export interface People {
  /** Two operators (mesh_ops), a compliance officer (mesh_compliance), and a read-only ops user. */
  ana: Record<string, string>;
  ben: Record<string, string>;
  cea: Record<string, string>;
  viewer: Record<string, string>;
}

export async function people(): Promise<People> {
  return {
    ana: bearer(await mintToken({ sub: 'ana', roles: ['mesh_ops'] })),
    ben: bearer(await mintToken({ sub: 'ben', roles: ['mesh_ops'] })),
    cea: bearer(await mintToken({ sub: 'cea', roles: ['mesh_compliance'] })),
    viewer: bearer(await mintToken({ sub: 'vic', roles: ['analytics:ops'] })),
  };
}

let keys = 0;
export const freshKey = () => `k-${process.pid}-${++keys}`;

export function caller(t: TempApp) {
  return (method: 'GET' | 'POST' | 'PUT', url: string, who: Record<string, string>, payload?: unknown, key?: string): Promise<LightMyRequestResponse> =>
    t.app.inject({ method, url, headers: { ...who, ...(key ? { 'idempotency-key': key } : {}) }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** An active member: requested by ana, approved by cea (compliance) and ben (ops). */
export async function activeMember(t: TempApp, p: People, provider: string, region = 'ECOWAS', currencies = ['XOF']): Promise<string> {
  const call = caller(t);
  const made = await call('POST', '/api/mesh/members', p.ana, { provider, name: provider.toUpperCase(), kind: 'psp', region, currencies });
  assert.equal(made.statusCode, 201, made.body);
  const id = made.json().id as string;
  assert.equal((await call('POST', `/api/mesh/members/${id}/approve`, p.cea)).statusCode, 200);
  const ops = await call('POST', `/api/mesh/members/${id}/approve`, p.ben);
  assert.equal(ops.json().status, 'active', ops.body);
  return id;
}

export const route = (method: string, min: number, max: number | null, ...providers: string[]) => ({ method, min_amount: min, max_amount: max, providers });

/** Sets ECOWAS/XOF (or another table) as a static table on top of `base`; returns its version. */
export async function setTable(t: TempApp, p: People, routes: unknown[], base: number, table = 'ECOWAS/XOF'): Promise<number> {
  const res = await caller(t)('PUT', `/api/mesh/routing/${table}`, p.ana, { base_version: base, routes }, freshKey());
  assert.equal(res.statusCode, 200, res.body);
  return res.json().version;
}
