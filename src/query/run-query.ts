// Runs an analytics query: validates the request, plans which rollups answer it exactly, builds
// the SQL, and decodes the answer (keys back to values, bigints to numbers, exact local sums).

import { AppError } from '../errors.ts';
import { getMetric, METRICS, type Metric } from '../metrics/registry.ts';
import { BASE_MEASURES } from '../metrics/base-measures.ts';
import { plan } from './plan-ranges.ts';
import { bucketFormatter, isValidTimeZone, type Granularity } from './time-buckets.ts';
import { dimension, type DimContext } from './query-dimensions.ts';
import { currencyExponent } from '../reference/currencies.ts';
import { formatMinor } from '../events/amount.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import { answerCap, maxRows as maxRowsOf, resultTooLarge } from './result-size.ts';

/** The instants a query may name (epoch ms): rollup minute keys start at the epoch. */
export const QUERY_TIME_MIN = 0;
export const QUERY_TIME_MAX = Date.UTC(2200, 0, 1);
const MAX_MINUTE = QUERY_TIME_MAX / 60000;
/** Nominal bucket lengths in minutes ('all' is one bucket). */
const NOMINAL_BUCKET_MINUTES: Record<Granularity, number> = {
  minute: 1, hour: 60, day: 1440, week: 10080, month: 28 * 1440, all: Infinity,
};

/** Dimensions with thousands of values: pre-aggregating before the FX join would not pay. */
const FINE_DIMENSIONS = new Set(['merchant_id', 'city']);

const DEFAULT_MAX_ROWS = 100_000;
const DEFAULT_MAX_RESULT_BYTES = 16 * 2 ** 20;

export const GRANULARITIES: readonly Granularity[] = ['minute', 'hour', 'day', 'week', 'month', 'all'];

export interface QuerySpec {
  metrics: string[];
  dimensions: string[];
  filters: Record<string, string[]>;
  /** Epoch ms, half-open [from, to); widened outward to whole minutes. */
  from: number;
  to: number;
  granularity: Granularity;
  tz: string;
  orderBy?: { metric: string; desc: boolean };
  limit?: number;
  /** Emit every bucket of the range, zero-filled (series without dimensions). */
  fill?: boolean;
}

export interface QueryRow {
  bucket?: string;
  dims: Record<string, string | null>;
  metrics: Record<string, number | null>;
  /** Exact local-currency amounts as decimal strings, when one currency is selected. */
  local?: Record<string, string>;
}

export interface QueryResult {
  from: number;
  to: number;
  granularity: Granularity;
  tz: string;
  currency: string | null;
  rows: QueryRow[];
  /** Events in the range still waiting for an FX rate (left out of USD sums). */
  unconverted: number;
  tables: string[];
}

export interface QueryDeps extends DimContext {
  store: AnalyticsStore;
  now: () => number;
  limits: {
    minuteDays: number; hourDays: number; maxBuckets: number; maxMinuteSpanDays: number;
    /** QUERY_MAX_ROWS and QUERY_MAX_RESULT_MB (in bytes): together they cap an answer's rows. */
    maxRows?: number; maxResultBytes?: number;
  };
}

