// The aggregate every metric answer is read from, in one pass: the rollup rows of each table's
// ranges (UNION ALL), each joined to the FX rate of its UTC day, summed per (bucket, groups)
// into the base measures the metrics need; the outer SELECT evaluates the metrics' formulas.
// Only integers, key lists and our own names are interpolated: filters arrive as integer keys.
//
// The two sides differ where ClickHouse 18.16 needs it (docs/clickhouse.md): nested subqueries
// instead of CTEs; `sumIf`; exact local sums as Decimal128 (sum(Int64) wraps silently there).
// ClickHouse looks each row's rate up (joinGet in the version's Join table, 0 where none) instead
// of joining: it first reads, in one round trip, the last committed batch and the FX version,
// which the query then names as literals (docs/benchmarks.md, "FX by lookup"). Until the
// lookup tables' migration is recorded, it joins fx_effective, with `join_use_nulls = 1`, without
// which a currency with no rate reads rate 0 instead of NULL.

import type { BackendKind, StoreBackend } from '../backend.ts';
import type {
  BucketShape, FormulaTerm, Grouping, KeyColumn, MeasureSpec, MetricSpec, RowFilter, TablePlan,
} from '../query-shapes.ts';
import { sqlInt } from '../sql-literal.ts';
import { filterSql, groupSql } from './shape-sql.ts';
import { committedRows } from './committed-rows.ts';
import { LAST_COMMITTED_BATCH, migrationRecorded } from '../clickhouse/committed.ts';
import { BY_CURRENCY_MIGRATION } from '../clickhouse/by-currency.ts';
import { FX_LOOKUP_MIGRATION, fxEffectiveClickHouse, fxRateLookup } from './fx.ts';

export interface RollupAggregate {
  tables: TablePlan[];
  bucket: BucketShape;
  /** Answer groups, in order (columns g0, g1, …). */
  groups: Grouping[];
  filters: RowFilter[];
  measures: readonly MeasureSpec[];
  metrics: readonly MetricSpec[];
  /** Also each metric's exact local sum (a single-currency answer). */
  withLocal: boolean;
  orderBy?: { metric: string; desc: boolean };
  /** The caller's LIMIT: it may leave groups out, so the unconverted count is taken over all of them. */
  limit?: number;
  /**
   * Rows past which the caller refuses the answer: read at most this many (one past its cap).
   * Unlike `limit`, it needs no count over groups left out, since an answer reaching it is refused;
   * so a ClickHouse series reads its answer in Native format, which has no WITH TOTALS row.
   */
  maxRows?: number;
  /**
   * Sum rows per (bucket, groups, currency, day, kind) before the FX join: far fewer rows to join
   * when the groups are coarse; a wasted pass when they are as fine as merchant or city.
   */
  preaggregate: boolean;
}

export interface AggregateAnswer {
  rowCount: number;
  /** Bucket start (epoch minute) of each row. */
  bucket: number[];
  /** Group values (keys or labels) per group, per row. */
  groups: unknown[][];
  /** Metric values per metric name, per row (null: no value). */
  metrics: Record<string, unknown[]>;
  /** Exact local sums (bigint) per metric name that has one, per row. */
  local: Record<string, unknown[]>;
  /** An average's local denominator (bigint) per metric name that has one, per row. */
  localDen: Record<string, unknown[]>;
  /** Counted rows whose currency had no rate on their day, over every group (a LIMIT cuts none). */
  unconverted: number;
}

const ROW_COLUMNS = ['currency_key', 'kind', 'cnt', 'amount_minor', 'fee_minor'];
/** The minutes each rollup table's `minute` column is a multiple of. */
const TABLE_GRAIN: Record<TablePlan['table'], number> = { minute: 1, hour: 60, day: 1440 };

/**
 * The bucket of each row under a shape, from its epoch-minute column (`minute` in payment
 * rollups). `grain`: the minutes every row's column is a multiple of (60 in the hour table); a
 * grid of that period, shifted by a multiple of it, is the column itself.
 */
