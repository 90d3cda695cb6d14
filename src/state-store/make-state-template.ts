// What a new embedded state store starts as: an initdb'd PGlite directory with every migration
// applied (run in a worker thread by pglite-data-dir.ts).

import { openPglite } from './open-pglite.ts';
import { migrateState } from './state-migrations.ts';

export async function makeStateTemplate(dir: string): Promise<void> {
  const store = await openPglite(dir); // an empty directory: PGlite runs initdb
  try {
    await migrateState(store);
  } finally {
    await store.close();
  }
}
