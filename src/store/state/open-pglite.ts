// The embedded state store: PGlite (PostgreSQL compiled to WebAssembly) in a directory.
// TRICKY: PGlite's file system does not fsync, so a machine crash (not a process crash) can
// lose the last committed transactions; the README says so. Single process: queries run one at
// a time, and advisory locks always succeed for this process.
// A first start creates the directory in a worker thread (initdb: the slowest step of starting
// on an empty DATA_DIR, which would block the event loop for seconds at a time), in a
// temporary directory renamed into place, so an interrupted first start leaves no half-made store.

import { existsSync, mkdirSync, readdirSync, renameSync, rmdirSync, rmSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { parseInt8, type Queryable, type SqlParam, type StateStore } from './state-store.ts';

export async function openPglite(dir: string): Promise<StateStore> {
  await createIfMissing(dir);
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
    close: () => db.close(),
  };
}

async function createIfMissing(dir: string): Promise<void> {
  if (existsSync(dir) && readdirSync(dir).length > 0) return; // an existing store (or not ours: PGlite says so)
  const tmp = `${dir}.creating-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    await new Promise<void>((resolve, reject) => {
      // execArgv: [] — plain JavaScript, no need for the TypeScript loader the main thread runs with.
      const worker = new Worker(new URL('./pglite-initdb-worker.mjs', import.meta.url), { workerData: { dir: tmp }, execArgv: [] });
      worker.once('message', () => resolve());
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`PGlite initdb worker exited with ${code}`)));
    });
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
  if (existsSync(dir)) rmdirSync(dir); // empty (checked above); rename needs it gone or empty
  renameSync(tmp, dir);
}
