// A short-TTL cache of query answers keyed by the normalised query. Ingest invalidates exactly the
// entries whose minute range holds a minute it changed, so an answer is never older than a write
// it missed. A computation that overlaps an invalidation of its range is not stored, and
// identical concurrent misses share one computation.
//
// Entries have a scope: the minutes of payment commits ('', the default) invalidate payment
// answers only, those of tracked custom events ('custom') custom-event answers only.

export interface CacheOptions {
  ttlMs: number;
  maxEntries: number;
  /** Budget for the estimated size of all entries; an answer over a tenth of it is not kept. */
  maxBytes: number;
  /** Estimated bytes an answer holds in memory. */
  sizeOf: (value: unknown) => number;
  now?: () => number;
  onLookup?: (hit: boolean, scope: string) => void;
}

interface Entry {
  value: unknown;
  bytes: number;
  expires: number;
  lo: number;
  hi: number;
  scope: string;
}

export interface ResultCache {
  /** The cached answer for `key` covering minutes [lo, hi) of `scope`, or compute and keep it. */
  get<T>(key: string, lo: number, hi: number, compute: () => Promise<T>, scope?: string): Promise<T>;
  /** Drops the entries of `scope` holding any of these minutes (sorted ascending). */
  invalidateMinutes(minutes: ArrayLike<number>, scope?: string): void;
  clear(): void;
  readonly size: number;
  /** Estimated bytes held. */
  readonly bytes: number;
}

const LOG_LENGTH = 256;

export function createResultCache(o: CacheOptions): ResultCache {
  const now = o.now ?? Date.now;
  const entries = new Map<string, Entry>();
  let bytes = 0;
  const drop = (key: string) => {
    const e = entries.get(key);
    if (e) {
      bytes -= e.bytes;
      entries.delete(key);
    }
  };
  const inflight = new Map<string, { p: Promise<unknown>; since: number }>();
  let seq = 0;
  // Recent invalidations, so a computation can tell whether one hit its range while it ran.
  const log: Array<{ seq: number; minutes: ArrayLike<number> | null; scope: string }> = [];

  const touches = (minutes: ArrayLike<number> | null, lo: number, hi: number) => {
    if (minutes === null) return true;
    const i = lowerBound(minutes, lo);
    return i < minutes.length && minutes[i] < hi;
  };
  const invalidatedSince = (since: number, lo: number, hi: number, scope: string) => {
    if (since === seq) return false;
    if (log.length === 0 || log[0].seq > since + 1) return true; // older than the log: assume so
    return log.some((e) => e.seq > since && (e.minutes === null || e.scope === scope) && touches(e.minutes, lo, hi));
  };
  const record = (minutes: ArrayLike<number> | null, scope: string) => {
    seq++;
    log.push({ seq, minutes, scope });
    if (log.length > LOG_LENGTH) log.shift();
  };

  return {
    async get<T>(key: string, lo: number, hi: number, compute: () => Promise<T>, scope = ''): Promise<T> {
      if (o.ttlMs <= 0) return compute();
      const e = entries.get(key);
      if (e && e.expires > now()) {
        o.onLookup?.(true, scope);
        return e.value as T;
      }
      o.onLookup?.(false, scope);
      // Join a computation of the same query only if no write to its range committed since it began.
      const running = inflight.get(key);
      if (running && !invalidatedSince(running.since, lo, hi, scope)) return running.p as Promise<T>;
      const since = seq;
      const p = compute().then((value) => {
        const size = o.sizeOf(value);
        if (!invalidatedSince(since, lo, hi, scope) && size <= o.maxBytes / 10) {
          drop(key);
          while (entries.size > 0 && (entries.size >= o.maxEntries || bytes + size > o.maxBytes)) {
            drop(entries.keys().next().value as string);
          }
          entries.set(key, { value, bytes: size, expires: now() + o.ttlMs, lo, hi, scope });
          bytes += size;
        }
        return value;
      }).finally(() => {
        if (inflight.get(key)?.p === p) inflight.delete(key);
      });
      inflight.set(key, { p, since });
      return p;
    },
    invalidateMinutes(minutes, scope = '') {
      if (minutes.length === 0) return;
      record(minutes, scope);
      for (const [key, e] of entries) if (e.scope === scope && touches(minutes, e.lo, e.hi)) drop(key);
    },
    clear() {
      record(null, '');
      entries.clear();
      bytes = 0;
    },
    get size() {
      return entries.size;
    },
    get bytes() {
      return bytes;
    },
  };
}

function lowerBound(a: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The distinct minutes of a column, sorted. */
export function distinctMinutes(minute: ArrayLike<number>): Int32Array {
  const out = Int32Array.from(new Set(Array.from(minute)));
  return out.sort();
}
