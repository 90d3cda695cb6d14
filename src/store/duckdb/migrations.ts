// Numbered, idempotent migrations of the embedded analytics store. A migration runs once, in
// order, and its number is recorded in schema_migrations in the same transaction.
// Times are integers: occurred_at in epoch milliseconds, rollup buckets in epoch minutes.

import { transactionBackfillSql } from '../queries/merchant-transaction-backfill.ts';
import { CUSTOM_TOTALS_DDL, foldCustomTotalsSql } from './custom-totals.ts';

export const MIGRATIONS: ReadonlyArray<{ version: number; name: string; sql: string }> = [
  {
    version: 1,
    name: 'raw events, rollups, dictionary, dead letters, offsets, fx',
    sql: `
CREATE TABLE raw_events (
  event_id VARCHAR NOT NULL,
  type UTINYINT NOT NULL,
  occurred_at BIGINT NOT NULL,
  offset_minutes SMALLINT NOT NULL,
  entity_id VARCHAR NOT NULL,
  txn_id VARCHAR,
  merchant_key INTEGER NOT NULL,
  country_key INTEGER NOT NULL,
  city_key INTEGER NOT NULL,
  currency_key INTEGER NOT NULL,
  method_key INTEGER NOT NULL,
  provider_key INTEGER NOT NULL,
  status UTINYINT NOT NULL,
  amount_minor BIGINT NOT NULL,
  fee_minor BIGINT NOT NULL,
  failure_reason VARCHAR,
  customer_id VARCHAR,
  reason VARCHAR,
  metadata VARCHAR,
  fingerprint UINTEGER NOT NULL,
  batch_id INTEGER NOT NULL
);
CREATE TABLE rollup_minute (
  minute INTEGER NOT NULL, merchant_key INTEGER NOT NULL, country_key INTEGER NOT NULL,
  city_key INTEGER NOT NULL, currency_key INTEGER NOT NULL, method_key INTEGER NOT NULL,
  provider_key INTEGER NOT NULL, kind UTINYINT NOT NULL,
  cnt INTEGER NOT NULL, amount_minor BIGINT NOT NULL, fee_minor BIGINT NOT NULL
);
CREATE TABLE rollup_hour AS SELECT * FROM rollup_minute WITH NO DATA;
CREATE TABLE rollup_day AS SELECT * FROM rollup_minute WITH NO DATA;
CREATE TABLE dim_values (dim UTINYINT NOT NULL, key INTEGER NOT NULL, value VARCHAR NOT NULL);
CREATE TABLE ingest_batches (
  batch_id INTEGER NOT NULL, committed_at BIGINT NOT NULL, source VARCHAR NOT NULL,
  accepted INTEGER NOT NULL, duplicates INTEGER NOT NULL, rejected INTEGER NOT NULL,
  max_occurred_at BIGINT
);
CREATE TABLE source_positions (source VARCHAR PRIMARY KEY, position VARCHAR NOT NULL, updated_at BIGINT NOT NULL);
CREATE TABLE dead_letters (
  id BIGINT NOT NULL, received_at BIGINT NOT NULL, source VARCHAR NOT NULL, batch_index INTEGER NOT NULL,
  code VARCHAR NOT NULL, message VARCHAR NOT NULL, event_id VARCHAR, payload VARCHAR NOT NULL,
  payload_truncated BOOLEAN NOT NULL, replayed_at BIGINT, replay_result VARCHAR
);
CREATE TABLE fx_rates (
  date DATE NOT NULL, currency VARCHAR NOT NULL, usd_per_unit DOUBLE NOT NULL,
  source VARCHAR NOT NULL, loaded_at BIGINT NOT NULL
);
CREATE TABLE currencies (currency_key INTEGER NOT NULL, code VARCHAR NOT NULL, exponent INTEGER NOT NULL);
CREATE TABLE fx_effective (currency_key INTEGER NOT NULL, day INTEGER NOT NULL, usd_per_minor DOUBLE NOT NULL);
`,
  },
  {
    version: 2,
    name: 'store identity (ties state snapshots to this store)',
    sql: `CREATE TABLE store_identity (store_id VARCHAR NOT NULL); INSERT INTO store_identity SELECT uuid()::VARCHAR;`,
  },
  {
    version: 3,
    name: 'raw events without the stored fingerprint (recomputed from the row when state is rebuilt)',
    sql: `ALTER TABLE raw_events DROP COLUMN fingerprint;`,
  },
  {
    version: 4,
    name: 'custom events: raw, and rollups per grain (1, 60, 1440 minutes) with quantile and distinct-user sketch rows',
    sql: `
CREATE TABLE custom_events (
  event_id VARCHAR NOT NULL, event_type VARCHAR NOT NULL, occurred_at BIGINT NOT NULL,
  user_id VARCHAR, session_id VARCHAR, properties VARCHAR NOT NULL,
  definition_version INTEGER NOT NULL, fingerprint BIGINT NOT NULL, batch_id INTEGER NOT NULL
);
CREATE TABLE custom_rollup_stats (
  grain SMALLINT NOT NULL, bucket INTEGER NOT NULL, event_type VARCHAR NOT NULL, dims VARCHAR NOT NULL,
  measure VARCHAR NOT NULL, cnt BIGINT NOT NULL, sum_value DOUBLE NOT NULL, min_value DOUBLE NOT NULL,
  max_value DOUBLE NOT NULL, sum_minor BIGINT NOT NULL, min_minor BIGINT NOT NULL, max_minor BIGINT NOT NULL,
  batch_id INTEGER NOT NULL
);
CREATE TABLE custom_rollup_bins (
  grain SMALLINT NOT NULL, bucket INTEGER NOT NULL, event_type VARCHAR NOT NULL, dims VARCHAR NOT NULL,
  measure VARCHAR NOT NULL, bin INTEGER NOT NULL, cnt BIGINT NOT NULL, batch_id INTEGER NOT NULL
);
CREATE TABLE custom_rollup_users (
  grain SMALLINT NOT NULL, bucket INTEGER NOT NULL, event_type VARCHAR NOT NULL, dims VARCHAR NOT NULL,
  register SMALLINT NOT NULL, rank UTINYINT NOT NULL, batch_id INTEGER NOT NULL
);
`,
  },
  {
    version: 5,
    name: 'merchant transactions: one row per transaction and batch that changed it (the portal\'s listing)',
    sql: `
CREATE TABLE merchant_transactions (
  merchant_key INTEGER NOT NULL, created_at BIGINT NOT NULL, txn_id VARCHAR NOT NULL, updated_at BIGINT NOT NULL,
  status UTINYINT NOT NULL, amount_minor BIGINT NOT NULL, fee_minor BIGINT NOT NULL, currency_key INTEGER NOT NULL,
  country_key INTEGER NOT NULL, city_key INTEGER NOT NULL, method_key INTEGER NOT NULL, provider_key INTEGER NOT NULL,
  removed UTINYINT NOT NULL, batch_id INTEGER NOT NULL
);
${transactionBackfillSql('duckdb')} ORDER BY 1, 2, 3;`,
  },
  {
    version: 6,
    name: 'custom events: hour and day totals over every dimension tuple (custom-totals.ts), folded from the rollups',
    sql: `${CUSTOM_TOTALS_DDL}\n${foldCustomTotalsSql(null).join(';\n')};`,
  },
];
