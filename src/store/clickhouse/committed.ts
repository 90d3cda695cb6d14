// What a reader of the ClickHouse store may count. ClickHouse has no transaction across tables,
// so a batch is written table by table (commit-batch.ts) and its `ingest_batches` row, written
// last, is the commit marker. Readers apply these fragments; nothing else makes a row visible.

import { sqlInt } from '../sql-literal.ts';

/** The last committed batch (0 when none): every row of a later batch is not (yet) committed. */
export const LAST_COMMITTED_BATCH = '(SELECT max(batch_id) FROM ingest_batches)';

/**
 * The visibility rule, for any table with a batch_id column (raw_events, rollup_minute/hour/day,
 * dim_values, dead_letters, dead_letter_replays): `WHERE ${COMMITTED}`. Inside a join, qualify
 * it yourself: `r.batch_id <= ${LAST_COMMITTED_BATCH}`.
 *
 * Sound because rows above the last commit are removed (recover.ts) before any later batch
 * commits: a batch id is reused after a failure, never trusted.
 */
export const COMMITTED = `batch_id <= ${LAST_COMMITTED_BATCH}`;

/**
 * 1 once a migration is recorded, else 0. A reader uses what a migration makes (tables it fills
 * while readers run) only once it is recorded: migrations record themselves last.
 */
export const migrationRecorded = (version: number): string => `(SELECT count() FROM schema_migrations WHERE version = ${sqlInt(version)})`;