export async function runQuery(deps: QueryDeps, spec: QuerySpec): Promise<QueryResult> {
  const metrics = resolveMetrics(spec.metrics);
  if (!isValidTimeZone(spec.tz)) throw new AppError('invalid_time_zone', `unknown time zone ${JSON.stringify(spec.tz)}`);
  if (!GRANULARITIES.includes(spec.granularity)) {
    throw new AppError('invalid_parameter', `granularity must be one of ${GRANULARITIES.join(', ')}`);
  }
  if (!Number.isFinite(spec.from) || !Number.isFinite(spec.to) || spec.to <= spec.from) {
    throw new AppError('invalid_range', '`to` must be after `from`');
  }
  const fromMin = Math.floor(spec.from / 60000);
  const toMin = Math.ceil(spec.to / 60000);
  // Refuse huge ranges before any calendar work (which is linear in the range's days).
  if (fromMin < 0 || toMin > MAX_MINUTE) throw new AppError('invalid_range', 'from and to must lie between 1970 and 2200');
  const approxBuckets = (toMin - fromMin) / NOMINAL_BUCKET_MINUTES[spec.granularity];
  if (approxBuckets > deps.limits.maxBuckets * 1.1) { // margin: DST days are 23 hours; exact check later
    throw new AppError('range_too_large', `more than ${deps.limits.maxBuckets} ${spec.granularity} buckets; use a coarser granularity or a shorter range`);
  }
  const dims = spec.dimensions.map((d) => dimension(d).group(deps));
  const filters = Object.entries(spec.filters)
    .filter(([, values]) => values.length > 0)
    .map(([name, values]) => dimension(name).filter(values, deps));
  const currencies = spec.filters.currency ?? [];
  const currency = currencies.length === 1 ? currencies[0] : null;
  if (spec.orderBy && !metrics.some((m) => m.name === spec.orderBy!.metric)) metrics.push(resolveMetrics([spec.orderBy.metric])[0]);
  const localMetrics = currency !== null ? metrics.filter((m) => m.local) : [];
  // The row cap follows from the answer's size: bytes per row from its shape (18 metrics make a
  // row ten times wider than one), so a wide answer is capped at fewer rows.
  const cap = answerCap(
    { metrics: metrics.map((m) => m.name), dimensions: spec.dimensions, bucket: spec.granularity !== 'all', local: localMetrics.map((m) => m.name) },
    { maxRows: deps.limits.maxRows ?? DEFAULT_MAX_ROWS, maxResultBytes: deps.limits.maxResultBytes ?? DEFAULT_MAX_RESULT_BYTES },
  );

  const p = withCodes(() => plan(fromMin, toMin, spec.granularity, spec.tz, {
    now: deps.now(),
    minuteDays: deps.limits.minuteDays,
    hourDays: deps.limits.hourDays,
    maxBuckets: deps.limits.maxBuckets,
    maxMinuteSpanMinutes: deps.limits.maxMinuteSpanDays * 1440,
  }));
  const result: QueryResult = {
    from: fromMin * 60000, to: toMin * 60000, granularity: spec.granularity, tz: spec.tz, currency,
    rows: [], unconverted: 0, tables: p.tables.map((t) => t.table),
  };
  const atMost = maxRowsOf(
    p.buckets.length, spec.dimensions.map((d) => spec.filters[d]?.length || dimension(d).cardinality(deps)), spec.limit);
  // A zero-filled series has one row per bucket: its size is known before running, so it is
  // refused before running. Any other answer runs with LIMIT cap + 1, so no more than the cap
  // is ever held, and one row more refuses it.
  const filled = spec.fill && spec.dimensions.length === 0 && spec.granularity !== 'all';
  if (filled && p.buckets.length > cap.rows) throw resultTooLarge(cap, p.buckets.length, atMost);
  if (p.tables.length === 0) return result;
  const withLocal = currency !== null;
  const used = new Set(metrics.flatMap((m) => [...m.num, ...(m.den ?? []), ...(withLocal ? [...m.local ?? [], ...m.localDen ?? []] : [])]).map((t) => t.measure));
  const answer = await deps.store.rollupAggregate({
    tables: p.tables,
    bucket: p.bucket,
    groups: dims,
    filters,
    measures: BASE_MEASURES.filter((b) => used.has(b.name)),
    metrics: metrics.map((m) => ({ name: m.name, num: m.num, den: m.den, local: m.local ?? undefined, localDen: m.localDen ?? undefined })),
    withLocal,
    orderBy: spec.orderBy,
    limit: spec.limit,
    // One row past the cap tells an answer that would exceed it.
    maxRows: cap.rows + 1,
    preaggregate: !spec.dimensions.some((d) => FINE_DIMENSIONS.has(d)),
  });
  const rowCount = answer.rowCount;
  if (rowCount > cap.rows) throw resultTooLarge(cap, null, atMost);
  const exponent = currency ? currencyExponent(currency) ?? 2 : 2;
  const dimCols = answer.groups;
  const metricCols = metrics.map((m) => answer.metrics[m.name]);
  const localCols = localMetrics.map((m) => answer.local[m.name]);
  const localDenCols = localMetrics.map((m) => answer.localDen[m.name]);
  const minutes = answer.bucket;
  result.unconverted = answer.unconverted;
  // Plain loops over prepared lists: a long series makes thousands of rows (docs/benchmarks.md).
  const dimDefs = spec.dimensions.map((d) => dimension(d));
  const rows = new Array<QueryRow>(rowCount);
  for (let i = 0; i < rowCount; i++) {
    const rowDims: QueryRow['dims'] = {};
    for (let k = 0; k < dimDefs.length; k++) rowDims[spec.dimensions[k]] = dimDefs[k].decode(dimCols[k][i], deps);
    const rowMetrics: QueryRow['metrics'] = {};
    for (let k = 0; k < metrics.length; k++) rowMetrics[metrics[k].name] = toNumber(metricCols[k][i]);
    const row: QueryRow = { dims: rowDims, metrics: rowMetrics };
    if (currency !== null) {
      const local: Record<string, string> = {};
      for (let k = 0; k < localMetrics.length; k++) {
        const sum = BigInt((localCols[k][i] as bigint | null) ?? 0n);
        if (!localDenCols[k]) { local[localMetrics[k].name] = formatMinor(sum, exponent); continue; }
        // An average: absent over no rows (as its USD value is null).
        const den = BigInt((localDenCols[k][i] as bigint | null) ?? 0n);
        if (den !== 0n) local[localMetrics[k].name] = formatMinor(roundedDivision(sum, den), exponent);
      }
      row.local = local;
    }
    rows[i] = row;
  }
  result.rows = rows;
  if (spec.granularity !== 'all') {
    const label = bucketFormatter(Math.min(fromMin, p.buckets[0] ?? fromMin), toMin, spec.tz);
    if (spec.fill && spec.dimensions.length === 0) {
      result.rows = fillBuckets(result.rows, minutes, p.buckets, metrics, currency !== null);
      for (let i = 0; i < result.rows.length; i++) result.rows[i].bucket = label(p.buckets[i]);
    } else {
      for (let i = 0; i < rowCount; i++) result.rows[i].bucket = label(minutes[i]);
    }
  }
  return result;
}

