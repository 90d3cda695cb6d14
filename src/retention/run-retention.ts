// The retention job: raw events older than RAW_RETENTION_DAYS, minute rollups older than
// MINUTE_RETENTION_DAYS and hour rollups older than HOUR_RETENTION_DAYS are deleted; day
// rollups stay forever. Custom events have their own settings per grain (CUSTOM_*_RETENTION_DAYS). Rollups never depend on raw rows, so they stay exact after raw expires.
// The in-memory indexes forget what the raw table forgot. It also rolls the per-day FX table
// forward.

import { evictBefore } from '../ingest/indexes/dedupe-index.ts';
import { evictTxnsBefore } from '../ingest/indexes/txn-index.ts';
import type { Engine } from '../ingest/engine.ts';
import { rebuildEffective } from '../fx/fx-rates.ts';
import type { AnalyticsStore, RetentionCutoffs } from '../store/analytics-store.ts';
import type { Config } from '../config.ts';

export interface RetentionPolicy {
  rawDays: number;
  minuteDays: number;
  hourDays: number;
  /** Custom events (docs/custom-events.md): raw and each rollup grain; absent = kept. */
  custom?: { rawDays: number; minuteDays: number; hourDays: number; dayDays: number };
}

export interface RetentionReport {
  rawCutoff: string;
  minuteCutoff: string;
  hourCutoff: string;
  evictedEvents: number;
  evictedTxns: number;
  evictedTracked: number;
}

const DAY_MS = 86_400_000;

type RetentionSettings = Pick<Config, 'RAW_RETENTION_DAYS' | 'MINUTE_RETENTION_DAYS' | 'HOUR_RETENTION_DAYS'
  | 'CUSTOM_RAW_RETENTION_DAYS' | 'CUSTOM_MINUTE_RETENTION_DAYS' | 'CUSTOM_HOUR_RETENTION_DAYS' | 'CUSTOM_DAY_RETENTION_DAYS'>;

/** The analytics store's retention as configured: the one policy the job, the CLI, verify and reprocess use. */
export function retentionPolicy(config: RetentionSettings): RetentionPolicy {
  return {
    rawDays: config.RAW_RETENTION_DAYS, minuteDays: config.MINUTE_RETENTION_DAYS, hourDays: config.HOUR_RETENTION_DAYS,
    custom: {
      rawDays: config.CUSTOM_RAW_RETENTION_DAYS, minuteDays: config.CUSTOM_MINUTE_RETENTION_DAYS,
      hourDays: config.CUSTOM_HOUR_RETENTION_DAYS, dayDays: config.CUSTOM_DAY_RETENTION_DAYS,
    },
  };
}

/** The cutoffs of a run at `now`: whole UTC days, so that a day is either fully kept or fully expired. */
export function retentionCutoffs(policy: RetentionPolicy, now: number): RetentionCutoffs {
  const today = Math.floor(now / DAY_MS);
  const c = policy.custom;
  return {
    rawBeforeMs: (today - policy.rawDays) * DAY_MS,
    minuteBefore: (today - policy.minuteDays) * 1440,
    hourBefore: (today - policy.hourDays) * 1440,
    ...(c ? {
      custom: {
        rawBeforeMs: (today - c.rawDays) * DAY_MS, minuteBefore: (today - c.minuteDays) * 1440,
        hourBefore: (today - c.hourDays) * 1440, dayBefore: (today - c.dayDays) * 1440,
      },
    } : {}),
  };
}

export async function runRetention(store: AnalyticsStore, engine: Engine, policy: RetentionPolicy, now: number): Promise<RetentionReport> {
  const today = Math.floor(now / DAY_MS);
  const rawDay = today - policy.rawDays;
  const minuteDay = today - policy.minuteDays;
  const hourDay = today - policy.hourDays;
  const cutoffMs = rawDay * DAY_MS;
  const cutoffs = retentionCutoffs(policy, now);
  await store.expireBefore(cutoffs);
  // The track ingest's dedupe forgets what its raw table forgot.
  const evictedTracked = cutoffs.custom ? engine.evictTrackedBefore(cutoffs.custom.rawBeforeMs) : 0;
  // Rows written per batch folded into one per key (ClickHouse), so queries sum fewer rows.
  await store.compactRollups();
  // Keeps the per-day FX table filled forward past today.
  await rebuildEffective(store, now);
  const state = engine.state;
  const evictedEvents = evictBefore(state.dedupe, rawDay);
  const evictedTxns = evictTxnsBefore(state.txns, cutoffMs);
  const iso = (d: number) => new Date(d * DAY_MS).toISOString();
  return { rawCutoff: iso(rawDay), minuteCutoff: iso(minuteDay), hourCutoff: iso(hourDay), evictedEvents, evictedTxns, evictedTracked };
}
