// An online copy of the embedded store into a new DuckDB file, and what a copy holds. The copy is
// one read transaction on a connection of its own (ATTACH the new file, COPY FROM DATABASE):
// DuckDB's snapshot isolation makes it exactly the store as of one commit, while the writer goes
// on committing batches — ingest never waits for a backup. The facts (last batch, source
// positions, rows per table) are read in the same transaction, so they describe that commit.

import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { sqlString } from '../sql-literal.ts';
import type { StoreSnapshot } from '../analytics-store.ts';

const ALIAS = 'molam_backup';

async function rows(conn: DuckDBConnection, sql: string): Promise<Array<Record<string, unknown>>> {
  return (await conn.runAndReadAll(sql)).getRowObjectsJS() as Array<Record<string, unknown>>;
}

/** What the store the connection's current database is holds, as of its transaction. */
async function describe(conn: DuckDBConnection): Promise<StoreSnapshot> {
  const tables = (await rows(conn, `SELECT table_name AS t FROM duckdb_tables()
    WHERE database_name = current_database() AND schema_name = 'main' ORDER BY table_name`)).map((r) => String(r.t));
  const counts: Record<string, number> = {};
  if (tables.length) {
    const [r] = await rows(conn, `SELECT ${tables.map((t, i) => `(SELECT count(*) FROM "${t.replaceAll('"', '""')}") AS c${i}`).join(', ')}`);
    tables.forEach((t, i) => { counts[t] = Number(r[`c${i}`]); });
  }
  const [meta] = await rows(conn, `SELECT (SELECT store_id FROM store_identity LIMIT 1) AS s,
    (SELECT coalesce(max(batch_id), 0) FROM ingest_batches) AS b, (SELECT max(version) FROM schema_migrations) AS v`);
  const positions = (await rows(conn, 'SELECT source, position FROM source_positions ORDER BY source'))
    .map((r) => ({ source: String(r.source), position: String(r.position) }));
  return { storeId: String(meta.s), schemaVersion: Number(meta.v), lastBatchId: Number(meta.b), positions, rows: counts };
}

/** Copies the open store into a new DuckDB file at `path` (which must not exist); what it holds. */
export async function backupDuckDb(instance: DuckDBInstance, path: string): Promise<StoreSnapshot> {
  const conn = await instance.connect();
  try {
    const [{ d }] = await rows(conn, 'SELECT current_database() AS d');
    await conn.run(`ATTACH ${sqlString(path, 'duckdb')} AS ${ALIAS}`);
    try {
      await conn.run('BEGIN TRANSACTION');
      let facts: StoreSnapshot;
      try {
        facts = await describe(conn);
        await conn.run(`COPY FROM DATABASE "${String(d).replaceAll('"', '""')}" TO ${ALIAS}`);
        await conn.run('COMMIT');
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
      // Everything into the file itself (no WAL beside it): the copy is one file.
      await conn.run(`CHECKPOINT ${ALIAS}`);
      return facts;
    } finally {
      await conn.run(`DETACH ${ALIAS}`).catch(() => undefined);
    }
  } finally {
    conn.closeSync();
  }
}

/** What a DuckDB store file holds, opened read-only (a backup, or a restored store being checked). */
export async function inspectDuckDbFile(path: string): Promise<StoreSnapshot> {
  const instance = await DuckDBInstance.create(path, { access_mode: 'READ_ONLY' });
  try {
    const conn = await instance.connect();
    try {
      return await describe(conn);
    } finally {
      conn.closeSync();
    }
  } finally {
    instance.closeSync();
  }
}
