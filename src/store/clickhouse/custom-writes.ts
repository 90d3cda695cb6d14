// The custom-event writes of one batch (PreparedBatch.custom) as TabSeparated lines, in the
// commit protocol's order (commit-batch.ts): raw custom events, then the rollup stats, sketch
// bins and distinct-user registers, each row tagged with the batch id. A payment batch has none.

import type { PreparedBatch } from '../analytics-store.ts';
import { tsvNullable, tsvString } from './tsv.ts';

export interface CustomWrite {
  step: 'custom_events' | 'custom_rollup_stats' | 'custom_rollup_bins' | 'custom_rollup_users';
  columns: readonly string[];
  lines: string[];
}

/** A float as ClickHouse's TSV reads it back exactly (JS's shortest round-trip form). */
const f64 = (v: number) => (Object.is(v, -0) ? '0' : String(v));

export function customWrites(b: PreparedBatch): CustomWrite[] {
  const c = b.custom;
  const id = b.batchId;
  if (!c) return [];
  const key = (r: { grain: number; bucket: number; eventType: string; dims: string }) =>
    `${r.grain}\t${r.bucket}\t${tsvString(r.eventType)}\t${tsvString(r.dims)}`;
  return [
    {
      step: 'custom_events',
      columns: ['event_id', 'event_type', 'occurred_at', 'user_id', 'session_id', 'properties', 'definition_version', 'fingerprint', 'batch_id'],
      lines: c.raw.map((r) => `${tsvString(r.eventId)}\t${tsvString(r.eventType)}\t${r.occurredAt}\t${tsvNullable(r.userId)}\t`
        + `${tsvNullable(r.sessionId)}\t${tsvString(r.properties)}\t${r.definitionVersion}\t${r.fingerprint}\t${id}`),
    },
    {
      step: 'custom_rollup_stats',
      columns: ['grain', 'bucket', 'event_type', 'dims', 'measure', 'cnt', 'sum_value', 'min_value', 'max_value', 'sum_minor', 'min_minor', 'max_minor', 'batch_id'],
      lines: c.stats.map((r) => `${key(r)}\t${tsvString(r.measure)}\t${r.cnt}\t${f64(r.sumValue)}\t${f64(r.minValue)}\t${f64(r.maxValue)}\t`
        + `${r.sumMinor}\t${r.minMinor}\t${r.maxMinor}\t${id}`),
    },
    {
      step: 'custom_rollup_bins',
      columns: ['grain', 'bucket', 'event_type', 'dims', 'measure', 'bin', 'cnt', 'batch_id'],
      lines: c.bins.map((r) => `${key(r)}\t${tsvString(r.measure)}\t${r.bin}\t${r.cnt}\t${id}`),
    },
    {
      step: 'custom_rollup_users',
      columns: ['grain', 'bucket', 'event_type', 'dims', 'register', 'rank', 'batch_id'],
      lines: c.users.map((r) => `${key(r)}\t${r.register}\t${r.rank}\t${id}`),
    },
  ];
}
