// FX tables: the rates as loaded (fx_rates) and the rate in force per currency and UTC day
// (fx_effective, computed by fx/fx-effective.ts, joined by the aggregate queries).
//
// DuckDB replaces rows inside one transaction. ClickHouse has none, so each change is ONE insert
// into a table without partitions, which ClickHouse writes as one part, all or nothing:
// - fx_rates is a ReplacingMergeTree by (currency, date) versioned by loaded_at: a reload of a
//   date replaces it; readers take the latest load of each (argMax), merged or not;
// - fx_effective rows carry the version of the rebuild that wrote them (one more than any before);
//   readers take the rows of the newest version, and older versions are deleted afterwards (a
//   mutation, which may lag: readers never see them);
// - each version's rates are also a Join-engine table, fx_usd_v<version>, written before the
//   version's fx_effective rows: the aggregates look a row's rate up in it (joinGet) instead of
//   building a join's right side for every query (docs/benchmarks.md, "FX by lookup").

import type { Append, AppendColumn, StoreBackend } from '../backend.ts';
import type { EffectiveRates, StoredRate } from '../../fx/fx-effective.ts';
import { sqlInt, sqlString } from '../sql-literal.ts';

export interface FxRateFilter {
  currency?: string;
  /** YYYY-MM-DD, inclusive */
  from?: string;
  to?: string;
  limit: number;
}

