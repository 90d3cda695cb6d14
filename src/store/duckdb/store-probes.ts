// What readiness asks the analytics store (SQL stays under src/store): the schema version its
// migrations reached, and whether a durable write goes through now.

import type { AnalyticsStore } from '../analytics-store.ts';

/** The highest applied migration (each migration records its number in schema_migrations). */
export async function readSchemaVersion(store: AnalyticsStore): Promise<number> {
  const rows = await store.query('SELECT coalesce(max(version), 0) AS version FROM schema_migrations');
  return Number(rows[0]?.version ?? 0);
}

/**
 * A small write through the writer connection, committed (it reaches the WAL: a DDL statement
 * does; an UPDATE that changes nothing does not). After a failed commit it tells whether the
 * store takes writes again — disk space freed — without waiting for an ingest request.
 */
export async function probeWrite(store: AnalyticsStore, now: number): Promise<void> {
  await store.execute([`CREATE OR REPLACE TABLE write_probe AS SELECT ${Math.trunc(now)}::BIGINT AS at`]);
}
