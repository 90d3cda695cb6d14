// Custom event aggregates (issue 15) over one rollup grain: per output bucket (and per value of
// one dimension when grouped), the stats of the events and of one measure, the measure's merged
// quantile-sketch bins, and the merged distinct-user registers. Merging is a plain GROUP BY on
// both backends (docs/custom-events.md, "Sketches"); the caller turns bins into quantiles and
// registers into a distinct count.
//
// Dimension values live in a JSON text column (`dims`, keys sorted, values strings): DuckDB reads
// one with json_extract_string, ClickHouse 18.16 with visitParamExtractString (flat objects of
// string values are all it needs). An absent dimension reads as ''.

import type { BackendKind, Row, StoreBackend } from '../backend.ts';
import type { CustomGrain } from '../analytics-store.ts';
import type { BucketShape } from '../query-shapes.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';
import { bucketSql } from './rollup-aggregate.ts';
import { isTotalGrain, type TotalKind } from '../custom-totals.ts';
import { totalsTable } from '../duckdb/custom-totals.ts';
import { TOTALS_MIGRATION, totalsTableOf } from '../clickhouse/custom-totals.ts';
import { migrationRecorded } from '../clickhouse/committed.ts';

export interface CustomStatsQuery {
  grain: CustomGrain;
  eventType: string;
  /** The measure aggregated besides the event count; null: the count (and distinct users) only. */
  measure: string | null;
  /** Source buckets (epoch minutes) in [fromMin, toMin). */
  fromMin: number;
  toMin: number;
  /** The output bucket of each source bucket. */
  bucket: BucketShape;
  /** Rows whose dimension holds one of the values (ANDed across dimensions). */
  filters: ReadonlyArray<{ dimension: string; values: readonly string[] }>;
  groupBy: string | null;
}

export interface CustomStatsCell {
  bucket: number;
  /** The group-by dimension's value ('' when absent); null when not grouped. */
  group: string | null;
}

/**
 * The written stats rows (measure '' for the events themselves), merged per output cell. Money
 * measures (unit minor_units) fill the exact integer columns (`*Minor`), the others the float ones.
 */
export interface CustomStatsRow extends CustomStatsCell {
  measure: string;
  cnt: number;
  sumValue: number;
  minValue: number;
  maxValue: number;
  sumMinor: bigint;
  minMinor: bigint;
  maxMinor: bigint;
}

export interface CustomBinsRow extends CustomStatsCell { bin: number; cnt: number }
/** A cell's distinct-user registers (merged over its rows) counted by rank. */
export interface CustomUsersRow extends CustomStatsCell { rank: number; registers: number }

export interface CustomStatsAnswer {
  stats: CustomStatsRow[];
  bins: CustomBinsRow[];
  users: CustomUsersRow[];
}

const DIMENSION_RE = /^[a-z][a-z0-9_]*$/;

export function dimensionSql(dimension: string, kind: BackendKind): string {
  if (!DIMENSION_RE.test(dimension)) throw new TypeError(`not a dimension name: ${dimension}`);
  return kind === 'duckdb'
    ? `coalesce(json_extract_string(dims, '$.${dimension}'), '')`
    : `visitParamExtractString(dims, '${dimension}')`;
}

function where(q: CustomStatsQuery, kind: BackendKind): string {
  const w = [
    `grain = ${sqlInt(q.grain)}`, `event_type = ${sqlString(q.eventType, kind)}`,
    `bucket >= ${sqlInt(q.fromMin)}`, `bucket < ${sqlInt(q.toMin)}`, committedRows(kind),
  ];
  for (const f of q.filters) {
    w.push(f.values.length ? `${dimensionSql(f.dimension, kind)} IN (${f.values.map((v) => sqlString(v, kind)).join(', ')})` : '1 = 0');
  }
  return w.join(' AND ');
}

const cell = (q: CustomStatsQuery, kind: BackendKind) =>
  `${bucketSql(q.bucket, kind, 'bucket')} AS b, ${q.groupBy === null ? 'NULL' : dimensionSql(q.groupBy, kind)} AS g`;

/**
 * Where the rows come from: the rollup tables (per dimension tuple, per batch), or, for an answer
 * neither filtered nor grouped by a dimension at hour or day grain, the totals (../custom-totals.ts:
 * the same sums over every tuple, a few rows per bucket): on DuckDB one table per kind and grain,
 * on ClickHouse one per kind, its rows per batch like the rollups' (committed ones only). Both
 * sources give the same counts, money sums, min, max, bins and ranks; float sums are added in
 * another order, so they may differ in their last bits, as between the two backends. `totals`:
 * the answer is one of those and its backend's totals are complete (totalsComplete).
 */
