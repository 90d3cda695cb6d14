// The embedded state store: PGlite (PostgreSQL compiled to WebAssembly) in a directory.
// TRICKY: PGlite's file system does not fsync, so a machine crash (not a process crash) can
// lose the last committed transactions; the README says so. Single process: queries run one at
// a time, and advisory locks always succeed for this process.
// The directory must exist already (pglite-data-dir.ts makes new ones).

import { PGlite } from '@electric-sql/pglite';
import { parseInt8, type Queryable, type SqlParam, type StateStore } from './state-store.ts';

export async function openPglite(dir: string): Promise<StateStore> {
  const db = await PGlite.create(dir, { parsers: { 20: parseInt8 } });
  const q = (runner: Pick<PGlite, 'query'>): Queryable => ({
    async query<T>(sql: string, params: readonly SqlParam[] = []) {
      return (await runner.query<T>(sql, params as unknown[])).rows;
    },
  });
  return {
    kind: 'pglite',
    ...q(db),
    transaction: (fn) => db.transaction((tx) => fn(q(tx))),
    async tryLock(key) {
      const rows = await db.query<{ ok: boolean }>('SELECT pg_try_advisory_lock($1) AS ok', [key]);
      return rows.rows[0].ok;
    },
    holdsLock: async () => true, // one process: its locks cannot be lost
    async unlock(key) {
      await db.query('SELECT pg_advisory_unlock($1)', [key]);
    },
    // TRICKY: PGlite runs one statement at a time, so the dump sees no transaction half done.
    dumpDataDir: async () => new Uint8Array(await (await db.dumpDataDir('none')).arrayBuffer()),
    close: () => db.close(),
  };
}
