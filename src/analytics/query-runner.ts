// The query entry point the API uses: runQuery behind the result cache. The cache key is the
// query with its range widened to whole minutes (what runQuery answers anyway), so equal
// questions asked within the same minute share one answer.

import { runQuery, type QueryDeps, type QueryResult, type QuerySpec } from '../query/run-query.ts';
import type { ResultCache } from '../query/result-cache.ts';

export type RunQuery = (spec: QuerySpec) => Promise<QueryResult>;

/** A rough in-memory size of an answer: per row, its object, numbers, labels and strings. */
export function resultBytes(value: unknown): number {
  const r = value as QueryResult;
  if (!Array.isArray(r.rows)) {
    // A custom event's statistics: items of a dozen fields, a label per bucket.
    const c = value as { items?: unknown[]; buckets?: unknown[] };
    if (Array.isArray(c.items)) return 1024 + c.items.length * 400 + (c.buckets?.length ?? 0) * 80;
    return 4096; // a composed answer (summary): small
  }
  const first = r.rows[0];
  if (!first) return 512;
  const perRow = 96 + 32 * Object.keys(first.metrics).length + 64 * Object.keys(first.dims).length
    + (first.bucket ? 64 : 0) + (first.local ? 64 * Object.keys(first.local).length : 0);
  return 512 + r.rows.length * perRow;
}

export function createQueryRunner(deps: QueryDeps, cache: ResultCache): RunQuery {
  return (spec) => {
    const lo = Math.floor(spec.from / 60000);
    const hi = Math.ceil(spec.to / 60000);
    const normal = { ...spec, from: lo * 60000, to: hi * 60000 };
    return cache.get(cacheKey(normal, lo, hi), lo, hi, () => runQuery(deps, normal));
  };
}

/** Every field of the query that shapes its answer, joined (cheaper than JSON of the object). */
function cacheKey(s: QuerySpec, lo: number, hi: number): string {
  // Filter values are client text: JSON keeps any separator inside them from forging another key.
  return `${lo}|${hi}|${s.granularity}|${s.tz}|${s.metrics.join(',')}|${s.dimensions.join(',')}|${JSON.stringify(s.filters)}|`
    + `${s.orderBy ? `${s.orderBy.metric}:${s.orderBy.desc}` : ''}|${s.limit ?? ''}|${s.fill ? 1 : 0}`;
}
