// The size of an answer before it is computed: the bytes one row takes in the JSON answer, from
// its shape (which metrics, dimensions, bucket label, exact local amounts), and an upper bound on
// its rows (buckets × the distinct groups of each dimension as far as the dictionary and the
// reference tables know, or the requested limit). run-query.ts turns QUERY_MAX_RESULT_MB into a
// row cap with the first and reports the second.

import { AppError } from '../errors.ts';

/** `{"dims":{},"metrics":{}},` */
const ROW_BYTES = 26;
/** `"bucket":"2026-03-29T03:00:00+02:00",` */
const BUCKET_BYTES = 37;
/** A number after its name: quotes, colon, comma and up to 12 characters (`1234567.8901`). */
const METRIC_VALUE_BYTES = 16;
/** A dimension value after its name: quotes, colon, comma and a typical id or city (20). */
const DIMENSION_VALUE_BYTES = 24;
/** An exact decimal string after its name, and the `"local":{}` around them. */
const LOCAL_VALUE_BYTES = 24;
const LOCAL_BYTES = 11;

export interface AnswerShape {
  metrics: readonly string[];
  dimensions: readonly string[];
  /** Rows carry a bucket label (every granularity but `all`). */
  bucket: boolean;
  /** Metrics that also come as exact local decimals (one currency selected). */
  local: readonly string[];
}

/** Estimated bytes of one row of the JSON answer. */
export function rowBytes(s: AnswerShape): number {
  const named = (names: readonly string[], value: number) => names.reduce((n, name) => n + name.length + value, 0);
  return ROW_BYTES + (s.bucket ? BUCKET_BYTES : 0)
    + named(s.dimensions, DIMENSION_VALUE_BYTES) + named(s.metrics, METRIC_VALUE_BYTES)
    + (s.local.length ? LOCAL_BYTES + named(s.local, LOCAL_VALUE_BYTES) : 0);
}

/**
 * At most how many rows the answer can have: one per bucket and combination of groups, each
 * dimension counting its filter's values when it has one, else every value it can take; never
 * more than `limit`.
 */
export function maxRows(buckets: number, groups: readonly number[], limit?: number): number {
  const combinations = groups.reduce((n, g) => n * Math.max(1, g), 1);
  return Math.min(buckets * combinations, limit ?? Infinity);
}

export interface AnswerLimits {
  /** QUERY_MAX_ROWS */
  maxRows: number;
  /** QUERY_MAX_RESULT_MB, in bytes */
  maxResultBytes: number;
}

export interface AnswerCap {
  /** The most rows an answer of this shape may have: the tighter of the two limits. */
  rows: number;
  rowBytes: number;
  limits: AnswerLimits;
}

export function answerCap(shape: AnswerShape, limits: AnswerLimits): AnswerCap {
  const bytes = rowBytes(shape);
  return { rows: Math.max(1, Math.min(limits.maxRows, Math.floor(limits.maxResultBytes / bytes))), rowBytes: bytes, limits };
}

/**
 * result_too_large for an answer over the cap: `rows` is its exact row count when known before
 * running, else null (the query found one row more than the cap); `atMost` the upper bound.
 */
export function resultTooLarge(cap: AnswerCap, rows: number | null, atMost: number): AppError {
  const mb = (bytes: number) => `${+(bytes / 2 ** 20).toFixed(1)} MB`;
  const bySize = cap.rows < cap.limits.maxRows;
  const limit = bySize
    ? `${mb(cap.limits.maxResultBytes)} (QUERY_MAX_RESULT_MB: ${cap.rows} rows of this shape, about ${cap.rowBytes} bytes each)`
    : `${cap.limits.maxRows} rows (QUERY_MAX_ROWS)`;
  const size = rows === null ? `more than ${cap.rows} rows` : `${rows} rows (about ${mb(rows * cap.rowBytes)})`;
  return new AppError('result_too_large',
    `the answer has ${size}, over the limit of ${limit}; use limit, filters, fewer metrics or dimensions, a coarser granularity or a shorter range`,
    {
      max_rows: cap.rows, row_bytes: cap.rowBytes, max_result_bytes: cap.limits.maxResultBytes,
      ...(rows === null ? {} : { rows, estimated_bytes: rows * cap.rowBytes }),
      ...(Number.isFinite(atMost) ? { estimated_max_rows: atMost } : {}),
    });
}
