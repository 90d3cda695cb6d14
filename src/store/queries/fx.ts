// FX tables: the rates as loaded (fx_rates) and the rate in force per currency and UTC day
// (fx_effective, computed by fx/fx-effective.ts, joined by the aggregate queries).
//
// DuckDB replaces rows inside one transaction. ClickHouse has none, so each change is ONE insert
// into a table without partitions, which ClickHouse writes as one part, all or nothing:
// - fx_rates is a ReplacingMergeTree by (currency, date) versioned by loaded_at: a reload of a
//   date replaces it; readers take the latest load of each (argMax), merged or not;
// - fx_effective rows carry the version (load time) of the rebuild that wrote them; readers take
//   the rows of the newest version, and older versions are deleted afterwards (a mutation, which
//   may lag: readers never see them).

import type { StoreBackend } from '../backend.ts';
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
const CH_RATES = `(SELECT date, currency, argMax(usd_per_unit, loaded_at) AS usd_per_unit, argMax(source, loaded_at) AS source
  FROM fx_rates GROUP BY date, currency)`;
const CH_EFFECTIVE = `(SELECT currency_key, day, usd_per_minor FROM fx_effective
  WHERE version = (SELECT max(version) FROM fx_effective))`;

const SQL = {
  list: {
    duckdb: (f: FxRateFilter) => `SELECT strftime(date, '%Y-%m-%d') AS date, currency, usd_per_unit, source FROM fx_rates
      WHERE ${rateConditions(f, 'duckdb')} ORDER BY date DESC, currency LIMIT ${sqlInt(f.limit)}`,
    clickhouse: (f: FxRateFilter) => `SELECT toString(date) AS date, currency, usd_per_unit, source FROM ${CH_RATES}
      WHERE ${rateConditions(f, 'clickhouse')} ORDER BY date DESC, currency LIMIT ${sqlInt(f.limit)}`,
  },
  count: {
    duckdb: () => 'SELECT count(*) AS n FROM fx_rates',
    clickhouse: () => `SELECT count() AS n FROM ${CH_RATES}`,
  },
  save: {
    duckdb: (values: string[]) => [
      `CREATE OR REPLACE TEMP TABLE fx_new AS SELECT * FROM (VALUES ${values.join(', ')}) v(date, currency, usd_per_unit, source, loaded_at)`,
      'DELETE FROM fx_rates WHERE EXISTS (SELECT 1 FROM fx_new n WHERE n.date = fx_rates.date AND n.currency = fx_rates.currency)',
      'INSERT INTO fx_rates SELECT * FROM fx_new',
      'DROP TABLE fx_new',
    ],
    clickhouse: (values: string[]) => [`INSERT INTO fx_rates (date, currency, usd_per_unit, source, loaded_at) VALUES ${values.join(', ')}`],
  },
  effective: {
    duckdb: (from: number, to: number) => `SELECT currency_key, day, usd_per_minor FROM fx_effective
      WHERE day BETWEEN ${sqlInt(from)} AND ${sqlInt(to)}`,
    clickhouse: (from: number, to: number) => `SELECT currency_key, day, usd_per_minor FROM ${CH_EFFECTIVE}
      WHERE day BETWEEN ${sqlInt(from)} AND ${sqlInt(to)}`,
  },
  replaceEffective: {
    duckdb: (chunks: string[]) => ['DELETE FROM fx_effective', ...chunks.map((v) => `INSERT INTO fx_effective VALUES ${v}`)],
    clickhouse: (chunks: string[], version: number) => [
      `INSERT INTO fx_effective (currency_key, day, usd_per_minor, version) VALUES ${chunks.join(', ')}`,
      `ALTER TABLE fx_effective DELETE WHERE version < ${sqlInt(version)}`,
    ],
  },
};

export { CH_EFFECTIVE as FX_EFFECTIVE_CLICKHOUSE };

export async function fxRates(b: StoreBackend, f: FxRateFilter): Promise<FxRateRow[]> {
  return (await b.select(SQL.list[b.kind](f))).map((r) => ({
    date: String(r.date), currency: String(r.currency), usdPerUnit: Number(r.usd_per_unit), source: String(r.source),
  }));
}

export async function fxRateCount(b: StoreBackend): Promise<number> {
  const [r] = await b.select(SQL.count[b.kind]());
  return Number(r.n);
}

/** Adds rates, replacing those of the same (date, currency). */
export async function saveFxRates(b: StoreBackend, rates: readonly StoredRate[], source: string, loadedAt: number): Promise<void> {
  if (rates.length === 0) return;
  const src = sqlString(source.slice(0, 200), b.kind);
  const date = b.kind === 'duckdb' ? (d: string) => `DATE ${dateLiteral(d)}` : dateLiteral;
  const values = rates.map((r) => {
    if (!CODE.test(r.currency) || !Number.isFinite(r.usdPerUnit)) throw new TypeError(`not a rate: ${JSON.stringify(r)}`);
    return `(${date(r.date)}, '${r.currency}', ${floatLiteral(r.usdPerUnit, b.kind)}, ${src}, ${sqlInt(loadedAt)})`;
  });
  await b.exec(SQL.save[b.kind](values));
}

/** Replaces the whole per-day table. */
export async function replaceFxEffective(b: StoreBackend, rows: EffectiveRates, version: number): Promise<void> {
  const tuples: string[] = [];
  for (let i = 0; i < rows.count; i++) {
    const rate = floatLiteral(rows.usdPerMinor[i], b.kind);
    tuples.push(b.kind === 'duckdb'
      ? `(${rows.currencyKey[i]}, ${rows.day[i]}, ${rate})`
      : `(${rows.currencyKey[i]}, ${rows.day[i]}, ${rate}, ${sqlInt(version)})`);
  }
  if (b.kind === 'duckdb') {
    const chunks: string[] = [];
    for (let i = 0; i < tuples.length; i += 10_000) chunks.push(tuples.slice(i, i + 10_000).join(', '));
    await b.exec(SQL.replaceEffective.duckdb(chunks));
  } else {
    await b.exec(SQL.replaceEffective.clickhouse(tuples, version));
  }
}

export async function fxEffective(b: StoreBackend, fromDay: number, toDay: number) {
  return (await b.select(SQL.effective[b.kind](fromDay, toDay))).map((r) => ({
    currencyKey: Number(r.currency_key), day: Number(r.day), usdPerMinor: Number(r.usd_per_minor),
  }));
}

/** A double as a literal that reads back as the same double (shortest round-trip digits). */
function floatLiteral(x: number, kind: 'duckdb' | 'clickhouse'): string {
  if (!Number.isFinite(x)) throw new TypeError(`not a finite number: ${x}`);
  const text = String(x);
  return kind === 'duckdb' ? `${text}::DOUBLE` : text; // ClickHouse: a Float64 column parses it as one
}
