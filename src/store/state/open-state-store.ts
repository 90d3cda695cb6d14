// Opens the state store a config asks for — PostgreSQL when DATABASE_URL is set, else PGlite in
// DATA_DIR/state — and brings its schema up to date.

import { join } from 'node:path';
import { openPglite } from './open-pglite.ts';
import { openPostgres } from './open-postgres.ts';
import { migrateState } from './state-migrations.ts';
import type { StateStore } from './state-store.ts';

export async function openStateStore(o: { databaseUrl: string; schema?: string; dataDir: string }): Promise<StateStore> {
  const store = o.databaseUrl ? await openPostgres(o.databaseUrl, o.schema || undefined) : await openPglite(join(o.dataDir, 'state'));
  try {
    await migrateState(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return store;
}
