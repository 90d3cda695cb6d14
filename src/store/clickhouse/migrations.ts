// Numbered migrations of the ClickHouse analytics store. ClickHouse has no transactional DDL, so
// every statement is idempotent (IF NOT EXISTS, guarded inserts) and a migration's number is
// recorded in schema_migrations after its last statement: a migration cut short is rerun whole.
// Column names are those of the DuckDB store (../duckdb/migrations.ts), so one query reads both.
// Times are integers: occurred_at in epoch milliseconds (Int64), rollup buckets in epoch
// minutes (Int32); months of partitions are UTC months.
//
// Visibility (committed.ts): every table written by a batch carries batch_id, and a row counts
// only when batch_id <= the last batch in ingest_batches, whose row is written last.
//
// FX tables (the rule for their readers is in ../queries/fx.ts): each change is ONE insert into
// a table without partitions, which ClickHouse writes as one part, all or nothing. fx_rates is
// a ReplacingMergeTree by (currency, date) versioned by loaded_at (a reload replaces a date;
// readers take argMax by loaded_at); fx_effective rows carry the version of the rebuild that
// wrote them, and readers take the newest version.

import { randomUUID } from 'node:crypto';
import { CURRENCY_CODES, currencyExponent, currencyKey } from '../../reference/currencies.ts';
import type { ChConnection } from './connection.ts';
import { chString } from './clickhouse-literal.ts';
import { transactionBackfillSql } from '../queries/merchant-transaction-backfill.ts';
import { CUSTOM_MONTH, MINUTE_MONTH, msMonth } from './partitions.ts';
import { CUSTOM_TOTALS_DDL, TOTALS_MIGRATION, copyCustomTotals } from './custom-totals.ts';
import { compactRollups } from './compact-rollups.ts';
import { FX_LOOKUP_MIGRATION, fxLookupRebuild } from '../queries/fx.ts';
import { BY_CURRENCY_MIGRATION, makeByCurrency } from './by-currency.ts';


/**
 * The order keys of the rollup tables. Minute rows are read by short ranges (live, the last
 * hours, at most 31 days), network-wide as often as per merchant: time first. Hour and day rows
 * are read over months and years, and a merchant's token always filters by merchant: merchant
 * first, so a merchant's year is a few granules per month partition instead of the whole table
 * (the year of one merchant's hours, 10M events: 75 -> 29 ms), while a range without a merchant
 * still skips months by partition (30-day network queries: unchanged).
 */
const TIME_FIRST = 'minute, merchant_key, country_key, currency_key, kind, city_key, method_key, provider_key';
const MERCHANT_FIRST = 'merchant_key, minute, country_key, currency_key, kind, city_key, method_key, provider_key';
export const ROLLUP_ORDER = { rollup_minute: TIME_FIRST, rollup_hour: MERCHANT_FIRST, rollup_day: MERCHANT_FIRST } as const;
type RollupName = keyof typeof ROLLUP_ORDER;

const ROLLUP = (table: RollupName, name: string = table) => `CREATE TABLE IF NOT EXISTS ${name} (
  minute Int32, merchant_key Int32, country_key Int32, city_key Int32, currency_key Int32,
  method_key Int32, provider_key Int32, kind UInt8, cnt Int32, amount_minor Int64, fee_minor Int64,
  batch_id UInt32
) ENGINE = MergeTree PARTITION BY ${MINUTE_MONTH}
ORDER BY (${ROLLUP_ORDER[table]})`;

export interface Migration {
  version: number;
  name: string;
  /** Idempotent statements, or a procedure that can be cut short anywhere and run again. */
  statements?: () => string[];
  run?: (ch: ChConnection) => Promise<void>;
}

