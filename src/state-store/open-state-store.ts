// Opens the state store a config asks for — PostgreSQL when DATABASE_URL is set, else PGlite in
// DATA_DIR/state — and brings its schema up to date. The store returned answers outages with
// AppError('state_unavailable') (state-unavailable.ts). `openStateStoreInBackground` lets the
// server serve analytics while the state store opens (a first PGlite start runs initdb, seconds).

import { join } from 'node:path';
import type { Logger } from 'pino';
import { openPglite } from './open-pglite.ts';
import { migrateState, STATE_SCHEMA_KEY } from './state-migrations.ts';
import { createDataDirIfMissing } from './pglite-data-dir.ts';
import { guardStateStore, isStateUnavailable, stateUnavailable } from './state-unavailable.ts';
import type { Queryable, SqlParam, StateStore } from './state-store.ts';

export interface StateStoreOptions {
  databaseUrl: string;
  schema?: string;
  dataDir: string;
}

export async function openStateStore(o: StateStoreOptions): Promise<StateStore> {
  // The PostgreSQL driver is loaded only when it is used (it costs start-up time otherwise).
  const store = o.databaseUrl
    ? await (await import('./open-postgres.ts')).openPostgres(o.databaseUrl, o.schema || undefined)
    : await openNewOrExistingPglite(join(o.dataDir, 'state'));
  try {
    await migrateState(store);
  } catch (err) {
    await store.close();
    throw err;
  }
  return guardStateStore(store);
}

/** A new embedded store is a copy of a migrated template (initdb and migrations run once per install). */
async function openNewOrExistingPglite(dir: string): Promise<StateStore> {
  await createDataDirIfMissing(dir, STATE_SCHEMA_KEY);
  return openPglite(dir);
}

export interface BackgroundStateStore {
  /** Usable at once: until the store is open, every call fails with state_unavailable (starting). */
  store: StateStore;
  /** Resolves once open; rejects on a failure that waiting cannot cure (not an unreachable server). */
  opened: Promise<void>;
}

const MAX_RETRY_DELAY_MS = 30_000;

/**
 * Opens the store without making the caller wait, once `after` settles (the server opens it once
 * it serves: PGlite's work runs on the main thread and would slow everything before). A
 * PostgreSQL that cannot be reached is tried again with backoff (it may be starting too); any
 * other failure rejects `opened`.
 */
export function openStateStoreInBackground(o: StateStoreOptions, log: Logger, after: Promise<unknown> = Promise.resolve()): BackgroundStateStore {
  let open: StateStore | null = null;
  let closed = false;
  let wake = () => {};
  /** Waits for `p`, or for close (which calls wake). */
  const pause = (p: Promise<unknown>) => new Promise<void>((resolve) => {
    wake = resolve;
    p.then(() => resolve(), () => resolve());
  });
  const opened = (async () => {
    await pause(after);
    for (let attempt = 0; !closed; attempt++) {
      try {
        const s = await openStateStore(o);
        if (closed) await s.close();
        else open = s;
        return;
      } catch (err) {
        if (closed || !isStateUnavailable(err)) throw err;
        const delay = Math.min(MAX_RETRY_DELAY_MS, 1000 * 2 ** attempt);
        log.warn({ err, attempt, retryInMs: delay }, 'the state store cannot be reached yet; retrying');
        let timer: NodeJS.Timeout | undefined;
        await pause(new Promise((r) => { timer = setTimeout(r, delay); }));
        clearTimeout(timer); // woken by close: the timer must not keep the process alive
      }
    }
  })();
  const starting = () => stateUnavailable('the state store (alerts, webhooks) is starting; retry shortly', { state_store: 'starting' });
  const current = (): StateStore => {
    if (open) return open;
    throw starting();
  };
  return {
    opened,
    store: {
      kind: o.databaseUrl ? 'postgres' : 'pglite',
      query: async <T>(sql: string, params?: readonly SqlParam[]) => current().query<T>(sql, params),
      transaction: async <T>(fn: (q: Queryable) => Promise<T>) => current().transaction(fn),
      tryLock: async (key) => current().tryLock(key),
      holdsLock: async (key) => (open ? open.holdsLock(key) : false),
      unlock: async (key) => { await open?.unlock(key); },
      ...(o.databaseUrl ? {} : {
        dumpDataDir: async () => {
          const s = current();
          if (!s.dumpDataDir) throw new Error('this state store cannot dump its data directory');
          return s.dumpDataDir();
        },
      }),
      async close() {
        closed = true;
        wake();
        await opened.catch(() => undefined);
        await open?.close();
      },
    },
  };
}
