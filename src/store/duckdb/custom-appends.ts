// The custom-event rows of one batch (PreparedBatch.custom) as DuckDB appender columns, one
// entry per table in the order of migration 4's columns; appended in the batch's transaction.
// The batch is columnar already: a rollup row's key columns are gathered from the batch's keys.

import { BIGINT, DOUBLE, INTEGER, SMALLINT, UTINYINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import type { Column } from './append-columns.ts';
import { setInt64 } from '../../ingest/batch-columns.ts';
import type { CustomBatch, CustomRollupKeys } from '../analytics-store.ts';

interface Rows { types: DuckDBType[]; columns: Column[]; count: number }

const KEY_TYPES = [SMALLINT, INTEGER, VARCHAR, VARCHAR];

/** grain, bucket, event_type, dims of each row, from its key index. */
function keyColumns(keys: CustomRollupKeys, rowKeys: Int32Array): Column[] {
  const n = rowKeys.length;
  const grain = new Int16Array(n);
  const bucket = new Int32Array(n);
  const eventType = new Array<string>(n);
  const dims = new Array<string>(n);
  for (let i = 0; i < n; i++) {
    const k = rowKeys[i];
    grain[i] = keys.grain[k];
    bucket[i] = keys.bucket[k];
    eventType[i] = keys.eventType[k];
    dims[i] = keys.dims[k];
  }
  return [grain, bucket, eventType, dims];
}

/** Counts (32-bit in the batch) as the BIGINT column they are stored in. */
function int64s(values: Int32Array): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) setInt64(out, i, values[i]);
  return out;
}

export function customAppends(c: CustomBatch, batchId: number): Array<[string, Rows]> {
  const batch = (n: number) => new Int32Array(n).fill(batchId);
  const { raw, keys, stats, bins, users } = c;
  const r = raw.length;
  const occurredAt = new BigInt64Array(r);
  const fingerprint = new BigInt64Array(r);
  const version = new Int32Array(r);
  for (let i = 0; i < r; i++) {
    setInt64(occurredAt, i, raw[i].occurredAt);
    setInt64(fingerprint, i, raw[i].fingerprint);
    version[i] = raw[i].definitionVersion;
  }
  return [
    ['custom_events', {
      types: [VARCHAR, VARCHAR, BIGINT, VARCHAR, VARCHAR, VARCHAR, INTEGER, BIGINT, INTEGER],
      columns: [
        raw.map((e) => e.eventId), raw.map((e) => e.eventType), occurredAt, raw.map((e) => e.userId), raw.map((e) => e.sessionId),
        raw.map((e) => e.properties), version, fingerprint, batch(r),
      ],
      count: r,
    }],
    ['custom_rollup_stats', {
      types: [...KEY_TYPES, VARCHAR, BIGINT, DOUBLE, DOUBLE, DOUBLE, BIGINT, BIGINT, BIGINT, INTEGER],
      columns: [
        ...keyColumns(keys, stats.key), stats.measure, int64s(stats.cnt), stats.sumValue, stats.minValue, stats.maxValue,
        stats.sumMinor, stats.minMinor, stats.maxMinor, batch(stats.length),
      ],
      count: stats.length,
    }],
    ['custom_rollup_bins', {
      types: [...KEY_TYPES, VARCHAR, INTEGER, BIGINT, INTEGER],
      columns: [...keyColumns(keys, bins.key), bins.measure, bins.bin, int64s(bins.cnt), batch(bins.length)],
      count: bins.length,
    }],
    ['custom_rollup_users', {
      types: [...KEY_TYPES, SMALLINT, UTINYINT, INTEGER],
      columns: [...keyColumns(keys, users.key), users.register, users.rank, batch(users.length)],
      count: users.length,
    }],
  ];
}
