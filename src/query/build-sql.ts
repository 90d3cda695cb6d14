// Builds the SQL of one query from its plan: stage 1 sums base measures per (bucket, dims,
// currency, UTC day) from each rollup table's ranges; stage 2 attaches the FX rate in force on
// that day; stage 3 sums per (bucket, dims) and evaluates the metric expressions. Only integers
// and our own identifiers are interpolated: filter values arrive as integer keys.

import { BASE_MEASURES, EVENT_COUNT_SQL } from './base-measures.ts';
import type { MetricDef } from '../metrics/define-metric.ts';
import type { TablePlan } from './plan-ranges.ts';
import type { SqlDialect } from './time-buckets.ts';

export interface SqlParts {
  dialect: SqlDialect;
  tables: TablePlan[];
  bucketExpr: string;
  /** Group expressions per requested dimension, in order; aliased d0, d1, … */
  dims: string[];
  /** Predicates (already translated to keys), ANDed. */
  filters: string[];
  metrics: MetricDef[];
  withLocal: boolean;
  orderBy?: { metric: string; desc: boolean };
  limit?: number;
}

/** The base measures the metrics' expressions mention, and the counts "unconverted" needs. */
function neededMeasures(metrics: MetricDef[], withLocal: boolean) {
  const text = metrics.map((m) => `${m.sql} ${withLocal ? m.local ?? '' : ''}`).join(' ');
  const mentions = (name: string) => new RegExp(`\\b${name}\\b`).test(text);
  const all = BASE_MEASURES.filter((b) =>
    mentions(b.name) || (b.usd !== undefined && mentions(b.usd)) || (b.name === 'succeeded_count' && mentions('succeeded_converted')));
  return all;
}

const intDiv = (d: SqlDialect, a: string, b: number) => (d === 'duckdb' ? `(${a}) // ${b}` : `intDiv(${a}, ${b})`);

export function buildSql(p: SqlParts): string {
  const dimAliases = p.dims.map((_, i) => `d${i}`);
  const measures = neededMeasures(p.metrics, p.withLocal);
  const stage1 = p.tables.map((t) => {
    const ranges = t.ranges.map(([a, b]) => `(minute >= ${a} AND minute < ${b})`).join(' OR ');
    const where = [`(${ranges})`, ...p.filters].join(' AND ');
    const cols = [
      `${p.bucketExpr} AS bucket`,
      ...p.dims.map((d, i) => `${d} AS d${i}`),
      'currency_key',
      `${intDiv(p.dialect, 'minute', 1440)} AS day`,
      ...measures.map((m) => `${m.sql} AS ${m.name}`),
      `${EVENT_COUNT_SQL} AS event_count`,
    ];
    const groupBy = ['1', ...p.dims.map((_, i) => String(i + 2)), String(p.dims.length + 2), String(p.dims.length + 3)];
    return `SELECT ${cols.join(', ')} FROM rollup_${t.table} WHERE ${where} GROUP BY ${groupBy.join(', ')}`;
  });
  const keys = ['bucket', ...dimAliases];
  const stage3Cols = [
    ...keys,
    ...measures.map((m) => `sum(${m.name}) AS ${m.name}`),
    ...measures.filter((m) => m.usd).map((m) => `sum(${m.name} * rate) AS ${m.usd}`),
    ...(measures.some((m) => m.name === 'succeeded_count')
      ? ['sum(CASE WHEN rate IS NULL THEN 0 ELSE succeeded_count END) AS succeeded_converted'] : []),
    'sum(CASE WHEN rate IS NULL THEN event_count ELSE 0 END) AS unconverted_count',
  ];
  const finalCols = [
    ...keys,
    ...p.metrics.map((m) => `${m.sql} AS m_${m.name}`),
    ...(p.withLocal ? p.metrics.filter((m) => m.local).map((m) => `${m.local} AS l_${m.name}`) : []),
    'unconverted_count',
  ];
  let sql = `WITH s1 AS (${stage1.join(' UNION ALL ')}),
s2 AS (${fxJoin()}),
s3 AS (SELECT ${stage3Cols.join(', ')} FROM s2 GROUP BY ${keys.join(', ')})
SELECT ${finalCols.join(', ')} FROM s3`;
  if (p.orderBy) {
    sql += ` ORDER BY m_${p.orderBy.metric} ${p.orderBy.desc ? 'DESC' : 'ASC'} NULLS LAST, ${keys.join(', ')}`;
  } else {
    sql += ` ORDER BY ${keys.join(', ')}`;
  }
  if (p.limit !== undefined) sql += ` LIMIT ${Math.trunc(p.limit)}`;
  return sql;
}

// The rate in force on each UTC day is precomputed per day (fx/fx-rates.ts), so this is a plain
// equality join in every dialect.
function fxJoin(): string {
  return `SELECT s1.*, f.usd_per_minor AS rate FROM s1 LEFT JOIN fx_effective f
  ON s1.currency_key = f.currency_key AND s1.day = f.day`;
}
