// The vocabulary in which the rest of the platform asks the analytics store for rows: filters
// and groupings over the integer key columns every raw and rollup row carries, as data. The
// store turns them into SQL for its backend (queries/shape-sql.ts); callers never write SQL.

/** Key columns of raw and rollup rows. `type` exists on raw events only; `kind` is derived there. */
export type KeyColumn =
  | 'merchant_key' | 'country_key' | 'city_key' | 'currency_key' | 'method_key' | 'provider_key' | 'kind' | 'type';

/** Rows whose column holds one of the keys (no keys: no row). */
export interface KeyFilter {
  column: KeyColumn;
  keys: number[];
}

/** Rows matching any of the filters (a filter list is otherwise ANDed). */
export interface AnyOf {
  anyOf: KeyFilter[];
}

export type RowFilter = KeyFilter | AnyOf;

/**
 * A grouping: by a column's keys, or by labels given to sets of keys (the first set holding the
 * key wins; `otherwise` for the rest, null when every key is in a set).
 */
export type Grouping =
  | { column: KeyColumn }
  | { column: KeyColumn; labels: Array<{ label: string; keys: number[] }>; otherwise: string | null };

export type RollupTable = 'minute' | 'hour' | 'day';
export const ROLLUP_TABLES: readonly RollupTable[] = ['minute', 'hour', 'day'];
