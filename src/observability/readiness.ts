// Readiness, part by part, for /ready:
// - analytics: the analytics store answers a query (within 2 s) and its migrations are current;
// - ingest: the last commit did not fail — after a failure the part stays `failing` until a
//   commit succeeds or a small probe write does (probed at most every 5 s, so a node taken out of
//   rotation, and so receiving no ingest, still comes back when the disk has room again) — and
//   the engine takes submissions (`recovering` while it rebuilds its state after a failure);
// - state: the state store answers `SELECT 1` within 1 s (cached 2 s: /ready stays cheap).

import type { Engine } from '../ingest/engine.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { AppError } from '../errors.ts';

const ANALYTICS_TIMEOUT_MS = 2000;
const STATE_TIMEOUT_MS = 1000;
const STATE_CACHE_MS = 2000;
const WRITE_PROBE_INTERVAL_MS = 5000;

export type PartName = 'analytics' | 'ingest' | 'state';
export interface Part {
  status: 'ready' | 'starting' | 'unavailable' | 'migrations_pending' | 'failing' | 'recovering';
  detail?: string;
  [extra: string]: unknown;
}
export interface ReadinessReport {
  ready: boolean;
  parts: Record<PartName, Part>;
}

export interface ReadinessDeps {
  store: AnalyticsStore;
  /** Null in a process that does not ingest: its ingest part is always ready (`ingesting: false`). */
  engine: Engine | null;
  state: StateStore;
  now: () => number;
}

export function createReadiness(d: ReadinessDeps): { check(): Promise<ReadinessReport>; close(): void } {
  // Failed commits counted when the last commit (or probe write) succeeded: more now = failing.
  const engine = d.engine;
  let failedAtLastSuccess = engine?.stats.failedCommits ?? 0;
  const stopListening = engine ? engine.onCommit(() => { failedAtLastSuccess = engine.stats.failedCommits; }) : () => undefined;
  let lastProbeAt = -Infinity;
  let stateCache: { at: number; part: Promise<Part> } | null = null;

  async function ingestPart(): Promise<Part> {
    if (!engine) return { status: 'ready', ingesting: false };
    const failed = engine.stats.failedCommits;
    if (failed > failedAtLastSuccess && d.now() - lastProbeAt >= WRITE_PROBE_INTERVAL_MS) {
      lastProbeAt = d.now();
      try {
        await withTimeout(d.store.probeWrite(d.now()), ANALYTICS_TIMEOUT_MS);
        failedAtLastSuccess = Math.max(failedAtLastSuccess, failed);
      } catch { /* still failing */ }
    }
    const failedCommits = engine.stats.failedCommits;
    if (failedCommits > failedAtLastSuccess) {
      return { status: 'failing', failed_commits: failedCommits, detail: 'the last commit failed (disk full? I/O error?): ingest answers 503 until a write succeeds' };
    }
    // An empty submission commits nothing; the engine refuses it only while it rebuilds its state
    // (or shuts down) — exactly when it refuses real ones.
    try {
      await engine.submit({ source: 'readiness', items: [] });
    } catch (err) {
      return { status: 'recovering', failed_commits: failedCommits, detail: (err as Error).message };
    }
    return { status: 'ready', failed_commits: failedCommits };
  }

  function statePart(): Promise<Part> {
    const now = d.now();
    if (!stateCache || now - stateCache.at >= STATE_CACHE_MS) {
      stateCache = {
        at: now,
        part: withTimeout(d.state.query('SELECT 1'), STATE_TIMEOUT_MS).then(
          (): Part => ({ status: 'ready', kind: d.state.kind }),
          (err): Part => (err instanceof AppError && err.details?.state_store === 'starting'
            ? { status: 'starting', kind: d.state.kind, detail: err.message }
            : { status: 'unavailable', kind: d.state.kind, detail: err instanceof AppError ? err.message : `no answer: ${(err as Error).message}` }),
        ),
      };
    }
    return stateCache.part;
  }

  return {
    async check() {
      const [analytics, ingest, state] = await Promise.all([analyticsPart(d.store), ingestPart(), statePart()]);
      const parts = { analytics, ingest, state };
      return { ready: Object.values(parts).every((p) => p.status === 'ready'), parts };
    },
    close: stopListening,
  };
}

async function analyticsPart(store: AnalyticsStore): Promise<Part> {
  let version: { applied: number; expected: number };
  try {
    version = await withTimeout(store.schemaVersion(), ANALYTICS_TIMEOUT_MS);
  } catch (err) {
    return { status: 'unavailable', detail: `the analytics store did not answer: ${(err as Error).message}` };
  }
  const { applied, expected } = version;
  if (applied < expected) {
    return { status: 'migrations_pending', schema_version: applied, expected_schema_version: expected, detail: `schema version ${applied}, expected ${expected}` };
  }
  return { status: 'ready', schema_version: applied };
}

async function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms); });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
