// Every non-zero cell of a rollup table, summed per key: the table as a reader of it sees it,
// whatever the number of delta rows behind each cell. Reconciliation reads it (against raw
// events or an independent reference), and reprocess over a range of buckets ([from, to) in
// epoch minutes).

import type { StoreBackend } from '../backend.ts';
import type { RollupTable } from '../query-shapes.ts';
import { committedRows } from './committed-rows.ts';
import { ROLLUP_KEYS } from './shape-sql.ts';
import type { DimensionKeys } from '../analytics-store.ts';
import { sqlInt } from '../sql-literal.ts';

export interface RollupCell extends DimensionKeys {
  minute: number;
  kind: number;
  cnt: bigint;
  amountMinor: bigint;
  feeMinor: bigint;
}

const KEYS = ROLLUP_KEYS;
const TABLES: Record<RollupTable, string> = { minute: 'rollup_minute', hour: 'rollup_hour', day: 'rollup_day' };

/** Buckets [fromMinute, toMinute) in epoch minutes. */
export interface MinuteRange {
  fromMinute: number;
  toMinute: number;
}

const inRange = (r?: MinuteRange) => (r ? `minute >= ${sqlInt(r.fromMinute)} AND minute < ${sqlInt(r.toMinute)}` : '1 = 1');

const SQL = {
  duckdb: (t: RollupTable, r?: MinuteRange) => `SELECT ${KEYS}, sum(cnt) AS cnt, sum(amount_minor) AS amount, sum(fee_minor) AS fee
    FROM ${TABLES[t]} WHERE ${inRange(r)} GROUP BY ${KEYS}
    HAVING sum(cnt) <> 0 OR sum(amount_minor) <> 0 OR sum(fee_minor) <> 0`,
  // Aliases unlike any column: ClickHouse resolves aliases across the whole query.
  clickhouse: (t: RollupTable, r?: MinuteRange) => `SELECT ${KEYS}, sum(toDecimal128(cnt, 0)) AS sum_cnt,
      sum(toDecimal128(amount_minor, 0)) AS amount, sum(toDecimal128(fee_minor, 0)) AS fee
    FROM ${TABLES[t]} WHERE ${committedRows('clickhouse')} AND ${inRange(r)} GROUP BY ${KEYS}
    HAVING sum_cnt != toDecimal128(0, 0) OR amount != toDecimal128(0, 0) OR fee != toDecimal128(0, 0)`,
};

export async function rollupCells(b: StoreBackend, table: RollupTable, range?: MinuteRange): Promise<RollupCell[]> {
  return (await b.select(SQL[b.kind](table, range))).map((r) => ({
    minute: Number(r.minute), merchantKey: Number(r.merchant_key), countryKey: Number(r.country_key),
    cityKey: Number(r.city_key), currencyKey: Number(r.currency_key), methodKey: Number(r.method_key),
    providerKey: Number(r.provider_key), kind: Number(r.kind),
    cnt: BigInt((r.cnt ?? r.sum_cnt) as bigint), amountMinor: BigInt(r.amount as bigint), feeMinor: BigInt(r.fee as bigint),
  }));
}
