// The hour and day rollups summed over every dimension but currency and kind, per batch:
// rollup_hour_by_currency and rollup_day_by_currency, sorted by time. A network-wide answer
// (no merchant, country, city, method or provider in its filters or groups) reads them instead
// of rollup_hour/rollup_day: a day of the 10M-event bench set is about 180 rows there against
// 7,700, and a network-wide range of hours reads a short range of a time-first table instead of
// whole month partitions of a merchant-first one (docs/benchmarks.md, "Network answers").
//
// Materialized views fill them: each insert into rollup_hour or rollup_day (one block per
// batch) also inserts its rows summed per (minute, currency, kind), with the batch's id. So
// they follow the commit protocol like the tables they sum: a batch's rows count once its marker
// is written, recovery removes those of an uncommitted batch (commit-batch.ts, BATCH_TABLES),
// compaction folds them, retention expires them with the hour rows. Amounts are Decimal(38, 0):
// a sum over the network cannot wrap, where Int64 could.
//
// Compaction's side tables and migration 4's copies are other tables: no view fires for them.

import type { ChConnection } from './connection.ts';
import { chString } from './clickhouse-literal.ts';
import { LAST_COMMITTED_BATCH, migrationRecorded } from './committed.ts';
import { MINUTE_MONTH } from './partitions.ts';
import type { RollupTable } from '../query-shapes.ts';

/** The ClickHouse migration that makes and fills them (readers use them once it is recorded). */
export const BY_CURRENCY_MIGRATION = 9;

export const BY_CURRENCY_TABLES = ['rollup_hour_by_currency', 'rollup_day_by_currency'] as const;
export type ByCurrencyTable = (typeof BY_CURRENCY_TABLES)[number];
/** Each one's source: the table whose inserts fill it. */
export const BY_CURRENCY_SOURCE: Record<ByCurrencyTable, 'rollup_hour' | 'rollup_day'> = {
  rollup_hour_by_currency: 'rollup_hour', rollup_day_by_currency: 'rollup_day',
};
export const BY_CURRENCY_KEYS = 'minute, currency_key, kind';

/** The sums of a rollup table, if it has any (hour and day). */
export function byCurrencyOf(table: RollupTable): ByCurrencyTable | null {
  return BY_CURRENCY_TABLES.find((t) => BY_CURRENCY_SOURCE[t] === `rollup_${table}`) ?? null;
}

/**
 * One row: `last`, the last committed batch, the cut at which the sums and their sources are
 * compared (verify) or mended; `made`, 0 until migration 9 is recorded (nothing reads them then).
 */
export const BY_CURRENCY_CUT = `SELECT toUInt64(${LAST_COMMITTED_BATCH}) AS last, ${migrationRecorded(BY_CURRENCY_MIGRATION)} AS made`;

const view = (table: ByCurrencyTable) => `${table}_mv`;
const table = (name: ByCurrencyTable) => `CREATE TABLE IF NOT EXISTS ${name} (
  minute Int32, currency_key Int32, kind UInt8, cnt Int64, amount_minor Decimal(38, 0), fee_minor Decimal(38, 0), batch_id UInt32
) ENGINE = MergeTree PARTITION BY ${MINUTE_MONTH} ORDER BY (${BY_CURRENCY_KEYS})`;
/** Each summed column and its sum. */
const SUMS = [['cnt', 'sum(toInt64(cnt))'], ['amount_minor', 'sum(toDecimal128(amount_minor, 0))'], ['fee_minor', 'sum(toDecimal128(fee_minor, 0))']] as const;
const COLUMNS = `${BY_CURRENCY_KEYS}, cnt, amount_minor, fee_minor, batch_id`;

/**
 * Migration 9: the tables, filled from the committed rows of their sources one month at a time
 * (an insert may touch at most 100 partitions), then the views. Run by the writer before any
 * batch; rerun whole if cut short (the views are dropped and the tables emptied first), and
 * recorded last, so a reader never uses half-filled tables. Copied rows take batch 0, as folded
 * rows do (compact-rollups.ts): they hold committed rows only.
 */
export async function makeByCurrency(ch: ChConnection): Promise<void> {
  // One cut for every month and both tables.
  const last = Number((await ch.select(`SELECT toUInt64(${LAST_COMMITTED_BATCH})`)).columns[0][0]);
  for (const name of BY_CURRENCY_TABLES) {
    await ch.command(`DROP TABLE IF EXISTS ${view(name)}`);
    await ch.command(table(name));
    await ch.command(`TRUNCATE TABLE ${name}`);
    const months = await ch.select(`SELECT DISTINCT partition FROM system.parts
      WHERE database = ${chString(ch.database)} AND table = ${chString(BY_CURRENCY_SOURCE[name])} AND active`);
    for (const text of months.columns[0] ?? []) {
      const month = Number(text);
      if (!Number.isSafeInteger(month)) throw new Error(`${BY_CURRENCY_SOURCE[name]}: unexpected partition ${String(text)}`);
      // No aliases: ClickHouse's are global, and `toUInt32(0) AS batch_id` would change the WHERE.
      await ch.command(`INSERT INTO ${name} (${COLUMNS}) SELECT ${BY_CURRENCY_KEYS}, ${SUMS.map(([, sum]) => sum).join(', ')}, toUInt32(0)
        FROM ${BY_CURRENCY_SOURCE[name]} WHERE ${MINUTE_MONTH} = ${month} AND batch_id <= ${last} GROUP BY ${BY_CURRENCY_KEYS}`);
    }
    // A view's rows go to the target's columns by name: each sum is named after its column
    // (which 18.16 and later releases accept in an aggregate's alias).
    await ch.command(`CREATE MATERIALIZED VIEW ${view(name)} TO ${name} AS SELECT ${BY_CURRENCY_KEYS},
      ${SUMS.map(([column, sum]) => `${sum} AS ${column}`).join(', ')}, batch_id
      FROM ${BY_CURRENCY_SOURCE[name]} GROUP BY ${BY_CURRENCY_KEYS}, batch_id`);
  }
}
