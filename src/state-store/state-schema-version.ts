// The state store's schema version, read without opening the store as the server does (which
// migrates): what `cli doctor` compares with the version this code expects. null: no state
// store there yet.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

export async function stateSchemaVersion(o: { databaseUrl?: string; schema?: string; dataDir: string }): Promise<number | null> {
  return o.databaseUrl ? postgresVersion(o.databaseUrl, o.schema ?? '') : pgliteVersion(join(o.dataDir, 'state'));
}

async function postgresVersion(databaseUrl: string, schemaName: string): Promise<number | null> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    const schema = schemaName || 'public';
    const t = await client.query('SELECT to_regclass($1) AS t', [`"${schema.replaceAll('"', '""')}".state_migrations`]);
    if (!t.rows[0].t) return null;
    const r = await client.query(`SELECT max(version) AS v FROM "${schema.replaceAll('"', '""')}".state_migrations`);
    return Number(r.rows[0].v ?? 0);
  } finally {
    await client.end();
  }
}

async function pgliteVersion(dir: string): Promise<number | null> {
  if (!existsSync(join(dir, 'PG_VERSION'))) return null;
  const { PGlite } = await import('@electric-sql/pglite');
  const db = await PGlite.create(dir);
  try {
    const r = await db.query<{ v: number | null }>('SELECT max(version) AS v FROM state_migrations');
    return Number(r.rows[0].v ?? 0);
  } finally {
    await db.close();
  }
}
