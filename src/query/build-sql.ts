// Builds the SQL of one query from its plan, in one aggregation: the rollup rows of each
// table's ranges (UNION ALL), each joined to the FX rate of its UTC day, are summed per
// (bucket, dimensions) into the base measures the metrics need; the outer SELECT evaluates
// the metrics' formulas. This file is the one place base measures and metrics become SQL.
// Only integers and our own identifiers are interpolated: filter values arrive as integer keys.

import { BASE_MEASURES, type BaseMeasure } from '../metrics/base-measures.ts';
import type { Term } from '../metrics/define-metric.ts';
import type { Metric } from '../metrics/registry.ts';
import type { TablePlan } from './plan-ranges.ts';
import { intDiv, type SqlDialect } from './time-buckets.ts';

export interface SqlParts {
  dialect: SqlDialect;
  tables: TablePlan[];
  bucketExpr: string;
  /** Group expressions per requested dimension, in order; aliased d0, d1, … */
  dims: string[];
  /** Predicates (already translated to keys), ANDed. */
  filters: string[];
  metrics: Metric[];
  withLocal: boolean;
  orderBy?: { metric: string; desc: boolean };
  limit?: number;
  /**
   * Sum rows per (bucket, dims, currency, day, kind) before the FX join: far fewer rows to join
   * when the dimensions are coarse; a wasted pass when they are as fine as merchant or city.
   */
  preaggregate: boolean;
}

/** A base measure's aggregate over the FX-joined rollup rows (columns kind, cnt, amount_minor, fee_minor, rate). */
export function measureSql(b: BaseMeasure): string {
  const kinds = b.kinds.length === 1 ? `kind = ${b.kinds[0]}` : `kind IN (${b.kinds.join(', ')})`;
  const rows = b.fx === 'none' ? kinds : `${kinds} AND rate IS NOT NULL`;
  return `sum(CASE WHEN ${rows} THEN ${b.fx === 'usd' ? `${b.value} * rate` : b.value} ELSE 0 END)`;
}

/** Transactions and events whose currency had no rate on their day. */
const UNCONVERTED_SQL = 'sum(CASE WHEN rate IS NULL THEN cnt ELSE 0 END)';

/** A signed sum of measures, over the aggregate's columns (named after the measures). */
function sumSql(terms: readonly Term[]): string {
  return terms.map((t, i) => ((t.sign ?? 1) < 0 ? (i === 0 ? `-${t.measure}` : ` - ${t.measure}`) : i === 0 ? t.measure : ` + ${t.measure}`)).join('');
}

/** A metric over the base measures' columns; a zero denominator gives NULL. */
export function metricSql(m: Pick<Metric, 'num' | 'den'>): string {
  if (!m.den) return sumSql(m.num);
  const num = m.num.length === 1 ? sumSql(m.num) : `(${sumSql(m.num)})`;
  return `${num} / NULLIF(${sumSql(m.den)}, 0)`;
}

/** The metric's exact local sum over the minor-unit measures' columns, if it has one. */
export function localSql(m: Pick<Metric, 'local'>): string | null {
  return m.local ? sumSql(m.local) : null;
}

/** The base measures the metrics' formulas use, in BASE_MEASURES order. */
function neededMeasures(metrics: Metric[], withLocal: boolean): BaseMeasure[] {
  const used = new Set(metrics.flatMap((m) => [...m.num, ...(m.den ?? []), ...(withLocal ? m.local ?? [] : [])]).map((t) => t.measure));
  return BASE_MEASURES.filter((b) => used.has(b.name));
}

export function buildSql(p: SqlParts): string {
  const keys = ['bucket', ...p.dims.map((_, i) => `d${i}`)];
  const sources = p.tables.map((t) => {
    const ranges = t.ranges.map(([a, b]) => `(minute >= ${a} AND minute < ${b})`).join(' OR ');
    const where = [`(${ranges})`, ...p.filters].join(' AND ');
    const cols = [
      `${p.bucketExpr} AS bucket`, ...p.dims.map((d, i) => `${d} AS d${i}`),
      `${intDiv('minute', 1440, p.dialect)} AS day`, 'currency_key', 'kind', 'cnt', 'amount_minor', 'fee_minor',
    ];
    return `SELECT ${cols.join(', ')} FROM rollup_${t.table} WHERE ${where}`;
  });
  const aggregates = [
    ...keys,
    ...neededMeasures(p.metrics, p.withLocal).map((b) => `${measureSql(b)} AS ${b.name}`),
    `${UNCONVERTED_SQL} AS unconverted_count`,
  ];
  const finalCols = [
    ...keys,
    ...p.metrics.map((m) => `${metricSql(m)} AS m_${m.name}`),
    ...(p.withLocal ? p.metrics.filter((m) => m.local).map((m) => `${localSql(m)} AS l_${m.name}`) : []),
    // Over every group, also those a LIMIT leaves out.
    'sum(unconverted_count) OVER () AS unconverted_count',
  ];
  const src = p.preaggregate
    ? `SELECT ${keys.join(', ')}, day, currency_key, kind,
         sum(cnt) AS cnt, sum(amount_minor) AS amount_minor, sum(fee_minor) AS fee_minor
       FROM (${sources.join(' UNION ALL ')}) GROUP BY ${keys.join(', ')}, day, currency_key, kind`
    : sources.join(' UNION ALL ');
  let sql = `WITH src AS (${src}),
agg AS (SELECT ${aggregates.join(', ')}
  FROM (${fxJoin()}) GROUP BY ${keys.join(', ')})
SELECT ${finalCols.join(', ')} FROM agg`;
  const order = p.orderBy ? [`m_${p.orderBy.metric} ${p.orderBy.desc ? 'DESC' : 'ASC'} NULLS LAST`, ...keys] : keys;
  sql += ` ORDER BY ${order.join(', ')}`;
  if (p.limit !== undefined) sql += ` LIMIT ${Math.trunc(p.limit)}`;
  return sql;
}

// The rate in force on each UTC day is precomputed per day (fx/fx-rates.ts), so this is a plain
// equality join in every dialect.
function fxJoin(): string {
  return `SELECT src.*, f.usd_per_minor AS rate FROM src LEFT JOIN fx_effective f
    ON src.currency_key = f.currency_key AND src.day = f.day`;
}
