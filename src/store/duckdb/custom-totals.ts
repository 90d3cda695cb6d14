// DuckDB's totals of custom events (../custom-totals.ts): one row per (grain, bucket, type,
// measure[, bin | register]) in a table per kind and grain, merged in place by each batch.
//
// Why here too: DuckDB has no order key, so a read of the rollup tables scans all their rows,
// and with many dimension tuples those are about as many as the events (a 30-day p95 took
// 150 ms at 1M events).
//
// Exact by construction: the batch's transaction folds its own just-appended rollup rows into
// these with an upsert (counts and sums added, min/max/rank kept), so they commit or vanish
// with it; migration 6 folds every row already stored the same way. Money sums are HUGEINT, so a
// fold never overflows. Retention deletes them with the rollup rows of their grain.

import { TOTAL_GRAINS, type TotalGrain, type TotalKind } from '../custom-totals.ts';

/**
 * A totals table: one per kind and grain, so that a day answer scans day rows only (an hour
 * table holds 24 times as many rows).
 */
export const totalsTable = (kind: TotalKind, grain: TotalGrain): string => `custom_totals_${kind}_${grain}`;

/** The totals tables, for retention: [table, grain]. */
export const CUSTOM_TOTALS_TABLES: ReadonlyArray<readonly [string, TotalGrain]> = TOTAL_GRAINS.flatMap((g) =>
  (['stats', 'bins', 'users'] as const).map((k) => [totalsTable(k, g), g] as const));

export const CUSTOM_TOTALS_DDL = TOTAL_GRAINS.map((g) => `
CREATE TABLE ${totalsTable('stats', g)} (
  bucket INTEGER NOT NULL, event_type VARCHAR NOT NULL, measure VARCHAR NOT NULL,
  cnt BIGINT NOT NULL, sum_value DOUBLE NOT NULL, min_value DOUBLE NOT NULL, max_value DOUBLE NOT NULL,
  sum_minor HUGEINT NOT NULL, min_minor BIGINT NOT NULL, max_minor BIGINT NOT NULL,
  PRIMARY KEY (event_type, measure, bucket)
);
CREATE TABLE ${totalsTable('bins', g)} (
  bucket INTEGER NOT NULL, event_type VARCHAR NOT NULL, measure VARCHAR NOT NULL, bin INTEGER NOT NULL, cnt BIGINT NOT NULL,
  PRIMARY KEY (event_type, measure, bucket, bin)
);
CREATE TABLE ${totalsTable('users', g)} (
  bucket INTEGER NOT NULL, event_type VARCHAR NOT NULL, register SMALLINT NOT NULL, rank UTINYINT NOT NULL,
  PRIMARY KEY (event_type, bucket, register)
);`).join('\n');

/**
 * Folds rollup rows into the totals: those of one batch (in its transaction), or all of them
 * (the migration, on empty totals).
 */
export function foldCustomTotalsSql(batchId: number | null): string[] {
  return TOTAL_GRAINS.flatMap((g) => {
    const rows = `grain = ${g}${batchId === null ? '' : ` AND batch_id = ${Math.trunc(batchId)}`}`;
    return [
      `INSERT INTO ${totalsTable('stats', g)}
         SELECT bucket, event_type, measure, sum(cnt), sum(sum_value), min(min_value), max(max_value),
                sum(sum_minor), min(min_minor), max(max_minor)
         FROM custom_rollup_stats WHERE ${rows} GROUP BY bucket, event_type, measure
       ON CONFLICT DO UPDATE SET cnt = cnt + excluded.cnt, sum_value = sum_value + excluded.sum_value,
         min_value = least(min_value, excluded.min_value), max_value = greatest(max_value, excluded.max_value),
         sum_minor = sum_minor + excluded.sum_minor, min_minor = least(min_minor, excluded.min_minor),
         max_minor = greatest(max_minor, excluded.max_minor)`,
      `INSERT INTO ${totalsTable('bins', g)}
         SELECT bucket, event_type, measure, bin, sum(cnt) FROM custom_rollup_bins WHERE ${rows} GROUP BY bucket, event_type, measure, bin
       ON CONFLICT DO UPDATE SET cnt = cnt + excluded.cnt`,
      `INSERT INTO ${totalsTable('users', g)}
         SELECT bucket, event_type, register, max(rank) FROM custom_rollup_users WHERE ${rows} GROUP BY bucket, event_type, register
       ON CONFLICT DO UPDATE SET rank = greatest(rank, excluded.rank)`,
    ];
  });
}
