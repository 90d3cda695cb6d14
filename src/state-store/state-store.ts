// The relational state store (PostgreSQL dialect): alert rules, alerts, silences, webhook
// endpoints, the outbox and the audit log — later also merchant operations and routing.
// Embedded PGlite by default, a PostgreSQL server with DATABASE_URL; one set of migrations and
// one set of queries for both.

export type SqlParam = string | number | boolean | null | Date | Record<string, unknown> | unknown[];

export interface Queryable {
  /** Runs one parameterised statement ($1, $2…) and returns its rows. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly SqlParam[]): Promise<T[]>;
}

export interface StateStore extends Queryable {
  readonly kind: 'pglite' | 'postgres';
  /** Runs `fn` in one transaction (committed if it resolves, rolled back if it throws). */
  transaction<T>(fn: (q: Queryable) => Promise<T>): Promise<T>;
  /**
   * Takes a session-level advisory lock if free (true) — held until released or the store
   * closes. With several replicas on one PostgreSQL, exactly one holds it.
   */
  tryLock(key: number): Promise<boolean>;
  /** Whether this store still holds the lock (its session may have been lost). */
  holdsLock(key: number): Promise<boolean>;
  unlock(key: number): Promise<void>;
  /**
   * Embedded PGlite only: a consistent copy of its whole data directory, as a tar archive
   * (backup, src/ops/backup). A PostgreSQL server is backed up with its own tools (pg_dump).
   */
  dumpDataDir?(): Promise<Uint8Array>;
  close(): Promise<void>;
}

/** int8 → number when exact, else bigint (both drivers, so both stores answer alike). */
export function parseInt8(v: string): number | bigint {
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : BigInt(v);
}
