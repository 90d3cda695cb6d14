// The custom-event rows of one batch (PreparedBatch.custom) as DuckDB appender columns, one
// entry per table in the order of migration 4's columns; appended in the batch's transaction.

import { BIGINT, DOUBLE, INTEGER, SMALLINT, UTINYINT, VARCHAR, type DuckDBType } from '@duckdb/node-api';
import type { Column } from './append-columns.ts';
import type { CustomBatch, CustomRollupKey } from '../analytics-store.ts';

interface Rows { types: DuckDBType[]; columns: Column[]; count: number }

const KEY_TYPES = [SMALLINT, INTEGER, VARCHAR, VARCHAR];
const keyColumns = (rows: readonly CustomRollupKey[]): Column[] => [
  Int16Array.from(rows, (r) => r.grain), Int32Array.from(rows, (r) => r.bucket), rows.map((r) => r.eventType), rows.map((r) => r.dims),
];

export function customAppends(c: CustomBatch, batchId: number): Array<[string, Rows]> {
  const batch = (n: number) => new Int32Array(n).fill(batchId);
  const { raw, stats, bins, users } = c;
  return [
    ['custom_events', {
      types: [VARCHAR, VARCHAR, BIGINT, VARCHAR, VARCHAR, VARCHAR, INTEGER, BIGINT, INTEGER],
      columns: [
        raw.map((r) => r.eventId), raw.map((r) => r.eventType), BigInt64Array.from(raw, (r) => BigInt(r.occurredAt)),
        raw.map((r) => r.userId), raw.map((r) => r.sessionId), raw.map((r) => r.properties),
        Int32Array.from(raw, (r) => r.definitionVersion), BigInt64Array.from(raw, (r) => BigInt(r.fingerprint)), batch(raw.length),
      ],
      count: raw.length,
    }],
    ['custom_rollup_stats', {
      types: [...KEY_TYPES, VARCHAR, BIGINT, DOUBLE, DOUBLE, DOUBLE, BIGINT, BIGINT, BIGINT, INTEGER],
      columns: [
        ...keyColumns(stats), stats.map((r) => r.measure), BigInt64Array.from(stats, (r) => BigInt(r.cnt)),
        Float64Array.from(stats, (r) => r.sumValue), Float64Array.from(stats, (r) => r.minValue), Float64Array.from(stats, (r) => r.maxValue),
        BigInt64Array.from(stats, (r) => r.sumMinor), BigInt64Array.from(stats, (r) => r.minMinor), BigInt64Array.from(stats, (r) => r.maxMinor),
        batch(stats.length),
      ],
      count: stats.length,
    }],
    ['custom_rollup_bins', {
      types: [...KEY_TYPES, VARCHAR, INTEGER, BIGINT, INTEGER],
      columns: [...keyColumns(bins), bins.map((r) => r.measure), Int32Array.from(bins, (r) => r.bin), BigInt64Array.from(bins, (r) => BigInt(r.cnt)), batch(bins.length)],
      count: bins.length,
    }],
    ['custom_rollup_users', {
      types: [...KEY_TYPES, SMALLINT, UTINYINT, INTEGER],
      columns: [...keyColumns(users), Int16Array.from(users, (r) => r.register), Uint8Array.from(users, (r) => r.rank), batch(users.length)],
      count: users.length,
    }],
  ];
}
