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

const intDiv = (d: SqlDialect, a: string, b: number) => (d === 'duckdb' ? `(${a}) // ${b}` : `intDiv(${a}, ${b})`);

export function buildSql(p: SqlParts): string {
  const dimAliases = p.dims.map((_, i) => `d${i}`);
  const stage1 = p.tables.map((t) => {
    const ranges = t.ranges.map(([a, b]) => `(minute >= ${a} AND minute < ${b})`).join(' OR ');
    const where = [`(${ranges})`, ...p.filters].join(' AND ');
    const cols = [
      `${p.bucketExpr} AS bucket`,
      ...p.dims.map((d, i) => `${d} AS d${i}`),
      'currency_key',
      `${intDiv(p.dialect, 'minute', 1440)} AS day`,
      ...BASE_MEASURES.map((m) => `${m.sql} AS ${m.name}`),
    ];
    const groupBy = ['1', ...p.dims.map((_, i) => String(i + 2)), String(p.dims.length + 2), String(p.dims.length + 3)];
    return `SELECT ${cols.join(', ')} FROM rollup_${t.table} WHERE ${where} GROUP BY ${groupBy.join(', ')}`;
  });
  const keys = ['bucket', ...dimAliases];
  const stage3Cols = [
    ...keys,
    ...BASE_MEASURES.map((m) => `sum(${m.name}) AS ${m.name}`),
    ...BASE_MEASURES.filter((m) => m.usd).map((m) => `sum(${m.name} * rate) AS ${m.usd}`),
    'sum(CASE WHEN rate IS NULL THEN 0 ELSE succeeded_count END) AS succeeded_converted',
    `sum(CASE WHEN rate IS NULL THEN ${EVENT_COUNT_SQL} ELSE 0 END) AS unconverted_count`,
  ];
  const finalCols = [
    ...keys,
    ...p.metrics.map((m) => `${m.sql} AS m_${m.name}`),
    ...(p.withLocal ? p.metrics.filter((m) => m.local).map((m) => `${m.local} AS l_${m.name}`) : []),
    'unconverted_count',
  ];
  let sql = `WITH s1 AS (${stage1.join(' UNION ALL ')}),
s2 AS (${fxJoin(p.dialect)}),
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

// TRICKY: the rate in force is the latest on or before the day; DuckDB's ASOF join finds it
// without a dense calendar. A dialect without ASOF joins needs fx_effective densified instead.
function fxJoin(dialect: SqlDialect): string {
  if (dialect !== 'duckdb') throw new Error(`FX join not implemented for ${dialect}`);
  return `SELECT s1.*, f.usd_per_minor AS rate FROM s1 ASOF LEFT JOIN fx_effective f
  ON s1.currency_key = f.currency_key AND s1.day >= f.day`;
}
