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
/** Rows of one rollup table whose minute lies in any of the [start, end) ranges. */
export interface TablePlan { table: RollupTable; ranges: Array<[number, number]> }

/**
 * The output bucket of a rollup row, from its epoch minute `m`: a constant (one bucket), the
 * minute itself, or consecutive pieces — the first piece whose `end` is above m applies (the
 * last one applies to the rest). A piece is a fixed bucket, or a grid:
 * floor((m + shift) / period) * period - shift, with m + shift never negative.
 */
export type BucketShape =
  | { kind: 'constant'; minute: number }
  | { kind: 'minute' }
  | { kind: 'pieces'; pieces: Array<{ end: number; bucket: BucketPiece }> };

export type BucketPiece = { fixed: number } | { shift: number; period: number };

/** The bucket of minute `m` under a shape (what the store's SQL computes). */
export function bucketAt(shape: BucketShape, m: number): number {
  if (shape.kind === 'constant') return shape.minute;
  if (shape.kind === 'minute') return m;
  const piece = shape.pieces.find((p, i) => m < p.end || i === shape.pieces.length - 1)!.bucket;
  return 'fixed' in piece ? piece.fixed : Math.floor((m + piece.shift) / piece.period) * piece.period - piece.shift;
}

/**
 * A base measure: a sum over rollup rows of the given kinds, joined with the FX rate of their UTC
 * day. fx 'none': every row, the value as stored; 'usd': rows with a rate, value × rate;
 * 'rated': rows with a rate, the value as stored.
 */
export interface MeasureSpec {
  name: string;
  kinds: readonly number[];
  value: 'cnt' | 'amount_minor' | 'fee_minor';
  fx: 'none' | 'usd' | 'rated';
}

/** One measure in a signed sum. */
export interface FormulaTerm {
  measure: string;
  sign?: 1 | -1;
}

/** A metric: Σ num, or Σ num / Σ den (null when Σ den is 0); `local`: its exact minor-unit sum. */
export interface MetricSpec {
  name: string;
  num: readonly FormulaTerm[];
  den?: readonly FormulaTerm[];
  local?: readonly FormulaTerm[];
  /** An average's local denominator (a count): the local answer is then local / localDen. */
  localDen?: readonly FormulaTerm[];
}