export interface FxRateRow extends StoredRate {
  source: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const CODE = /^[A-Z]{3}$/;

function dateLiteral(d: string): string {
  if (!DATE.test(d)) throw new TypeError(`not a date: ${d}`);
  return `'${d}'`;
}

function rateConditions(f: Omit<FxRateFilter, 'limit'>, kind: 'duckdb' | 'clickhouse'): string {
  const where = ['1 = 1'];
  if (f.currency !== undefined) {
    if (!CODE.test(f.currency)) throw new TypeError(`not a currency code: ${f.currency}`);
    where.push(`currency = ${sqlString(f.currency, kind)}`);
  }
  const date = kind === 'duckdb' ? (d: string) => `DATE ${dateLiteral(d)}` : (d: string) => `toDate(${dateLiteral(d)})`;
  if (f.from !== undefined) where.push(`date >= ${date(f.from)}`);
  if (f.to !== undefined) where.push(`date <= ${date(f.to)}`);
  return where.join(' AND ');
}

// The latest load of each (currency, date), whether or not ClickHouse has merged the table yet.
const chRates = (where: string) => `(SELECT date, currency, argMax(usd_per_unit, loaded_at) AS rate, argMax(source, loaded_at) AS src
  FROM fx_rates WHERE ${where} GROUP BY date, currency)`;
// LIMIT 1 BY: one row per key even if a version were ever written twice (the join would then
// count every rollup row twice). The days [from, to] only: a join builds its right side whole
// for every query, and the table holds every day since 1970 (41,559 rows for the sample rates:
// 10-20 ms of each aggregate at 10M events, docs/benchmarks.md).
// The version is read at query time: an older one may be deleted by then.
const chEffective = (from: number, to: number) => `(SELECT currency_key, day, usd_per_minor FROM fx_effective
  WHERE version = (SELECT max(version) FROM fx_effective) AND day BETWEEN ${sqlInt(from)} AND ${sqlInt(to)}
  LIMIT 1 BY currency_key, day)`;

/**
 * The lookup key of a (currency_key, day): days are below FX_KEY_DAYS (event and rate dates end
 * by 2200, day 84,006), so distinct pairs get distinct keys. joinGet takes one key column on 18.16.
 */
const FX_KEY_DAYS = 100_000;
/** The ClickHouse migration that makes the lookup tables (readers join fx_effective until it is recorded). */
export const FX_LOOKUP_MIGRATION = 8;
const FX_LOOKUP_PREFIX = 'fx_usd_v';
const fxLookupTable = (version: number) => `${FX_LOOKUP_PREFIX}${sqlInt(version)}`;
/** Lookup tables kept: the newest version's and the two before it. */
const FX_LOOKUP_KEPT = 3;
const fxLookupDdl = (version: number) => [
  `DROP TABLE IF EXISTS ${fxLookupTable(version)}`,
  `CREATE TABLE ${fxLookupTable(version)} (k Int64, usd_per_minor Float64) ENGINE = Join(ANY, LEFT, k)`,
];

/**
 * ClickHouse: the rate of a row's (currency_key, day) under an fx_effective version, as an
 * expression over those two columns; 0 where there is none (rates are positive: fx-rates.ts).
 * Version 0: no rates were ever loaded.
 */
export function fxRateLookup(version: number): string {
  // ifNull: a later release gives a Join table the join_use_nulls in force at its creation (1,
  // query-settings.ts), and then joinGet answers NULL for a missing key; 18.16 answers 0.
  return version > 0
    ? `ifNull(joinGet('${fxLookupTable(version)}', 'usd_per_minor', toInt64(currency_key) * ${FX_KEY_DAYS} + day), 0)`
    : 'toFloat64(0)';
}

/** The statements that (re)build the lookup table of the newest fx_effective version, if any. */
export async function fxLookupRebuild(select: (sql: string) => Promise<number>): Promise<string[]> {
  const version = await select(SQL.lastEffectiveVersion);
  if (version === 0) return [];
  return [...fxLookupDdl(version), `INSERT INTO ${fxLookupTable(version)}
    SELECT toInt64(currency_key) * ${FX_KEY_DAYS} + day, usd_per_minor FROM fx_effective
    WHERE version = ${sqlInt(version)} LIMIT 1 BY currency_key, day`];
}

/** One part, all or nothing: an insert below max_insert_block_size (1,048,576 rows by default). */
const MAX_EFFECTIVE_ROWS = 1_000_000;
/** Rebuilds of one backend, one after the other (each reads the last version, then writes the next). */
const rebuilding = new WeakMap<StoreBackend, Promise<unknown>>();

const SQL = {
  list: {
    duckdb: (f: FxRateFilter) => `SELECT strftime(date, '%Y-%m-%d') AS date, currency, usd_per_unit, source FROM fx_rates
      WHERE ${rateConditions(f, 'duckdb')} ORDER BY date DESC, currency LIMIT ${sqlInt(f.limit)}`,
    // YYYY-MM-DD text sorts as the dates do.
    clickhouse: (f: FxRateFilter) => `SELECT toString(date) AS day_text, currency, rate AS usd_per_unit, src AS source
      FROM ${chRates(rateConditions(f, 'clickhouse'))} ORDER BY day_text DESC, currency LIMIT ${sqlInt(f.limit)}`,
  },
  count: {
    duckdb: () => 'SELECT count(*) AS n FROM fx_rates',
    clickhouse: () => `SELECT count() AS n FROM ${chRates('1 = 1')}`,
  },
  save: {
    // The new rows land in a temporary table, replace their (date, currency) and are copied over.
    duckdb: (rows: Append) => [
      'CREATE OR REPLACE TEMP TABLE fx_new (date VARCHAR, currency VARCHAR, usd_per_unit DOUBLE, source VARCHAR, loaded_at BIGINT)',
      { ...rows, table: 'fx_new' },
      'DELETE FROM fx_rates WHERE EXISTS (SELECT 1 FROM fx_new n WHERE CAST(n.date AS DATE) = fx_rates.date AND n.currency = fx_rates.currency)',
      'INSERT INTO fx_rates SELECT CAST(date AS DATE), currency, usd_per_unit, source, loaded_at FROM fx_new',
      'DROP TABLE fx_new',
    ],
    clickhouse: (rows: Append) => [rows],
  },
  effective: {
    duckdb: (from: number, to: number) => `SELECT currency_key, day, usd_per_minor FROM fx_effective
      WHERE day BETWEEN ${sqlInt(from)} AND ${sqlInt(to)}`,
    clickhouse: (from: number, to: number) => `SELECT currency_key, day, usd_per_minor FROM ${chEffective(from, to)}`,
  },
  lastEffectiveVersion: 'SELECT max(version) AS v FROM fx_effective',
  lookupExists: (version: number) => `SELECT count() AS n FROM system.tables
    WHERE database = currentDatabase() AND name = '${fxLookupTable(version)}'`,
  /** A version's rows, each with what its lookup table answers for it. */
  versionRows: (version: number) => `SELECT currency_key, day, usd_per_minor, ${fxRateLookup(version)} AS looked
    FROM fx_effective WHERE version = ${sqlInt(version)}`,
  replaceEffective: {
    duckdb: (rows: Append) => ['DELETE FROM fx_effective', rows],
    clickhouse: (rows: Append, version: number) => [rows, `ALTER TABLE fx_effective DELETE WHERE version < ${sqlInt(version)}`],
  },
};

/** The rates in force on UTC days [from, to] (epoch days), one row per (currency_key, day), for a join. */
export { chEffective as fxEffectiveClickHouse };

export async function fxRates(b: StoreBackend, f: FxRateFilter): Promise<FxRateRow[]> {
  return (await b.select(SQL.list[b.kind](f))).map((r) => ({
    date: String(r.date ?? r.day_text), currency: String(r.currency), usdPerUnit: Number(r.usd_per_unit), source: String(r.source),
  }));
}

export async function fxRateCount(b: StoreBackend): Promise<number> {
  const [r] = await b.select(SQL.count[b.kind]());
  return Number(r.n);
}

/** Adds rates, replacing those of the same (date, currency). */
export async function saveFxRates(b: StoreBackend, rates: readonly StoredRate[], source: string, loadedAt: number): Promise<void> {
  if (rates.length === 0) return;
  for (const r of rates) {
    if (!DATE.test(r.date) || !CODE.test(r.currency) || !Number.isFinite(r.usdPerUnit)) throw new TypeError(`not a rate: ${JSON.stringify(r)}`);
  }
  const rows: Append = {
    table: 'fx_rates',
    columns: [
      { name: 'date', type: 'text', values: rates.map((r) => r.date) },
      { name: 'currency', type: 'text', values: rates.map((r) => r.currency) },
      { name: 'usd_per_unit', type: 'float64', values: Float64Array.from(rates, (r) => r.usdPerUnit) },
      { name: 'source', type: 'text', values: rates.map(() => source.slice(0, 200)) },
      { name: 'loaded_at', type: 'int64', values: new BigInt64Array(rates.length).fill(BigInt(loadedAt)) },
    ],
  };
  await b.write(SQL.save[b.kind](rows));
}

/** Replaces the whole per-day table. */
export async function replaceFxEffective(b: StoreBackend, rows: EffectiveRates): Promise<void> {
  const columns: AppendColumn[] = [
    { name: 'currency_key', type: 'int32', values: rows.currencyKey },
    { name: 'day', type: 'int32', values: rows.day },
    { name: 'usd_per_minor', type: 'float64', values: rows.usdPerMinor },
  ];
  if (b.kind === 'duckdb') return b.write(SQL.replaceEffective.duckdb({ table: 'fx_effective', columns }));
  if (rows.count > MAX_EFFECTIVE_ROWS) {
    throw new Error(`the per-day FX table would hold ${rows.count} rows; at most ${MAX_EFFECTIVE_ROWS} are written as one part`);
  }
  // Strictly above every version written (a clock could repeat or go back), read and written
  // with no other rebuild in between: two rebuilds under one version would both be read.
  const run = async () => {
    const [{ v }] = await b.select(SQL.lastEffectiveVersion);
    // Each writer's start rebuilds the table: when nothing changed, the version in force stays.
    if (Number(v) > 0 && await unchanged(b, Number(v), rows)) return;
    const version = Number(v) + 1;
    const versions = new BigInt64Array(rows.count).fill(BigInt(version));
    const keys = new BigInt64Array(rows.count);
    for (let i = 0; i < rows.count; i++) keys[i] = BigInt(rows.currencyKey[i]) * BigInt(FX_KEY_DAYS) + BigInt(rows.day[i]);
    // The lookup table first: a reader that sees the version finds its table.
    await b.write([...fxLookupDdl(version), { table: fxLookupTable(version), columns: [
      { name: 'k', type: 'int64', values: keys }, { name: 'usd_per_minor', type: 'float64', values: rows.usdPerMinor },
    ] }]);
    await b.write(SQL.replaceEffective.clickhouse({ table: 'fx_effective', columns: [...columns, { name: 'version', type: 'int64', values: versions }] }, version));
    // The versions before stay for readers that took one of them just before this one appeared
    // (a reader's query names the version it read first: fx_effective's is read at query time).
    const stale = (await b.select(`SELECT name FROM system.tables
      WHERE database = currentDatabase() AND startsWith(name, '${FX_LOOKUP_PREFIX}')`))
      .map((r) => Number(String(r.name).slice(FX_LOOKUP_PREFIX.length)))
      .filter((v) => Number.isSafeInteger(v) && v <= version - FX_LOOKUP_KEPT);
    if (stale.length > 0) await b.exec(stale.map((v) => `DROP TABLE IF EXISTS ${fxLookupTable(v)}`));
  };
  const next = (rebuilding.get(b) ?? Promise.resolve()).then(run, run);
  rebuilding.set(b, next.catch(() => undefined));
  return next;
}

/**
 * Whether a version's rows are `rows`, once each, and its lookup table answers the same for
 * each: then a rebuild would write the same again. Rates go to ClickHouse as text, whose
 * parsing may be off by a bit or two: a value read back counts as the same within a few bits
 * (a rebuild would store that same parse).
 */
async function unchanged(b: StoreBackend, version: number, rows: EffectiveRates): Promise<boolean> {
  if (Number((await b.select(SQL.lookupExists(version)))[0].n) !== 1) return false;
  const have = await b.select(SQL.versionRows(version));
  const stored = new Map(have.map((r) => [Number(r.currency_key) * FX_KEY_DAYS + Number(r.day), r]));
  if (have.length !== rows.count || stored.size !== rows.count) return false;
  const same = (a: unknown, x: number) => Math.abs(Number(a) - x) <= 4 * Number.EPSILON * Math.abs(x);
  for (let i = 0; i < rows.count; i++) {
    const r = stored.get(rows.currencyKey[i] * FX_KEY_DAYS + rows.day[i]);
    if (!r || !same(r.usd_per_minor, rows.usdPerMinor[i]) || !same(r.looked, rows.usdPerMinor[i])) return false;
  }
  return true;
}

export async function fxEffective(b: StoreBackend, fromDay: number, toDay: number) {
  return (await b.select(SQL.effective[b.kind](fromDay, toDay))).map((r) => ({
    currencyKey: Number(r.currency_key), day: Number(r.day), usdPerMinor: Number(r.usd_per_minor),
  }));
}
