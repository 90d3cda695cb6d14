// The embedded state store's data directory to and from a tar archive (backup and restore,
// src/ops/backup-embedded.ts): PGlite writes the archive from the running store
// (StateStore.dumpDataDir) and unpacks one into a new directory, which is then a store like any.

import { PGlite } from '@electric-sql/pglite';

/** Unpacks `tar` into `dir` (new or empty) as a PGlite data directory; the state schema version it holds. */
export async function restorePgliteArchive(dir: string, tar: Uint8Array): Promise<{ schemaVersion: number; tables: number }> {
  const db = await PGlite.create(dir, { loadDataDir: new Blob([tar as Uint8Array<ArrayBuffer>]) });
  try {
    return await describe(db);
  } finally {
    await db.close();
  }
}

/** What an archive holds, unpacked in memory only (the check of a backup as it is written). */
export async function inspectPgliteArchive(tar: Uint8Array): Promise<{ schemaVersion: number; tables: number }> {
  const db = await PGlite.create({ loadDataDir: new Blob([tar as Uint8Array<ArrayBuffer>]) });
  try {
    return await describe(db);
  } finally {
    await db.close();
  }
}

async function describe(db: PGlite): Promise<{ schemaVersion: number; tables: number }> {
  const [v] = (await db.query<{ v: number | null }>('SELECT max(version) AS v FROM state_migrations')).rows;
  const [t] = (await db.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_tables WHERE schemaname = 'public'")).rows;
  return { schemaVersion: Number(v.v ?? 0), tables: t.n };
}