export function bucketSql(shape: BucketShape, kind: BackendKind, minute = 'minute', grain = 1): string {
  const div = (a: string, p: number) => (kind === 'duckdb' ? `(${a} // ${sqlInt(p)})` : `intDiv(${a}, ${sqlInt(p)})`);
  if (shape.kind === 'constant') return sqlInt(shape.minute);
  if (shape.kind === 'minute') return minute;
  const pieces = shape.pieces.map((p) => {
    const b = p.bucket;
    if ('fixed' in b) return sqlInt(b.fixed);
    if (b.period === grain && b.shift % grain === 0) return minute;
    if (b.shift === 0) return `${div(minute, b.period)} * ${sqlInt(b.period)}`;
    const shifted = b.shift > 0 ? `(${minute} + ${sqlInt(b.shift)})` : `(${minute} - ${sqlInt(-b.shift)})`;
    return `${div(shifted, b.period)} * ${sqlInt(b.period)} ${b.shift > 0 ? '-' : '+'} ${sqlInt(Math.abs(b.shift))}`;
  });
  if (pieces.length === 1) return pieces[0];
  const whens = shape.pieces.slice(0, -1).map((p, i) => `WHEN ${minute} < ${sqlInt(p.end)} THEN ${pieces[i]}`);
  return `CASE ${whens.join(' ')} ELSE ${pieces[pieces.length - 1]} END`;
}

/** A row's FX rate: its value where it has one, and the predicates "has one" and "has none". */
interface RateSql { value: string; has: string; none: string }
const NULLABLE_RATE = (column: string): RateSql => ({ value: column, has: `${column} IS NOT NULL`, none: `${column} IS NULL` });
const RATE_OF = {
  duckdb: NULLABLE_RATE('rate'),
  /** A column of the join's right side, NULL where there is no rate (join_use_nulls). */
  clickhouseJoin: NULLABLE_RATE('usd_per_minor'),
  /** Looked up per row; ClickHouse computes the expression once per row, however often it is named. */
  clickhouseLookup: (version: number): RateSql => {
    const rate = fxRateLookup(version);
    return { value: rate, has: `${rate} != 0`, none: `${rate} = 0` };
  },
};

function measureSql(m: MeasureSpec, kind: BackendKind, rate: RateSql): string {
  const kinds = m.kinds.length === 1 ? `kind = ${sqlInt(m.kinds[0])}` : `kind IN (${m.kinds.map(sqlInt).join(', ')})`;
  const rows = m.fx === 'none' ? kinds : `${kinds} AND ${rate.has}`;
  if (kind === 'duckdb') return `sum(CASE WHEN ${rows} THEN ${m.fx === 'usd' ? `${m.value} * ${rate.value}` : m.value} ELSE 0 END)`;
  // ifNull: the rows summed have a rate; without it the sum of no rows would be NULL, not 0.
  if (m.fx === 'usd') return `sumIf(toFloat64(${m.value}) * ifNull(${rate.value}, 0), ${rows})`;
  return m.value === 'cnt' ? `sumIf(cnt, ${rows})` : `sumIf(toDecimal128(${m.value}, 0), ${rows})`;
}

const unconvertedSql = (kind: BackendKind, rate: RateSql) =>
  (kind === 'duckdb' ? `sum(CASE WHEN ${rate.none} THEN cnt ELSE 0 END)` : `sumIf(cnt, ${rate.none})`);

// Measures are named ms_<name>: a measure such as fee_minor shares its name with a column, and
// ClickHouse resolves aliases across the whole query.
const alias = (measure: string) => `ms_${measure}`;

function sumSql(terms: readonly FormulaTerm[]): string {
  return terms.map((t, i) => {
    const m = alias(t.measure);
    return (t.sign ?? 1) < 0 ? (i === 0 ? `-${m}` : ` - ${m}`) : i === 0 ? m : ` + ${m}`;
  }).join('');
}

