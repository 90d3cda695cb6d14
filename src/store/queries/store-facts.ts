// What operations and tests ask of the store as a whole: the schema version its migrations
// reached, a durable write (readiness), and row counts of what it holds.

import type { StoreBackend } from '../backend.ts';
import { sqlInt } from '../sql-literal.ts';
import { committedRows } from './committed-rows.ts';

export interface StoreCounts {
  rawEvents: number;
  /** Distinct event ids among raw events (equal to rawEvents: an event is stored once). */
  distinctEventIds: number;
  /** Sum of raw amounts, minor units of mixed currencies: a checksum, not a figure. */
  rawAmountMinor: bigint;
  batches: number;
  deadLetters: number;
  fxRates: number;
  /** Rows stored per rollup table (delta rows: a cell may have several). */
  rollupRows: { minute: number; hour: number; day: number };
}

const SQL = {
  schemaVersion: {
    duckdb: 'SELECT coalesce(max(version), 0) AS version FROM schema_migrations',
    clickhouse: 'SELECT max(version) AS version FROM schema_migrations',
  },
  probe: {
    duckdb: (now: number) => [`CREATE OR REPLACE TABLE write_probe AS SELECT ${sqlInt(now)}::BIGINT AS at`],
    clickhouse: (now: number) => [`INSERT INTO write_probe (at) VALUES (${sqlInt(now)})`],
  },
  // 18.16 refuses a Decimal scalar subquery: the exact sum is a query of its own there.
  amount: `SELECT sum(toDecimal128(amount_minor, 0)) AS amount FROM raw_events WHERE ${committedRows('clickhouse')}`,
  counts: {
    duckdb: `SELECT
      (SELECT count(*) FROM raw_events) AS raw,
      (SELECT count(DISTINCT event_id) FROM raw_events) AS ids,
      (SELECT coalesce(sum(amount_minor), 0) FROM raw_events) AS amount,
      (SELECT count(*) FROM ingest_batches) AS batches,
      (SELECT count(*) FROM dead_letters) AS dead,
      (SELECT count(*) FROM fx_rates) AS fx,
      (SELECT count(*) FROM rollup_minute) AS minute,
      (SELECT count(*) FROM rollup_hour) AS hour,
      (SELECT count(*) FROM rollup_day) AS day`,
    clickhouse: `SELECT
      (SELECT count() FROM raw_events WHERE ${committedRows('clickhouse')}) AS raw,
      (SELECT uniqExact(event_id) FROM raw_events WHERE ${committedRows('clickhouse')}) AS ids,
      (SELECT count() FROM ingest_batches) AS batches,
      (SELECT count() FROM dead_letters WHERE ${committedRows('clickhouse')}) AS dead,
      (SELECT uniqExact(date, currency) FROM fx_rates) AS fx,
      (SELECT count() FROM rollup_minute WHERE ${committedRows('clickhouse')}) AS minute,
      (SELECT count() FROM rollup_hour WHERE ${committedRows('clickhouse')}) AS hour,
      (SELECT count() FROM rollup_day WHERE ${committedRows('clickhouse')}) AS day`,
  },
};

export async function schemaVersion(b: StoreBackend): Promise<number> {
  const [r] = await b.select(SQL.schemaVersion[b.kind]);
  return Number(r?.version ?? 0);
}

/** A small durable write through the writer: after a failed commit, tells whether writes go through again. */
export async function probeWrite(b: StoreBackend, now: number): Promise<void> {
  await b.exec(SQL.probe[b.kind](Math.trunc(now)));
}

export async function storeCounts(b: StoreBackend): Promise<StoreCounts> {
  const [[r], amount] = await Promise.all([
    b.select(SQL.counts[b.kind]),
    b.kind === 'clickhouse' ? b.select(SQL.amount).then(([x]) => x.amount) : Promise.resolve(null),
  ]);
  if (amount !== null) r.amount = amount;
  return {
    rawEvents: Number(r.raw), distinctEventIds: Number(r.ids), rawAmountMinor: BigInt(r.amount as bigint),
    batches: Number(r.batches), deadLetters: Number(r.dead), fxRates: Number(r.fx),
    rollupRows: { minute: Number(r.minute), hour: Number(r.hour), day: Number(r.day) },
  };
}
