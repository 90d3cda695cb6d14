// The minute rollups of the live window (the last hour), summed per minute, merchant, country,
// city, currency and kind: what the in-memory window starts from before commits stream in.

import type { StoreBackend } from '../backend.ts';
import { sqlInt } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export interface LiveSeed {
  count: number;
  minute: Int32Array;
  merchantKey: Int32Array;
  countryKey: Int32Array;
  cityKey: Int32Array;
  currencyKey: Int32Array;
  kind: Uint8Array;
  cnt: Int32Array;
  amountMinor: BigInt64Array;
}

const KEYS = 'minute, merchant_key, country_key, city_key, currency_key, kind';

const SQL = {
  duckdb: (from: number) => `SELECT ${KEYS}, sum(cnt)::INTEGER AS cnt, sum(amount_minor)::BIGINT AS amount_minor
    FROM rollup_minute WHERE minute >= ${sqlInt(from)} GROUP BY ${KEYS}`,
  // sum(Int64) wraps silently on ClickHouse: summed as Decimal128, exact (docs/clickhouse.md).
  clickhouse: (from: number) => `SELECT ${KEYS}, toInt32(sum(cnt)) AS cnt, sum(toDecimal128(amount_minor, 0)) AS amount_minor
    FROM rollup_minute WHERE minute >= ${sqlInt(from)} AND ${committedRows('clickhouse')} GROUP BY ${KEYS}`,
};

export async function liveSeed(b: StoreBackend, fromMinute: number): Promise<LiveSeed> {
  const { names, columns, rowCount } = await b.selectColumns(SQL[b.kind](fromMinute));
  const col = (n: string) => (rowCount === 0 ? [] : columns[names.indexOf(n)]);
  const fill = <T extends Int32Array | Uint8Array | BigInt64Array>(out: T, name: string, of: (v: unknown) => number | bigint): T => {
    col(name).forEach((v, i) => { (out as unknown as Array<number | bigint>)[i] = of(v); });
    return out;
  };
  return {
    count: rowCount,
    minute: fill(new Int32Array(rowCount), 'minute', Number),
    merchantKey: fill(new Int32Array(rowCount), 'merchant_key', Number),
    countryKey: fill(new Int32Array(rowCount), 'country_key', Number),
    cityKey: fill(new Int32Array(rowCount), 'city_key', Number),
    currencyKey: fill(new Int32Array(rowCount), 'currency_key', Number),
    kind: fill(new Uint8Array(rowCount), 'kind', Number),
    cnt: fill(new Int32Array(rowCount), 'cnt', Number),
    amountMinor: fill(new BigInt64Array(rowCount), 'amount_minor', (v) => BigInt(v as bigint)),
  };
}