function resolveMetrics(names: string[]): Metric[] {
  if (names.length === 0) return [...METRICS];
  return [...new Set(names)].map((n) => {
    const m = getMetric(n);
    if (!m) throw new AppError('unknown_metric', `unknown metric ${JSON.stringify(n)}; see GET /api/v1/metrics/registry`);
    return m;
  });
}

/** One row per bucket start, in order: the rows found, zeros (null ratios) elsewhere. */
function fillBuckets(
  rows: QueryRow[], minutes: number[], buckets: number[], metrics: Metric[], withLocal: boolean,
): QueryRow[] {
  // Buckets ascend, and so does an answer ordered by bucket (not one ordered by a metric): then
  // one walk of both, else a lookup by bucket.
  let ascending = true;
  for (let r = 1; r < minutes.length && ascending; r++) ascending = minutes[r - 1] < minutes[r];
  const byMinute = ascending ? null : new Map(minutes.map((m, i) => [m, rows[i]]));
  const out = new Array<QueryRow>(buckets.length);
  const localNames = withLocal ? metrics.filter((m) => m.local && !m.localDen).map((m) => m.name) : [];
  let r = 0;
  for (let i = 0; i < buckets.length; i++) {
    if (byMinute) {
      const found = byMinute.get(buckets[i]);
      if (found) {
        out[i] = found;
        continue;
      }
    } else {
      while (r < rows.length && minutes[r] < buckets[i]) r++;
      if (r < rows.length && minutes[r] === buckets[i]) {
        out[i] = rows[r++];
        continue;
      }
    }
    const row: QueryRow = { dims: {}, metrics: {} };
    for (const m of metrics) row.metrics[m.name] = m.empty;
    if (withLocal) {
      const local: Record<string, string> = {};
      for (const name of localNames) local[name] = '0';
      row.local = local;
    }
    out[i] = row;
  }
  return out;
}

/** a / b rounded half away from zero, in integers (an average in whole minor units); b ≠ 0. */
export function roundedDivision(a: bigint, b: bigint): bigint {
  const negative = (a < 0n) !== (b < 0n);
  const [x, y] = [a < 0n ? -a : a, b < 0n ? -b : b];
  const q = (2n * x + y) / (2n * y);
  return negative ? -q : q;
}

function toNumber(v: unknown): number | null {
  if (v === null || v === undefined) return null;
  const n = typeof v === 'bigint' ? Number(v) : Number(v);
  return Number.isFinite(n) ? n : null;
}

/** The planner signals limits with RangeError('code: message'); give them their coded form. */
function withCodes<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof RangeError) {
      const m = /^(range_too_large|beyond_retention|invalid_range)\s*:\s*(.*)$/s.exec(err.message);
      if (m) throw new AppError(m[1] as 'range_too_large', m[2]);
      throw new AppError('invalid_range', err.message);
    }
    throw err;
  }
}