function metricSql(m: MetricSpec, kind: BackendKind): string {
  if (!m.den) return sumSql(m.num);
  const num = m.num.length === 1 ? sumSql(m.num) : `(${sumSql(m.num)})`;
  if (kind === 'duckdb') return `${num} / NULLIF(${sumSql(m.den)}, 0)`;
  // ClickHouse divides two exact decimals as decimals (10 / 3 = 3): as doubles, like DuckDB.
  return `toFloat64(${num}) / nullIf(toFloat64(${sumSql(m.den)}), 0)`;
}

const NAME = /^[a-z][a-z0-9_]*$/;

/** The rows read: the caller's limit or its refusal bound, whichever is lower. */
function rowLimit(q: RollupAggregate): number | undefined {
  const limit = Math.min(q.limit ?? Infinity, q.maxRows ?? Infinity);
  return Number.isFinite(limit) ? limit : undefined;
}

/** Whether the caller's limit may leave groups out of an answer it keeps. */
function cutsGroups(q: RollupAggregate): boolean {
  return q.limit !== undefined && q.limit < (q.maxRows ?? Infinity);
}

/**
 * Whether this backend pre-aggregates. On ClickHouse only for one bucket (a total, a ranking):
 * a series keeps a row per bucket, the pre-aggregation's (bucket, day, currency, kind) keys fold
 * it too little to pay for a second GROUP BY, and the join takes the rollup rows at about the
 * same cost (docs/benchmarks.md, "The ClickHouse backend": a merchant's hourly year 50 → 32 ms
 * on the server). DuckDB's side is unchanged.
 */
function preaggregates(q: RollupAggregate, kind: BackendKind): boolean {
  return q.preaggregate && (kind === 'duckdb' || q.bucket.kind === 'constant');
}

/** What a ClickHouse aggregate reads before its query, in one round trip. */
interface ChSnapshot {
  /** The last committed batch: rows of later batches do not count. */
  lastBatch: number;
  /** The fx_effective version in force (0: no rates). */
  fxVersion: number;
  /** Whether the version's lookup table may be used (its migration is recorded). */
  lookup: boolean;
  /** Whether the hour and day sums per currency may be read (their migration is recorded). */
  byCurrency: boolean;
}

/** The key columns the by-currency tables keep (clickhouse/by-currency.ts). */
const BY_CURRENCY_COLUMNS: ReadonlySet<KeyColumn> = new Set(['currency_key', 'kind']);
const columnsOf = (f: RowFilter): KeyColumn[] => ('anyOf' in f ? f.anyOf.map((k) => k.column) : [f.column]);

/**
 * The table a plan's rows are read from: on ClickHouse, a network-wide answer (every filter and
 * group on currency or kind) reads the hour and day rows summed per currency, when made.
 */
function sourceTable(q: RollupAggregate, t: TablePlan, snap?: ChSnapshot): { name: string; byCurrency: boolean } {
  const byCurrency = !!snap?.byCurrency && t.table !== 'minute'
    && q.groups.every((g) => BY_CURRENCY_COLUMNS.has(g.column))
    && q.filters.every((f) => columnsOf(f).every((c) => BY_CURRENCY_COLUMNS.has(c)));
  return { name: byCurrency ? `rollup_${t.table}_by_currency` : `rollup_${t.table}`, byCurrency };
}

/**
 * A rollup table's row columns beside a by-currency table's in one UNION ALL, which needs one
 * type per column: counts as Int64 and amounts as Decimal(38, 0), as the by-currency tables
 * hold them (only the minute rows of a network-wide answer's last hour are widened so).
 */
const WIDENED_COLUMNS = ['currency_key', 'kind', 'toInt64(cnt) AS cnt', 'toDecimal128(amount_minor, 0) AS amount_minor', 'toDecimal128(fee_minor, 0) AS fee_minor'];

