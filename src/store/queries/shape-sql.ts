// Filters and groupings (query-shapes.ts) as SQL. Both backends accept the same text: integer
// lists, CASE, IN; labels are string literals of the backend.

import type { BackendKind } from '../backend.ts';
import type { Grouping, KeyColumn, KeyFilter, RowFilter } from '../query-shapes.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';

/** The key columns of a rollup row, in the tables' order: what identifies one cell. */
export const ROLLUP_KEYS = 'minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind';

const COLUMNS: ReadonlySet<KeyColumn> = new Set([
  'merchant_key', 'country_key', 'city_key', 'currency_key', 'method_key', 'provider_key', 'kind', 'type',
]);

function column(c: KeyColumn): string {
  if (!COLUMNS.has(c)) throw new TypeError(`not a key column: ${String(c)}`);
  return c;
}

function keyFilterSql(f: KeyFilter): string {
  if (f.keys.length === 0) return '1 = 0';
  return f.keys.length === 1 ? `${column(f.column)} = ${sqlInt(f.keys[0])}` : `${column(f.column)} IN (${f.keys.map(sqlInt).join(', ')})`;
}

export function filterSql(f: RowFilter): string {
  if ('anyOf' in f) return f.anyOf.length ? `(${f.anyOf.map(keyFilterSql).join(' OR ')})` : '1 = 0';
  return `(${keyFilterSql(f)})`;
}

export function groupSql(g: Grouping, kind: BackendKind): string {
  if (!('labels' in g)) return column(g.column);
  const otherwise = g.otherwise === null ? 'NULL' : sqlString(g.otherwise, kind);
  if (g.labels.length === 0) return otherwise;
  const whens = g.labels.map((l) => `WHEN ${keyFilterSql({ column: g.column, keys: l.keys })} THEN ${sqlString(l.label, kind)}`);
  return `CASE ${whens.join(' ')} ELSE ${otherwise} END`;
}
