// Rollup rows are written per batch (the commit protocol needs every row's batch_id until its
// batch is committed), so a busy month holds many rows per key, and every query sums them all.
// Compaction folds a month partition's committed rows into one row per key, atomically:
// the folded rows are built in a side table with the same structure, their totals checked
// against the partition's, and `ALTER TABLE … REPLACE PARTITION … FROM` swaps them in (18.16
// has it). It runs holding the writer, after recovery, so no batch is in flight. A folded row
// holds committed rows only and takes batch id 0, so it stays visible to every reader, also one
// that read the last committed batch before the fold (the rollup aggregate reads it first).
//
// The payment rollups (rollup_minute/hour/day, partitioned by month), the custom event rollups
// (custom_rollup_stats/bins/users, partitioned by (grain, month)) and their totals
// (custom_totals_*, the same without the tuple) fold alike: counts and
// integer sums as exact decimals, checked; min, max and the HyperLogLog rank by min/max; a
// custom measure's Float64 sum_value by sum (only its rounding may differ: the order in which
// ClickHouse sums floats is not fixed anyway).

import type { ChConnection } from './connection.ts';
import { chString } from './clickhouse-literal.ts';
import { COMMITTED } from './committed.ts';
import { ROLLUP_KEYS } from '../queries/shape-sql.ts';
import { CUSTOM_MONTH, MINUTE_MONTH, grainMonth } from './partitions.ts';
import { CLICKHOUSE_TOTALS_TABLES, type TotalsTable } from './custom-totals.ts';
import type { TotalKind } from '../custom-totals.ts';
import { BY_CURRENCY_KEYS, BY_CURRENCY_TABLES, type ByCurrencyTable } from './by-currency.ts';

export interface CompactReport {
  partitions: number;
  rowsBefore: number;
  rowsAfter: number;
}

export const ROLLUP_TABLES = ['rollup_minute', 'rollup_hour', 'rollup_day'] as const;
export const CUSTOM_ROLLUP_TABLES = ['custom_rollup_stats', 'custom_rollup_bins', 'custom_rollup_users'] as const;
export type CompactedTable = (typeof ROLLUP_TABLES)[number] | ByCurrencyTable | (typeof CUSTOM_ROLLUP_TABLES)[number] | TotalsTable;
/** Every table compaction folds. */
export const COMPACTED_TABLES: readonly CompactedTable[] = [...ROLLUP_TABLES, ...BY_CURRENCY_TABLES, ...CUSTOM_ROLLUP_TABLES, ...CLICKHOUSE_TOTALS_TABLES];

/** Month partitions (YYYYMM) of each rollup table (a custom table: every grain's partition of the month). */
export type RollupMonths = Map<CompactedTable, Set<number>>;

