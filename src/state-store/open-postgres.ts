// The state store on a PostgreSQL server (DATABASE_URL). A pool for queries; advisory locks
// live on one dedicated connection, so they last as long as the store is open. `schema`
// (optional) puts every table in one schema — tests use it to stay apart on a shared database.
// Outages: a connection that cannot be made fails within CONNECT_TIMEOUT_MS, a lost one is
// replaced by the pool at the next query (state-unavailable.ts turns both into a 503).

import pg from 'pg';
import { parseInt8, type Queryable, type SqlParam, type StateStore } from './state-store.ts';

const CONNECT_TIMEOUT_MS = 5000;
const types = { getTypeParser: (oid: number, format?: string) => (oid === 20 ? parseInt8 : pg.types.getTypeParser(oid, format as 'text')) };

export async function openPostgres(url: string, schema?: string): Promise<StateStore> {
  if (schema !== undefined && !/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new Error(`bad schema name ${schema}`);
  const options = schema ? `-c search_path=${schema}` : undefined;
  // Advisory locks are per database; a lock's first key is the schema's, so deployments that
  // share a database in separate schemas (DATABASE_SCHEMA) each elect their own lock holder.
  const lockSpace = schema ? lockSpaceOf(schema) : 0;
  const pool = new pg.Pool({ connectionString: url, max: 5, options, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
  pool.on('error', () => undefined); // an idle client lost: the pool replaces it
  // The session that holds advisory locks. If it is lost, so are its locks: the next tryLock
  // opens a new session (and another replica may have the lock by then).
  let lockClient: pg.Client | null = null;
  const lockSession = async (): Promise<pg.Client> => {
    if (lockClient) return lockClient;
    const c = new pg.Client({ connectionString: url, options, types, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, keepAlive: true });
    c.on('error', () => { if (lockClient === c) lockClient = null; });
    c.on('end', () => { if (lockClient === c) lockClient = null; });
    await c.connect();
    lockClient = c;
    return c;
  };
  try {
    if (schema) await pool.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await lockSession();
  } catch (err) {
    await pool.end().catch(() => undefined); // a failed open leaves no connections behind (the server retries it)
    throw err;
  }
  const q = (runner: { query: pg.Pool['query'] }): Queryable => ({
    async query<T>(sql: string, params: readonly SqlParam[] = []) {
      return (await runner.query(sql, params as unknown[])).rows as T[];
    },
  });
  return {
    kind: 'postgres',
    ...q(pool),
    async transaction(fn) {
      const client = await pool.connect();
      // TRICKY: a checked-out client whose connection drops between two statements emits
      // 'error', and an 'error' nobody listens to kills the process. The next statement then
      // fails on its own, and the client is destroyed on release instead of going back to the pool.
      let lost: Error | undefined;
      const onLost = (err: Error) => { lost = err; };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const out = await fn(q(client as unknown as { query: pg.Pool['query'] }));
        await client.query('COMMIT');
        return out;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      } finally {
        client.off('error', onLost);
        client.release(lost);
      }
    },
    async tryLock(key) {
      const r = await (await lockSession()).query('SELECT pg_try_advisory_lock($1::int, $2::int) AS ok', [lockSpace, key]);
      return r.rows[0].ok as boolean;
    },
    async holdsLock(key) {
      if (!lockClient) return false;
      try {
        const r = await lockClient.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND pid = pg_backend_pid()
             AND objsubid = 2 AND classid = $1::int::oid AND objid = $2::int::oid`, [lockSpace, key]);
        return r.rows[0].n > 0;
      } catch {
        return false;
      }
    },
    async unlock(key) {
      await lockClient?.query('SELECT pg_advisory_unlock($1::int, $2::int)', [lockSpace, key]);
    },
    async close() {
      const c = lockClient;
      lockClient = null;
      await c?.end().catch(() => undefined);
      await pool.end();
    },
  };
}

/** A schema's advisory-lock key space: FNV-1a of its name, in 1..2^31-1 (0 is the default schema's). */
export function lockSpaceOf(schema: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < schema.length; i++) h = Math.imul(h ^ schema.charCodeAt(i), 0x01000193);
  return ((h >>> 0) % 0x7fffffff) + 1;
}