/** The migration that creates the writer lease's table: the ones after it run holding the lease. */
export const WRITER_LEASE_MIGRATION = 2;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'raw events, rollups, dictionary, batches, dead letters, currencies, fx, identity',
    statements: () => [
      // Sorted by merchant, then time: the event listing (a merchant's token always filters by
      // merchant; the newest first within a time range) reads a contiguous range, and a range
      // without a merchant still skips months by the partition's min/max of occurred_at. A lookup
      // by event_id scans that one column (no secondary index on 18.16); the state scan reads
      // everything anyway. event_id last makes the order total, as the listing's cursor is.
      `CREATE TABLE IF NOT EXISTS raw_events (
        event_id String, type UInt8, occurred_at Int64, offset_minutes Int16, entity_id String,
        txn_id Nullable(String), merchant_key Int32, country_key Int32, city_key Int32,
        currency_key Int32, method_key Int32, provider_key Int32, status UInt8,
        amount_minor Int64, fee_minor Int64, failure_reason Nullable(String),
        customer_id Nullable(String), reason Nullable(String), metadata Nullable(String),
        batch_id UInt32
      ) ENGINE = MergeTree PARTITION BY ${msMonth('occurred_at')}
      ORDER BY (merchant_key, occurred_at, event_id)`,
      // Rows are per batch (unique per key within it) and summed at read time: a summing engine
      // could merge an uncommitted batch's rows into committed ones, which recovery could then
      // no longer take out. The order keys are today's (ROLLUP_ORDER): a database created before
      // migration 4 had time first everywhere, and 4 re-sorts it.
      ROLLUP('rollup_minute'),
      ROLLUP('rollup_hour'),
      ROLLUP('rollup_day'),
      `CREATE TABLE IF NOT EXISTS dim_values (dim UInt8, key Int32, value String, batch_id UInt32)
      ENGINE = MergeTree ORDER BY (dim, key)`,
      // The commit marker of each batch, with the source's position after it.
      `CREATE TABLE IF NOT EXISTS ingest_batches (
        batch_id UInt32, committed_at Int64, source String, accepted Int32, duplicates Int32,
        rejected Int32, max_occurred_at Nullable(Int64), position Nullable(String)
      ) ENGINE = MergeTree ORDER BY batch_id`,
      `CREATE TABLE IF NOT EXISTS dead_letters (
        id Int64, received_at Int64, source String, batch_index Int32, code String, message String,
        event_id Nullable(String), payload String, payload_truncated UInt8, batch_id UInt32
      ) ENGINE = MergeTree PARTITION BY ${msMonth('received_at')} ORDER BY id`,
      // A replay's outcome is a row of its own (no cheap UPDATE in ClickHouse): the latest
      // committed row of an id is its state.
      `CREATE TABLE IF NOT EXISTS dead_letter_replays (id Int64, replayed_at Int64, replay_result String, batch_id UInt32)
      ENGINE = MergeTree ORDER BY id`,
      `CREATE TABLE IF NOT EXISTS currencies (currency_key Int32, code String, exponent Int32)
      ENGINE = MergeTree ORDER BY currency_key`,
      `CREATE TABLE IF NOT EXISTS fx_rates (
        date Date, currency String, usd_per_unit Float64, source String, loaded_at Int64
      ) ENGINE = ReplacingMergeTree(loaded_at) ORDER BY (currency, date)`,
      `CREATE TABLE IF NOT EXISTS fx_effective (currency_key Int32, day Int32, usd_per_minor Float64, version Int64)
      ENGINE = MergeTree ORDER BY (version, currency_key, day)`,
      // Readiness writes here; merges keep one row (every row has the same, empty, key).
      `CREATE TABLE IF NOT EXISTS write_probe (at Int64) ENGINE = ReplacingMergeTree(at) ORDER BY tuple()`,
      `CREATE TABLE IF NOT EXISTS store_identity (store_id String) ENGINE = MergeTree ORDER BY tuple()`,
      `INSERT INTO store_identity SELECT ${chString(randomUUID())} WHERE (SELECT count() FROM store_identity) = 0`,
    ],
  },
  {
    version: 2,
    name: 'the writer lease (one writing process per database)',
    statements: () => [
      // The latest row (by heartbeat) names the writer; an empty owner is a released lease.
      `CREATE TABLE IF NOT EXISTS writer_lease (owner String, heartbeat Int64)
      ENGINE = ReplacingMergeTree(heartbeat) ORDER BY tuple()`,
    ],
  },
  {
    version: 3,
    name: 'source positions: several per batch (one per Kafka partition)',
    statements: () => [
      // A batch's rows here are committed with it (its marker in ingest_batches); the latest
      // committed row of a source is where it stands. Plain MergeTree: a replacing engine could
      // let an uncommitted row displace a committed one before recovery takes it out.
      `CREATE TABLE IF NOT EXISTS source_positions (source String, position String, batch_id UInt32)
      ENGINE = MergeTree ORDER BY (source, batch_id)`,
      `INSERT INTO source_positions SELECT source, assumeNotNull(position), batch_id FROM ingest_batches
      WHERE position IS NOT NULL AND batch_id NOT IN (SELECT batch_id FROM source_positions)`,
    ],
  },
  {
    version: 4,
    name: 'hour and day rollups sorted by merchant first',
    run: async (ch) => {
      for (const table of ['rollup_hour', 'rollup_day'] as const) await resort(ch, table);
    },
  },
  {
    version: 5,
    name: 'custom events: raw, and rollups per grain (1, 60, 1440 minutes) with quantile and distinct-user sketch rows',
    // Written per batch like the payment tables (batch_id, the commit marker decides; rows summed
    // at read time). Partitions: months, and per grain for rollups, so that retention drops a
    // grain's whole months. Money sums are Int64 (sum_minor), never Float64.
    statements: () => [
      `CREATE TABLE IF NOT EXISTS custom_events (
        event_id String, event_type String, occurred_at Int64, user_id Nullable(String),
        session_id Nullable(String), properties String, definition_version Int32, fingerprint Int64,
        batch_id UInt32
      ) ENGINE = MergeTree PARTITION BY ${msMonth('occurred_at')} ORDER BY (event_type, occurred_at, event_id)`,
      `CREATE TABLE IF NOT EXISTS custom_rollup_stats (
        grain Int16, bucket Int32, event_type String, dims String, measure String, cnt Int64,
        sum_value Float64, min_value Float64, max_value Float64, sum_minor Int64, min_minor Int64,
        max_minor Int64, batch_id UInt32
      ) ENGINE = MergeTree PARTITION BY (grain, ${CUSTOM_MONTH}) ORDER BY (event_type, grain, measure, bucket, dims)`,
      `CREATE TABLE IF NOT EXISTS custom_rollup_bins (
        grain Int16, bucket Int32, event_type String, dims String, measure String, bin Int32, cnt Int64,
        batch_id UInt32
      ) ENGINE = MergeTree PARTITION BY (grain, ${CUSTOM_MONTH}) ORDER BY (event_type, grain, measure, bucket, dims, bin)`,
      `CREATE TABLE IF NOT EXISTS custom_rollup_users (
        grain Int16, bucket Int32, event_type String, dims String, register UInt16, rank UInt8, batch_id UInt32
      ) ENGINE = MergeTree PARTITION BY (grain, ${CUSTOM_MONTH}) ORDER BY (event_type, grain, bucket, dims, register)`,
    ],
  },
  {
    version: 6,
    name: 'merchant transactions: one row per transaction and batch that changed it (the portal\'s listing)',
    statements: () => [
      // Written by each batch like the rollups (batch_id, the commit rule) and read per key
      // (merchant, created_at, txn_id) with argMax by batch_id: exact before any merge. A plain
      // MergeTree, not a replacing one: a merge could let an uncommitted row displace the
      // committed one it supersedes before recovery takes it out. No partitions: a batch or the
      // backfill may span any number of months, and retention deletes by mutation.
      `CREATE TABLE IF NOT EXISTS merchant_transactions (
        merchant_key Int32, created_at Int64, txn_id String, updated_at Int64, status UInt8,
        amount_minor Int64, fee_minor Int64, currency_key Int32, country_key Int32, city_key Int32,
        method_key Int32, provider_key Int32, removed UInt8, batch_id UInt32
      ) ENGINE = MergeTree ORDER BY (merchant_key, created_at, txn_id)`,
      // Rerun after a cut-short run, it adds the same rows again: per key they are equal, and a
      // read takes one of them.
      transactionBackfillSql('clickhouse'),
    ],
  },
  {
    version: TOTALS_MIGRATION,
    name: 'custom event totals: hour and day rollups summed over every dimension tuple',
    // Filled from the committed rollup rows, then folded (custom-totals.ts): rerun whole if cut short.
    statements: () => CUSTOM_TOTALS_DDL,
    run: async (ch) => {
      await compactRollups(ch, await copyCustomTotals(ch));
    },
  },
  {
    version: FX_LOOKUP_MIGRATION,
    name: 'the FX rates in force as a Join table per version, for lookups by joinGet',
    // Rebuilt whole when rerun; until this is recorded, readers join fx_effective (rollup-aggregate.ts).
    run: async (ch) => {
      const statements = await fxLookupRebuild(async (sql) => Number((await ch.select(sql)).columns[0]?.[0] ?? 0));
      for (const sql of statements) await ch.command(sql);
    },
  },
  {
    version: BY_CURRENCY_MIGRATION,
    name: 'hour and day rollups per (minute, currency, kind), filled by materialized views, for network-wide answers',
    run: makeByCurrency,
  },
];