function aggregateSql(q: RollupAggregate, kind: BackendKind, snap?: ChSnapshot): string {
  for (const n of [...q.measures.map((m) => m.name), ...q.metrics.map((m) => m.name)]) {
    if (!NAME.test(n)) throw new TypeError(`not a name: ${n}`);
  }
  const keys = ['bucket', ...q.groups.map((_, i) => `g${i}`)];
  const day = kind === 'duckdb' ? '(minute // 1440)' : 'intDiv(minute, 1440)';
  const tables = q.tables.map((t) => sourceTable(q, t, snap));
  const widen = tables.some((t) => t.byCurrency) && !tables.every((t) => t.byCurrency);
  const sources = q.tables.map((t, i) => {
    const ranges = t.ranges.map(([a, b]) => `(minute >= ${sqlInt(a)} AND minute < ${sqlInt(b)})`).join(' OR ');
    const where = [`(${ranges})`, ...q.filters.map(filterSql), ...(kind === 'clickhouse' ? [committedRows(kind, snap?.lastBatch)] : [])];
    const cols = [
      `${bucketSql(q.bucket, kind, 'minute', TABLE_GRAIN[t.table])} AS bucket`, ...q.groups.map((g, k) => `${groupSql(g, kind)} AS g${k}`), `${day} AS day`,
      ...(widen && !tables[i].byCurrency ? WIDENED_COLUMNS : ROW_COLUMNS),
    ];
    return `SELECT ${cols.join(', ')} FROM ${tables[i].name} WHERE ${where.join(' AND ')}`;
  });
  const sum = (c: string) => (kind === 'duckdb' || c === 'cnt' ? `sum(${c})` : `sum(toDecimal128(${c}, 0))`);
  const src = preaggregates(q, kind)
    ? `SELECT ${keys.join(', ')}, day, currency_key, kind, ${['cnt', 'amount_minor', 'fee_minor'].map((c) => `${sum(c)} AS ${c}`).join(', ')}
       FROM (${sources.join(' UNION ALL ')}) GROUP BY ${keys.join(', ')}, day, currency_key, kind`
    : sources.join(' UNION ALL ');
  const rate = kind === 'duckdb' ? RATE_OF.duckdb
    : snap?.lookup ? RATE_OF.clickhouseLookup(snap.fxVersion) : RATE_OF.clickhouseJoin;
  const aggregates = [
    ...keys, ...q.measures.map((m) => `${measureSql(m, kind, rate)} AS ${alias(m.name)}`), `${unconvertedSql(kind, rate)} AS unconverted_count`,
  ];
  const finals = [
    ...keys, 'unconverted_count',
    ...q.metrics.map((m) => `${metricSql(m, kind)} AS m_${m.name}`),
    ...(q.withLocal ? q.metrics.filter((m) => m.local).map((m) => `${sumSql(m.local!)} AS l_${m.name}`) : []),
    ...(q.withLocal ? q.metrics.filter((m) => m.local && m.localDen).map((m) => `${sumSql(m.localDen!)} AS ld_${m.name}`) : []),
  ];
  const order = q.orderBy ? [`m_${q.orderBy.metric} ${q.orderBy.desc ? 'DESC' : 'ASC'} NULLS LAST`, ...keys] : keys;
  const limit = rowLimit(q);
  const tail = `ORDER BY ${order.join(', ')}${limit !== undefined ? ` LIMIT ${sqlInt(limit)}` : ''}`;
  if (kind === 'duckdb') {
    // The unconverted count over every group, also those a LIMIT leaves out, in the same pass.
    return `WITH src AS (${src}),
agg AS (SELECT ${aggregates.join(', ')}
  FROM (SELECT src.*, f.usd_per_minor AS rate FROM src LEFT JOIN fx_effective f
    ON src.currency_key = f.currency_key AND src.day = f.day) GROUP BY ${keys.join(', ')})
SELECT ${finals.join(', ')}, sum(unconverted_count) OVER () AS unconverted_total FROM agg ${tail}`;
  }
  // No window functions on 18.16: where a LIMIT may leave groups out, the unconverted count over
  // all of them is the WITH TOTALS row, computed in the same pass.
  const groupBy = `GROUP BY ${keys.join(', ')}${cutsGroups(q) ? ' WITH TOTALS' : ''}`;
  if (snap?.lookup) return `SELECT ${finals.join(', ')} FROM (
  SELECT ${aggregates.join(', ')}
  FROM (${src})
  ${groupBy}
) ${tail}`;
  // One row per (currency, day) on the right, so ALL and ANY strictness agree; only the days the
  // ranges cover.
  const minutes = q.tables.flatMap((t) => t.ranges.flat());
  const [fromDay, toDay] = minutes.length === 0 ? [0, 0]
    : [Math.floor(Math.min(...minutes) / 1440), Math.floor((Math.max(...minutes) - 1) / 1440)];
  // The SELECT that sums also joins: a subquery level between the join and the sums would cost
  // 18.16 a pass over every rollup row (docs/benchmarks.md, 2026-12-06, "the join where it sums").
  return `SELECT ${finals.join(', ')} FROM (
  SELECT ${aggregates.join(', ')}
  FROM (${src}) ALL LEFT JOIN ${fxEffectiveClickHouse(fromDay, toDay)} USING (currency_key, day)
  ${groupBy}
) ${tail}
SETTINGS join_use_nulls = 1`;
}

