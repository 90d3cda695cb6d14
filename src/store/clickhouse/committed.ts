// What a reader of the ClickHouse store may count. ClickHouse has no transaction across tables,
// so a batch is written table by table (commit-batch.ts) and its `ingest_batches` row, written
// last, is the commit marker. Readers apply these fragments; nothing else makes a row visible.

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
 * The FX version in force (0 when none was ever completed): fx_rates and fx_effective rows
 * count only with `version = ${FX_CURRENT_VERSION}` (rule at the top of migrations.ts).
 */
export const FX_CURRENT_VERSION = '(SELECT max(version) FROM fx_versions)';

/**
 * The version a new FX replacement writes: above every version any FX table holds, complete or
 * not (18.16's greatest takes two arguments).
 */
export const FX_NEXT_VERSION = `(SELECT 1 + greatest((SELECT max(version) FROM fx_versions),
  greatest((SELECT max(version) FROM fx_rates), (SELECT max(version) FROM fx_effective))))`;