async function sortingKey(ch: ChConnection, table: string): Promise<string | null> {
  const a = await ch.select(`SELECT sorting_key FROM system.tables WHERE database = ${chString(ch.database)} AND name = ${chString(table)}`);
  return a.rowCount ? String(a.columns[0][0]) : null;
}

/**
 * Rebuilds a rollup table whose order key is not ROLLUP_ORDER's (18.16 cannot change an order
 * key in place): the rows are copied month by month into a new table (an insert may touch at
 * most 100 partitions), which then takes the old one's name. Run holding the writer lease, so
 * no batch is written meanwhile; each statement completes on the server even if this process
 * dies, and a rerun after a death at any point carries on from where it stopped. The cost is
 * one copy of the table (the first open of the 10M-event bench store took 6.9 s instead of
 * 0.2 s for both tables, 7M rows, at load 11).
 */
async function resort(ch: ChConnection, table: RollupName): Promise<void> {
  const next = `${table}_resort_new`;
  const old = `${table}_resort_old`;
  let key = await sortingKey(ch, table);
  // Died between the two renames (only a server dying inside RENAME leaves this).
  if (key === null && (await sortingKey(ch, old)) !== null) {
    await ch.command(`RENAME TABLE ${old} TO ${table}`);
    key = await sortingKey(ch, table);
  }
  if (key !== ROLLUP_ORDER[table]) {
    await ch.command(`DROP TABLE IF EXISTS ${next}`);
    await ch.command(ROLLUP(table, next));
    const months = await ch.select(`SELECT DISTINCT partition FROM system.parts
      WHERE database = ${chString(ch.database)} AND table = ${chString(table)} AND active`);
    for (const month of months.columns[0] ?? []) {
      const m = Number(month);
      if (!Number.isSafeInteger(m)) throw new Error(`${table}: unexpected partition ${String(month)}`);
      await ch.command(`INSERT INTO ${next} SELECT * FROM ${table} WHERE ${MINUTE_MONTH} = ${m}`);
    }
    await ch.command(`RENAME TABLE ${table} TO ${old}, ${next} TO ${table}`);
  }
  await ch.command(`DROP TABLE IF EXISTS ${old}`);
  // Compaction's side table must have the table's order key (REPLACE PARTITION): made anew.
  await ch.command(`DROP TABLE IF EXISTS ${table}_compact`);
}