/** The migrations a ClickHouse aggregate depends on, per store, once recorded (they never go back). */
const recorded = new WeakMap<StoreBackend, Set<number>>();
const DEPENDS_ON = [FX_LOOKUP_MIGRATION, BY_CURRENCY_MIGRATION] as const;

/**
 * The last committed batch and the FX version in force, read once so that the query names them
 * as literals (three scalar subqueries cost 18.16 about 3 ms: docs/benchmarks.md, "FX by
 * lookup"). A reader beside a writer still migrating joins fx_effective and reads the rollup
 * tables themselves until the migrations that make the lookup and by-currency tables are recorded.
 */
async function chSnapshot(b: StoreBackend): Promise<ChSnapshot> {
  let done = recorded.get(b);
  if (!done) recorded.set(b, (done = new Set()));
  const unknown = DEPENDS_ON.filter((v) => !done!.has(v));
  const [r] = await b.select(`SELECT toUInt64(${LAST_COMMITTED_BATCH}) AS batch, toInt64((SELECT max(version) FROM fx_effective)) AS fx${
    unknown.map((v) => `, ${migrationRecorded(v)} AS m${v}`).join('')}`);
  for (const v of unknown) if (Number(r[`m${v}`]) > 0) done.add(v);
  return {
    lastBatch: Number(r.batch), fxVersion: Number(r.fx), lookup: done.has(FX_LOOKUP_MIGRATION), byCurrency: done.has(BY_CURRENCY_MIGRATION),
  };
}

export async function rollupAggregate(b: StoreBackend, q: RollupAggregate): Promise<AggregateAnswer> {
  const withTotals = b.kind === 'clickhouse' && cutsGroups(q);
  const snap = b.kind === 'clickhouse' ? await chSnapshot(b) : undefined;
  const { names, columns, rowCount, totals } = await b.selectColumns(aggregateSql(q, b.kind, snap), { totals: withTotals });
  const col = (n: string) => (rowCount === 0 ? [] : columns[names.indexOf(n)]);
  const unconverted = names.includes('unconverted_total')
    ? (rowCount > 0 ? Number(col('unconverted_total')[0] ?? 0) : 0)
    : withTotals
      ? Number(totals?.[names.indexOf('unconverted_count')] ?? 0)
      : col('unconverted_count').reduce<number>((s, v) => s + Number(v ?? 0), 0);
  return {
    rowCount,
    bucket: col('bucket').map(Number),
    groups: q.groups.map((_, i) => col(`g${i}`)),
    metrics: Object.fromEntries(q.metrics.map((m) => [m.name, col(`m_${m.name}`)])),
    local: q.withLocal ? Object.fromEntries(q.metrics.filter((m) => m.local).map((m) => [m.name, col(`l_${m.name}`)])) : {},
    localDen: q.withLocal ? Object.fromEntries(q.metrics.filter((m) => m.local && m.localDen).map((m) => [m.name, col(`ld_${m.name}`)])) : {},
    unconverted,
  };
}