function source(q: CustomStatsQuery, kind: BackendKind, table: TotalKind, totals: boolean): string {
  const grain = q.grain;
  if (!totals || !isTotalGrain(grain)) return `custom_rollup_${table} WHERE ${where(q, kind)}`;
  const range = `event_type = ${sqlString(q.eventType, kind)} AND bucket >= ${sqlInt(q.fromMin)} AND bucket < ${sqlInt(q.toMin)}`;
  return kind === 'duckdb'
    ? `${totalsTable(table, grain)} WHERE ${range}`
    : `${totalsTableOf(table)} WHERE grain = ${grain} AND ${range} AND ${committedRows(kind)}`;
}

const SQL = {
  stats: (q: CustomStatsQuery, kind: BackendKind, totals: boolean) => {
    const measures = q.measure === null ? `measure = ''` : `measure IN ('', ${sqlString(q.measure, kind)})`;
    // DuckDB sums BIGINT into HUGEINT; the exact money sum is read back as a bigint either way.
    return `SELECT ${cell(q, kind)}, measure, sum(cnt) AS cnt, sum(sum_value) AS sum_value, min(min_value) AS min_value,
      max(max_value) AS max_value, sum(sum_minor) AS sum_minor, min(min_minor) AS min_minor, max(max_minor) AS max_minor
      FROM ${source(q, kind, 'stats', totals)} AND ${measures} GROUP BY b, g, measure`;
  },
  bins: (q: CustomStatsQuery, kind: BackendKind, totals: boolean) => `SELECT ${cell(q, kind)}, bin, sum(cnt) AS cnt
    FROM ${source(q, kind, 'bins', totals)} AND measure = ${sqlString(q.measure ?? '', kind)} GROUP BY b, g, bin`,
  // Each cell's registers merged (max rank), then counted by rank: at most 52 rows a cell.
  users: (q: CustomStatsQuery, kind: BackendKind, totals: boolean) => `SELECT b, g, r AS rank, count(*) AS registers FROM (
      SELECT ${cell(q, kind)}, register, max(rank) AS r FROM ${source(q, kind, 'users', totals)} GROUP BY b, g, register
    ) AS merged GROUP BY b, g, r`,
};

const key = (r: Row): CustomStatsCell => ({ bucket: Number(r.b), group: r.g === null || r.g === undefined ? null : String(r.g) });
const big = (v: unknown) => (typeof v === 'bigint' ? v : BigInt(String(v ?? 0)));

/** ClickHouse backends whose totals are complete (their migration recorded: it never goes back). */
const totalsReady = new WeakSet<StoreBackend>();

/**
 * Whether the totals may be read. DuckDB migrates before anything reads it; a ClickHouse reader
 * may run beside a writer still making them (migration 7 empties and refills them), so it asks
 * until the migration is recorded.
 */
async function totalsComplete(b: StoreBackend): Promise<boolean> {
  if (b.kind === 'duckdb' || totalsReady.has(b)) return true;
  const [r] = await b.select(`SELECT ${migrationRecorded(TOTALS_MIGRATION)} AS n`);
  if (Number(r.n) > 0) totalsReady.add(b);
  return totalsReady.has(b);
}

export async function customEventStats(b: StoreBackend, q: CustomStatsQuery): Promise<CustomStatsAnswer> {
  const totals = q.filters.length === 0 && q.groupBy === null && isTotalGrain(q.grain) && await totalsComplete(b);
  const [stats, bins, users] = await Promise.all([
    b.select(SQL.stats(q, b.kind, totals)),
    q.measure === null ? Promise.resolve([]) : b.select(SQL.bins(q, b.kind, totals)),
    b.select(SQL.users(q, b.kind, totals)),
  ]);
  return {
    stats: stats.map((r) => ({
      ...key(r), measure: String(r.measure), cnt: Number(r.cnt), sumValue: Number(r.sum_value), minValue: Number(r.min_value),
      maxValue: Number(r.max_value), sumMinor: big(r.sum_minor), minMinor: big(r.min_minor), maxMinor: big(r.max_minor),
    })),
    bins: bins.map((r) => ({ ...key(r), bin: Number(r.bin), cnt: Number(r.cnt) })),
    users: users.map((r) => ({ ...key(r), rank: Number(r.rank), registers: Number(r.registers) })),
  };
}
