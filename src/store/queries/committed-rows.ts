// Which rows a read may count. DuckDB commits a batch in one transaction, so every row it shows
// is committed. ClickHouse writes each table separately; a batch's rows count once its commit
// marker (its ingest_batches row, written last) exists: batch ids are consecutive and rows of a
// batch that failed half-way are removed before the next one (clickhouse/ holds the protocol).

import type { BackendKind } from '../backend.ts';
import { COMMITTED } from '../clickhouse/committed.ts';
import { sqlInt } from '../sql-literal.ts';

/**
 * A predicate over `batch_id` for tables written per batch (raw events, rollups, dead letters).
 * `lastBatch`: the last committed batch, when the caller has read it (one literal instead of a
 * scalar subquery per table).
 */
export function committedRows(kind: BackendKind, lastBatch?: number): string {
  if (kind === 'duckdb') return '1 = 1';
  return lastBatch === undefined ? COMMITTED : `batch_id <= ${sqlInt(lastBatch)}`;
}
