// The minute rollups of the live window (the last hour), summed per minute, merchant, country,
// city, currency and kind: what the in-memory window starts from before commits stream in, and
// the last batch it holds — so a window seeded again while commits stream in (a reader that
// missed commits of the feed) applies exactly the commits after it.

import type { StoreBackend } from '../backend.ts';
import { sqlInt } from '../sql-literal.ts';
import { LAST_COMMITTED_BATCH } from '../clickhouse/committed.ts';

export interface LiveSeed {
  /** Every committed batch up to this one is in the seed, and none after it. */
  batchId: number;
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
  // One statement reads one snapshot: the rows and the last batch they hold agree.
  duckdb: (from: number) => `SELECT ${KEYS}, sum(cnt)::INTEGER AS cnt, sum(amount_minor)::BIGINT AS amount_minor,
      (SELECT coalesce(max(batch_id), 0) FROM ingest_batches)::BIGINT AS upto
    FROM rollup_minute WHERE minute >= ${sqlInt(from)} GROUP BY ${KEYS}`,
  // No snapshot across statements: the last committed batch is read first and the rows bounded by
  // it (a batch's rows are all written before its marker). sum(Int64) wraps silently on
  // ClickHouse: summed as Decimal128, exact (docs/clickhouse.md).
  clickhouse: (from: number, upTo: number) => `SELECT ${KEYS}, toInt32(sum(cnt)) AS cnt, sum(toDecimal128(amount_minor, 0)) AS amount_minor
    FROM rollup_minute WHERE minute >= ${sqlInt(from)} AND batch_id <= ${sqlInt(upTo)} GROUP BY ${KEYS}`,
  lastBatch: {
    duckdb: 'SELECT coalesce(max(batch_id), 0)::BIGINT AS upto FROM ingest_batches',
    clickhouse: `SELECT toInt64(${LAST_COMMITTED_BATCH}) AS upto`,
  },
};

export async function liveSeed(b: StoreBackend, fromMinute: number): Promise<LiveSeed> {
  // On DuckDB an empty window has no row to carry its batch: the last batch read before is as
  // good (a batch committed since wrote no minute of the window, or its rows would be there).
  const [last] = await b.select(SQL.lastBatch[b.kind]);
  const upTo = Number(last?.upto ?? 0);
  const { names, columns, rowCount } = await b.selectColumns(b.kind === 'clickhouse' ? SQL.clickhouse(fromMinute, upTo) : SQL.duckdb(fromMinute));
  const col = (n: string) => (rowCount === 0 ? [] : columns[names.indexOf(n)]);
  const fill = <T extends Int32Array | Uint8Array | BigInt64Array>(out: T, name: string, of: (v: unknown) => number | bigint): T => {
    col(name).forEach((v, i) => { (out as unknown as Array<number | bigint>)[i] = of(v); });
    return out;
  };
  return {
    batchId: b.kind === 'duckdb' && rowCount > 0 ? Number(col('upto')[0]) : upTo,
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
