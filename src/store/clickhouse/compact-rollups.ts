// Rollup rows are written per batch (the commit protocol needs every row's batch_id until its
// batch is committed), so a busy month holds many rows per key, and every query sums them all.
// Compaction folds a month partition's committed rows into one row per key, atomically:
// the folded rows are built in a side table with the same structure, their totals checked
// against the partition's, and `ALTER TABLE … REPLACE PARTITION … FROM` swaps them in (18.16
// has it). It runs holding the writer, after recovery, so no batch is in flight. A folded row
// keeps the highest batch id of its rows: it stays committed for readers.

import type { ChConnection } from './connection.ts';
import { chString } from './clickhouse-literal.ts';
import { COMMITTED } from './committed.ts';
import { ROLLUP_KEYS } from '../queries/shape-sql.ts';

export interface CompactReport {
  partitions: number;
  rowsBefore: number;
  rowsAfter: number;
}

export const ROLLUP_TABLES = ['rollup_minute', 'rollup_hour', 'rollup_day'] as const;
const TABLES = ROLLUP_TABLES;

/** Month partitions (YYYYMM) of each rollup table. */
export type RollupMonths = Map<(typeof ROLLUP_TABLES)[number], Set<number>>;

/** The UTC month (YYYYMM) of an epoch minute, as the rollup tables are partitioned. */
export function monthOfMinute(minute: number): number {
  const d = new Date(minute * 60_000);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}
const KEYS = ROLLUP_KEYS;
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MAX = 2n ** 63n - 1n;

const num = (v: unknown) => BigInt(String(v ?? 0));

async function one(ch: ChConnection, sql: string): Promise<Record<string, unknown>> {
  const a = await ch.select(sql);
  return Object.fromEntries(a.names.map((n, i) => [n, a.columns[i][0]]));
}

/** Per key: the sums as exact decimals (aliases unlike the columns: ClickHouse's are global). */
const folded = (table: string, month: number) => `SELECT ${KEYS}, sum(toDecimal128(cnt, 0)) AS s_cnt,
    sum(toDecimal128(amount_minor, 0)) AS s_amount, sum(toDecimal128(fee_minor, 0)) AS s_fee, max(batch_id) AS s_batch
  FROM ${table} WHERE toYYYYMM(toDateTime(minute * 60, 'UTC')) = ${month} AND ${COMMITTED} GROUP BY ${KEYS}`;

/**
 * Folds the partitions of `only` (the months batches wrote to since the last time), or else
 * every partition of more than one part (rows inserted since a compaction, unless merges
 * have already joined them).
 */
export async function compactRollups(ch: ChConnection, only?: RollupMonths): Promise<CompactReport> {
  const report: CompactReport = { partitions: 0, rowsBefore: 0, rowsAfter: 0 };
  for (const table of TABLES) {
    const side = `${table}_compact`;
    const parts = await ch.select(`SELECT partition, count() AS parts, sum(rows) AS row_count FROM system.parts
      WHERE database = ${chString(ch.database)} AND table = ${chString(table)} AND active GROUP BY partition`);
    for (let i = 0; i < parts.rowCount; i++) {
      const month = Number(parts.columns[0][i]);
      if (!Number.isSafeInteger(month)) continue;
      if (only ? !only.get(table)?.has(month) : Number(parts.columns[1][i]) <= 1) continue;
      const before = await one(ch, `SELECT count() AS n, sum(s_cnt) AS c, sum(s_amount) AS a, sum(s_fee) AS f,
          max(s_cnt) AS max_c, min(s_cnt) AS min_c, max(s_amount) AS max_a, min(s_amount) AS min_a, max(s_fee) AS max_f, min(s_fee) AS min_f
        FROM (${folded(table, month)})`);
      // A key whose total no longer fits its column stays as it is, unfolded.
      const fits = num(before.max_c) <= INT32_MAX && -num(before.min_c) <= INT32_MAX
        && [before.max_a, before.max_f].every((v) => num(v) <= INT64_MAX) && [before.min_a, before.min_f].every((v) => -num(v) <= INT64_MAX);
      if (!fits) continue;
      await ch.command(`CREATE TABLE IF NOT EXISTS ${side} AS ${table}`);
      await ch.command(`TRUNCATE TABLE ${side}`);
      // Keys whose rows net to zero stay too (as one zero row): an answer's groups are the keys
      // that have rows, on every backend, compacted or not.
      await ch.command(`INSERT INTO ${side} SELECT ${KEYS}, toInt32(s_cnt), toInt64(s_amount), toInt64(s_fee), s_batch
        FROM (${folded(table, month)})`);
      const after = await one(ch, `SELECT count() AS n, sum(toDecimal128(cnt, 0)) AS c, sum(toDecimal128(amount_minor, 0)) AS a,
        sum(toDecimal128(fee_minor, 0)) AS f FROM ${side}`);
      for (const k of ['c', 'a', 'f'] as const) {
        if (num(after[k]) !== num(before[k])) throw new Error(`compaction of ${table} ${month}: ${k} ${after[k]} != ${before[k]}`);
      }
      await ch.command(`ALTER TABLE ${table} REPLACE PARTITION ${month} FROM ${side}`);
      await ch.command(`TRUNCATE TABLE ${side}`);
      report.partitions++;
      report.rowsBefore += Number(parts.columns[2][i]);
      report.rowsAfter += Number(after.n);
    }
  }
  return report;
}