/** Applies the migrations not yet recorded, in order, up to version `upTo`. */
export async function migrate(ch: ChConnection, upTo = Infinity): Promise<void> {
  await ch.command(`CREATE TABLE IF NOT EXISTS schema_migrations (version UInt32, name String, applied_at Int64)
    ENGINE = MergeTree ORDER BY version`);
  const done = new Set((await ch.select('SELECT version FROM schema_migrations')).columns[0].map(Number));
  // A store migrated by newer code has tables this code would not keep right (materialized
  // views' tables it does not recover or expire, lookups it does not rebuild): no writing to it.
  const latest = MIGRATIONS[MIGRATIONS.length - 1].version;
  const newest = Math.max(0, ...done);
  if (newest > latest) {
    throw new Error(`ClickHouse database ${ch.database} is at schema version ${newest}, newer than this code's ${latest}: run the newer version`);
  }
  for (const m of MIGRATIONS) {
    if (done.has(m.version) || m.version > upTo) continue;
    for (const sql of m.statements?.() ?? []) await ch.command(sql);
    await m.run?.(ch);
    await ch.command(`INSERT INTO schema_migrations VALUES (${m.version}, ${chString(m.name)}, ${Date.now()})`);
  }
}

/**
 * The currencies table mirrors the compiled ISO 4217 list (keys and exponents). The list only
 * grows, so new codes are added; a table that differs otherwise is rewritten (at open, before
 * anything reads it).
 */
export async function syncCurrencies(ch: ChConnection): Promise<void> {
  const want = new Map(CURRENCY_CODES.map((code) => [currencyKey(code), `${code}/${currencyExponent(code) ?? 2}`]));
  const have = new Map<number, string>();
  const answer = await ch.select('SELECT currency_key, code, exponent FROM currencies');
  for (let i = 0; i < answer.rowCount; i++) {
    have.set(Number(answer.columns[0][i]), `${answer.columns[1][i]}/${answer.columns[2][i]}`);
  }
  const stale = [...have].some(([key, v]) => want.get(key) !== v) || answer.rowCount !== have.size;
  if (stale) await ch.command('TRUNCATE TABLE currencies');
  const missing = [...want].filter(([key]) => stale || !have.has(key));
  if (missing.length === 0) return;
  const values = missing.map(([key, v]) => {
    const [code, exponent] = v.split('/');
    return `(${key}, ${chString(code)}, ${exponent})`;
  });
  await ch.command(`INSERT INTO currencies VALUES ${values.join(', ')}`);
}
