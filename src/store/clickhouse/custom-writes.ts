// The custom-event writes of one batch (PreparedBatch.custom) as TabSeparated lines, in the
// commit protocol's order (commit-batch.ts): raw custom events, the rollup stats, sketch bins and
// distinct-user registers of every dimension tuple, then the same summed over the tuples at hour
// and day grain (the totals, ../custom-totals.ts), each row tagged with the batch id. A payment
// batch has none.

import type { PreparedBatch } from '../analytics-store.ts';
import { customTotalsOf, type CustomRollups } from '../custom-totals.ts';
import { tsvNullable, tsvString } from './tsv.ts';

export const CUSTOM_WRITE_STEPS = [
  'custom_events', 'custom_rollup_stats', 'custom_rollup_bins', 'custom_rollup_users',
  'custom_totals_stats', 'custom_totals_bins', 'custom_totals_users',
] as const;

export interface CustomWrite {
  step: (typeof CUSTOM_WRITE_STEPS)[number];
  columns: readonly string[];
  lines: string[];
}

/** A float as ClickHouse's TSV reads it back exactly (JS's shortest round-trip form). */
const f64 = (v: number) => (Object.is(v, -0) ? '0' : String(v));

/** The stats, bins and users lines of rollup rows; each key's fields are `keyColumns`, escaped once for all its rows. */
function rollupLines(r: CustomRollups, id: number, withDims: boolean) {
  const { keys, stats, bins, users } = r;
  const key = new Array<string>(keys.length);
  for (let k = 0; k < keys.length; k++) {
    key[k] = `${keys.grain[k]}\t${keys.bucket[k]}\t${tsvString(keys.eventType[k])}${withDims ? `\t${tsvString(keys.dims[k])}` : ''}`;
  }
  const measures = new Map<string, string>();
  const measure = (m: string) => {
    let t = measures.get(m);
    if (t === undefined) measures.set(m, (t = tsvString(m)));
    return t;
  };
  const statLines = new Array<string>(stats.length);
  for (let i = 0; i < stats.length; i++) {
    statLines[i] = `${key[stats.key[i]]}\t${measure(stats.measure[i])}\t${stats.cnt[i]}\t${f64(stats.sumValue[i])}\t${f64(stats.minValue[i])}\t`
      + `${f64(stats.maxValue[i])}\t${stats.sumMinor[i]}\t${stats.minMinor[i]}\t${stats.maxMinor[i]}\t${id}`;
  }
  const binLines = new Array<string>(bins.length);
  for (let i = 0; i < bins.length; i++) binLines[i] = `${key[bins.key[i]]}\t${measure(bins.measure[i])}\t${bins.bin[i]}\t${bins.cnt[i]}\t${id}`;
  const userLines = new Array<string>(users.length);
  for (let i = 0; i < users.length; i++) userLines[i] = `${key[users.key[i]]}\t${users.register[i]}\t${users.rank[i]}\t${id}`;
  const keyColumns = withDims ? ['grain', 'bucket', 'event_type', 'dims'] : ['grain', 'bucket', 'event_type'];
  return {
    stats: { columns: [...keyColumns, 'measure', 'cnt', 'sum_value', 'min_value', 'max_value', 'sum_minor', 'min_minor', 'max_minor', 'batch_id'], lines: statLines },
    bins: { columns: [...keyColumns, 'measure', 'bin', 'cnt', 'batch_id'], lines: binLines },
    users: { columns: [...keyColumns, 'register', 'rank', 'batch_id'], lines: userLines },
  };
}

export function customWrites(b: PreparedBatch): CustomWrite[] {
  const c = b.custom;
  const id = b.batchId;
  if (!c) return [];
  const rollups = rollupLines(c, id, true);
  const totals = rollupLines(customTotalsOf(c), id, false);
  return [
    {
      step: 'custom_events',
      columns: ['event_id', 'event_type', 'occurred_at', 'user_id', 'session_id', 'properties', 'definition_version', 'fingerprint', 'batch_id'],
      lines: c.raw.map((r) => `${tsvString(r.eventId)}\t${tsvString(r.eventType)}\t${r.occurredAt}\t${tsvNullable(r.userId)}\t`
        + `${tsvNullable(r.sessionId)}\t${tsvString(r.properties)}\t${r.definitionVersion}\t${r.fingerprint}\t${id}`),
    },
    { step: 'custom_rollup_stats', ...rollups.stats },
    { step: 'custom_rollup_bins', ...rollups.bins },
    { step: 'custom_rollup_users', ...rollups.users },
    { step: 'custom_totals_stats', ...totals.stats },
    { step: 'custom_totals_bins', ...totals.bins },
    { step: 'custom_totals_users', ...totals.users },
  ];
}
