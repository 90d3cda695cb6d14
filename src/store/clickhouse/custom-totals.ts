// ClickHouse's totals of custom events (../custom-totals.ts): hour and day rollups summed over
// every dimension tuple, in tables of their own, sorted by type, grain, measure and bucket like
// the rollups but without the tuple, so that a 30-day answer reads a few rows per day.
//
// Exact without transactions, as the rollups are: each batch writes its own totals rows
// (customTotalsOf) as three more steps of the commit protocol, tagged with its batch id and
// visible only once its marker is written (commit-batch.ts, committed.ts); recovery removes an
// uncommitted batch's rows from them like from every batch table; compaction folds them per
// (grain, month) partition; retention deletes them with their grain's rollups.
//
// A database made before them gets them from its stored rollup rows (migration 7): the committed
// hour and day rows copied without their tuple, a partition at a time, then folded by
// compaction. A migration cut short is rerun whole, and starts by emptying the tables, so
// nothing is counted twice; it runs at open, before recovery and before any batch is written.
// Readers use the totals only once it is recorded (a read-only process may run beside the
// writer that makes them): until then they read the rollup rows.

import type { ChConnection } from './connection.ts';
import { chString } from './clickhouse-literal.ts';
import { COMMITTED } from './committed.ts';
import { CUSTOM_MONTH, grainMonth } from './partitions.ts';
import { isTotalGrain, type TotalKind } from '../custom-totals.ts';
import type { RollupMonths } from './compact-rollups.ts';

/** The migration that makes the totals: until it is recorded they may be missing, empty or partial. */
export const TOTALS_MIGRATION = 7;

export const CLICKHOUSE_TOTALS_TABLES = ['custom_totals_stats', 'custom_totals_bins', 'custom_totals_users'] as const;
export type TotalsTable = (typeof CLICKHOUSE_TOTALS_TABLES)[number];
export const totalsTableOf = (kind: TotalKind): TotalsTable => `custom_totals_${kind}`;

const PARTITION = `PARTITION BY (grain, ${CUSTOM_MONTH})`;

export const CUSTOM_TOTALS_DDL = [
  `CREATE TABLE IF NOT EXISTS custom_totals_stats (
    grain Int16, bucket Int32, event_type String, measure String, cnt Int64, sum_value Float64, min_value Float64,
    max_value Float64, sum_minor Int64, min_minor Int64, max_minor Int64, batch_id UInt32
  ) ENGINE = MergeTree ${PARTITION} ORDER BY (event_type, grain, measure, bucket)`,
  `CREATE TABLE IF NOT EXISTS custom_totals_bins (
    grain Int16, bucket Int32, event_type String, measure String, bin Int32, cnt Int64, batch_id UInt32
  ) ENGINE = MergeTree ${PARTITION} ORDER BY (event_type, grain, measure, bucket, bin)`,
  `CREATE TABLE IF NOT EXISTS custom_totals_users (
    grain Int16, bucket Int32, event_type String, register UInt16, rank UInt8, batch_id UInt32
  ) ENGINE = MergeTree ${PARTITION} ORDER BY (event_type, grain, bucket, register)`,
];

/** Each totals table's columns besides grain, bucket and event_type, as in its rollup table. */
const COLUMNS: Record<TotalKind, string> = {
  stats: 'measure, cnt, sum_value, min_value, max_value, sum_minor, min_minor, max_minor',
  bins: 'measure, bin, cnt',
  users: 'register, rank',
};

/**
 * Copies the committed hour and day rollup rows into the (emptied) totals tables without their
 * tuple, one insert per (grain, month) partition (an insert may touch at most 100); returns the
 * months written, for compaction to fold.
 */
export async function copyCustomTotals(ch: ChConnection): Promise<RollupMonths> {
  const months: RollupMonths = new Map();
  for (const kind of ['stats', 'bins', 'users'] as const) {
    const table = totalsTableOf(kind);
    await ch.command(`TRUNCATE TABLE ${table}`);
    const parts = await ch.select(`SELECT DISTINCT partition FROM system.parts
      WHERE database = ${chString(ch.database)} AND table = ${chString(`custom_rollup_${kind}`)} AND active`);
    const written = new Set<number>();
    for (const text of parts.columns[0] ?? []) {
      const p = grainMonth(String(text));
      if (!p) throw new Error(`custom_rollup_${kind}: unexpected partition ${String(text)}`);
      const { grain, month } = p;
      if (!isTotalGrain(grain)) continue;
      await ch.command(`INSERT INTO ${table} (grain, bucket, event_type, ${COLUMNS[kind]}, batch_id)
        SELECT grain, bucket, event_type, ${COLUMNS[kind]}, batch_id FROM custom_rollup_${kind}
        WHERE grain = ${grain} AND ${CUSTOM_MONTH} = ${month} AND ${COMMITTED}`);
      written.add(month);
    }
    months.set(table, written);
  }
  return months;
}
