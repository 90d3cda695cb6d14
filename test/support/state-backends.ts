// The state store's two backends, for tests that must pass on both: embedded PGlite in a temp
// dir, and the PostgreSQL server on this machine (a fresh schema per store, dropped after).
// PostgreSQL is required under CI; elsewhere its tests are skipped when it is unreachable.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export interface Backend {
  name: 'pglite' | 'postgres';
  /** Opens a store; stores opened with the same `shared` name see the same data. */
  open(shared?: string): Promise<StateStore>;
  cleanup(): Promise<void>;
}

/** Drops test schemas of the real PostgreSQL (after a test that made its own). */
export async function dropSchemas(names: string[]): Promise<void> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  try {
    for (const s of names) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
  } finally {
    await c.end();
  }
}

export async function postgresReachable(): Promise<boolean> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

export function pgliteBackend(): Backend {
  const dirs = new Map<string, string>();
  return {
    name: 'pglite',
    async open(shared = randomBytes(4).toString('hex')) {
      if (!dirs.has(shared)) dirs.set(shared, mkdtempSync(join(tmpdir(), 'molam-state-')));
      return openStateStore({ databaseUrl: '', dataDir: dirs.get(shared)! });
    },
    async cleanup() {
      for (const d of dirs.values()) rmSync(d, { recursive: true, force: true });
    },
  };
}

export function postgresBackend(): Backend {
  const schemas = new Map<string, string>();
  return {
    name: 'postgres',
    async open(shared = randomBytes(4).toString('hex')) {
      if (!schemas.has(shared)) schemas.set(shared, `t_${randomBytes(6).toString('hex')}`);
      return openStateStore({ databaseUrl: TEST_DATABASE_URL, schema: schemas.get(shared)!, dataDir: '' });
    },
    cleanup: () => dropSchemas([...schemas.values()]),
  };
}