/** The UTC month (YYYYMM) of an epoch minute, as the rollup tables are partitioned. */
export function monthOfMinute(minute: number): number {
  const d = new Date(minute * 60_000);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/**
 * One partition as system.parts names it: its rows (a WHERE), its month, its ALTER expression,
 * and the grain of its rows in minutes where the partition says it (a custom table's).
 */
interface Partition { where: string; month: number; expr: string; grain?: number }

interface Fold {
  keys: string;
  /** Exact integer sums, checked before and after, and the column type their totals must fit (128: Decimal(38, 0)). */
  sums: ReadonlyArray<{ column: string; bits: 32 | 64 | 128 }>;
  /** Other folded columns: min, max (checked), or a float sum. */
  others: ReadonlyArray<{ column: string; agg: 'min' | 'max' | 'sum' }>;
  partition(text: string): Partition | null;
}

const monthPartition = (text: string): Partition | null => {
  const month = Number(text);
  return Number.isSafeInteger(month) ? { where: `${MINUTE_MONTH} = ${month}`, month, expr: String(month) } : null;
};
const grainMonthPartition = (text: string): Partition | null => {
  const p = grainMonth(text);
  return p && { where: `grain = ${p.grain} AND ${CUSTOM_MONTH} = ${p.month}`, month: p.month, expr: `(${p.grain}, ${p.month})`, grain: p.grain };
};

const PAYMENTS: Fold = {
  keys: ROLLUP_KEYS, sums: [{ column: 'cnt', bits: 32 }, { column: 'amount_minor', bits: 64 }, { column: 'fee_minor', bits: 64 }], others: [],
  partition: monthPartition,
};
const BY_CURRENCY: Fold = {
  keys: BY_CURRENCY_KEYS, sums: [{ column: 'cnt', bits: 64 }, { column: 'amount_minor', bits: 128 }, { column: 'fee_minor', bits: 128 }], others: [],
  partition: monthPartition,
};
/** The folds of a custom table's three kinds, by the columns of its key (the totals have no tuple). */
const customFolds = (keys: string): Record<TotalKind, Fold> => ({
  stats: {
    keys: `${keys}, measure`, sums: [{ column: 'cnt', bits: 64 }, { column: 'sum_minor', bits: 64 }],
    others: [
      { column: 'sum_value', agg: 'sum' }, { column: 'min_value', agg: 'min' }, { column: 'max_value', agg: 'max' },
      { column: 'min_minor', agg: 'min' }, { column: 'max_minor', agg: 'max' },
    ],
    partition: grainMonthPartition,
  },
  bins: { keys: `${keys}, measure, bin`, sums: [{ column: 'cnt', bits: 64 }], others: [], partition: grainMonthPartition },
  users: { keys: `${keys}, register`, sums: [], others: [{ column: 'rank', agg: 'max' }], partition: grainMonthPartition },
});
const ROLLUP_FOLDS = customFolds('grain, bucket, event_type, dims');
const TOTALS_FOLDS = customFolds('grain, bucket, event_type');
const FOLDS: Record<CompactedTable, Fold> = {
  rollup_minute: PAYMENTS, rollup_hour: PAYMENTS, rollup_day: PAYMENTS,
  rollup_hour_by_currency: BY_CURRENCY, rollup_day_by_currency: BY_CURRENCY,
  custom_rollup_stats: ROLLUP_FOLDS.stats, custom_rollup_bins: ROLLUP_FOLDS.bins, custom_rollup_users: ROLLUP_FOLDS.users,
  custom_totals_stats: TOTALS_FOLDS.stats, custom_totals_bins: TOTALS_FOLDS.bins, custom_totals_users: TOTALS_FOLDS.users,
};

const num = (v: unknown) => BigInt(String(v ?? 0));

/** A partition is folded when its folded rows would be at most this share of its rows. */
const MIN_FOLD = 0.9;

/**
 * Hour and day rows, which queries read over months: each part of a partition costs every such
 * read (its index, its files, its first and last granules), and ClickHouse's merges leave the
 * small parts of late events beside a month's large ones (four or five parts a month in the
 * 10M-event bench store, with no merge left running). Compaction folds these partitions whenever
 * they have more parts than their fold would make, even when the fold takes out few rows (one
 * part a month: the year of one merchant's hours, 17 -> 11 ms on the server, docs/benchmarks.md).
 * A full compaction joins all of them. The one while ingesting joins those its batches wrote to
 * (an old month's late events, which would otherwise wait for the next full pass) when their
 * fold fits one insert block: a rewrite of at most about a million rows, and one part after it,
 * so a larger month whose merges lag is not rewritten again at every fold that comes due.
 * Minute partitions are left to ClickHouse's merges: they can be large, and are read over short
 * ranges only.
 */
const longRange = (table: CompactedTable, p: Partition) => (p.grain === undefined ? table !== 'rollup_minute' : p.grain > 1);
/**
 * The rows ClickHouse puts in one part of an INSERT … SELECT (min_insert_block_size_rows'
 * default): a fold of more rows makes several parts, and is not folded again for that.
 */
const INSERT_BLOCK_ROWS = 1_048_576;

async function one(ch: ChConnection, sql: string): Promise<Record<string, unknown>> {
  const a = await ch.select(sql);
  return Object.fromEntries(a.names.map((n, i) => [n, a.columns[i][0]]));
}

/** Per key: the sums as exact decimals (aliases `f_*`, unlike the columns: ClickHouse's are global). */
const folded = (table: string, f: Fold, p: Partition) => `SELECT ${f.keys}, ${[
  ...f.sums.map((s) => `sum(toDecimal128(${s.column}, 0)) AS f_${s.column}`),
  ...f.others.map((o) => `${o.agg}(${o.column}) AS f_${o.column}`),
  'toUInt32(0) AS f_batch_id',
].join(', ')} FROM ${table} WHERE ${p.where} AND ${COMMITTED} GROUP BY ${f.keys}`;

/** Totals compared before and after (min and max exactly; a float sum is not). */
const checked = (f: Fold, col: (c: string) => string) => [
  'count() AS n',
  ...f.sums.map((s) => `sum(${col(s.column)}) AS t_${s.column}`),
  ...f.others.filter((o) => o.agg !== 'sum').map((o) => `${o.agg}(${col(o.column)}) AS t_${o.column}`),
].join(', ');

/**
 * Folds the partitions of `only` (the months batches wrote to since the last time), or else
 * every partition of more than one part (rows inserted since a compaction, unless merges
 * have already joined them); of those, the ones whose fold would take out at least a tenth of
 * their rows, and hour or day partitions (longRange) of more parts than their fold makes.
 */
export async function compactRollups(ch: ChConnection, only?: RollupMonths): Promise<CompactReport> {
  const report: CompactReport = { partitions: 0, rowsBefore: 0, rowsAfter: 0 };
  for (const table of COMPACTED_TABLES) {
    const f = FOLDS[table];
    const side = `${table}_compact`;
    const parts = await ch.select(`SELECT partition, count() AS parts, sum(rows) AS row_count FROM system.parts
      WHERE database = ${chString(ch.database)} AND table = ${chString(table)} AND active GROUP BY partition`);
    for (let i = 0; i < parts.rowCount; i++) {
      const p = f.partition(String(parts.columns[0][i]));
      if (!p) continue;
      const manyParts = Number(parts.columns[1][i]) > 1;
      if (only ? !only.get(table)?.has(p.month) : !manyParts) continue;
      const source = folded(table, f, p);
      const before = await one(ch, `SELECT ${checked(f, (c) => `f_${c}`)}, ${
        f.sums.map((s) => `max(f_${s.column}) AS hi_${s.column}, min(f_${s.column}) AS lo_${s.column}`).join(', ') || '0 AS none'} FROM (${source})`);
      // A key whose total no longer fits its column stays as it is, unfolded.
      if (!f.sums.every((s) => num(before[`hi_${s.column}`]) < 2n ** BigInt(s.bits - 1) && -num(before[`lo_${s.column}`]) < 2n ** BigInt(s.bits - 1))) continue;
      // A fold that would take out less than a tenth of the rows is not worth rewriting the
      // partition. A bulk load in time order writes each minute's keys in one batch or two, so
      // its minute partitions hardly fold: folding the month of 8M tracked events held the
      // writer, and ingest, for over seven minutes (the read that decides still costs a scan).
      const joinParts = longRange(table, p) && Number(parts.columns[1][i]) > Math.ceil(Number(before.n) / INSERT_BLOCK_ROWS)
        && (!only || Number(before.n) <= INSERT_BLOCK_ROWS);
      if (Number(before.n) > MIN_FOLD * Number(parts.columns[2][i]) && !joinParts) continue;
      await ch.command(`CREATE TABLE IF NOT EXISTS ${side} AS ${table}`);
      await ch.command(`TRUNCATE TABLE ${side}`);
      // Keys whose rows net to zero stay too (as one zero row): an answer's groups are the keys
      // that have rows, on every backend, compacted or not.
      const columns = [...f.sums.map((s) => s.column), ...f.others.map((o) => o.column), 'batch_id'];
      const values = [
        ...f.sums.map((s) => (s.bits === 128 ? `f_${s.column}` : `toInt${s.bits}(f_${s.column})`)), ...f.others.map((o) => `f_${o.column}`), 'f_batch_id',
      ];
      await ch.command(`INSERT INTO ${side} (${f.keys}, ${columns.join(', ')}) SELECT ${f.keys}, ${values.join(', ')} FROM (${source})`);
      const after = await one(ch, `SELECT ${checked(f, (c) => (f.sums.some((s) => s.column === c) ? `toDecimal128(${c}, 0)` : c))} FROM ${side}`);
      for (const k of Object.keys(after)) {
        const same = f.sums.some((s) => k === `t_${s.column}`) ? num(after[k]) === num(before[k]) : String(after[k]) === String(before[k]);
        if (k !== 'n' && !same) throw new Error(`compaction of ${table} ${p.expr}: ${k} ${after[k]} != ${before[k]}`);
      }
      await ch.command(`ALTER TABLE ${table} REPLACE PARTITION ${p.expr} FROM ${side}`);
      await ch.command(`TRUNCATE TABLE ${side}`);
      report.partitions++;
      report.rowsBefore += Number(parts.columns[2][i]);
      report.rowsAfter += Number(after.n);
    }
  }
  return report;
}
