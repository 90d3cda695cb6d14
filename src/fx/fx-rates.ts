// FX rates: `date,currency,usd_per_unit` rows, loaded from CSV (CLI, API, FX_FILE) or JSON.
// A load replaces the rates it names and rebuilds fx_effective, the per-minor-unit rates the
// queries join on. Currencies pegged to the euro (XOF, XAF, KMF, CVE) are derived from the EUR
// rate on dates where they have no rate of their own. USD is always 1.

import { AppError } from '../errors.ts';
import { currencyKey, PEGGED_TO_EUR } from '../reference/currencies.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';

export interface FxRate {
  date: string;
  currency: string;
  usd_per_unit: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RATE_RE = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,18})?$/;

/** Validates rows; throws invalid_fx_rates listing every bad row (by 1-based line/index). */
export function validateFxRates(rows: ReadonlyArray<Record<string, unknown>>, lineOffset = 1): FxRate[] {
  const problems: string[] = [];
  const out: FxRate[] = [];
  const seen = new Set<string>();
  rows.forEach((r, i) => {
    const where = `row ${i + lineOffset}`;
    if (r === null || typeof r !== 'object') {
      problems.push(`${where}: expected an object with date, currency, usd_per_unit`);
      return;
    }
    const date = String(r.date ?? '').trim();
    const currency = String(r.currency ?? '').trim();
    const rate = String(r.usd_per_unit ?? '').trim();
    if (!isDate(date)) problems.push(`${where}: date ${JSON.stringify(date)} is not YYYY-MM-DD`);
    else if (!currencyKey(currency)) problems.push(`${where}: currency ${JSON.stringify(currency)} is not ISO 4217`);
    else if (!RATE_RE.test(rate) || Number(rate) <= 0) problems.push(`${where}: usd_per_unit ${JSON.stringify(rate)} is not a positive decimal`);
    else if (currency === 'USD' && Number(rate) !== 1) problems.push(`${where}: USD is always 1 USD per unit`);
    else if (seen.has(`${date}|${currency}`)) problems.push(`${where}: a second rate for ${currency} on ${date}`);
    else {
      seen.add(`${date}|${currency}`);
      out.push({ date, currency, usd_per_unit: rate });
    }
  });
  if (problems.length) {
    throw new AppError('invalid_fx_rates', `${problems.length} invalid FX row(s): ${problems.slice(0, 5).join('; ')}`, { problems: problems.slice(0, 100) });
  }
  return out;
}

export function parseFxCsv(text: string): FxRate[] {
  const lines = text.split(/\r?\n/);
  const header = (lines.shift() ?? '').split(',').map((h) => h.trim().toLowerCase());
  const idx = ['date', 'currency', 'usd_per_unit'].map((h) => header.indexOf(h));
  if (idx.some((i) => i < 0)) throw new AppError('invalid_fx_rates', 'the CSV header must name date, currency, usd_per_unit');
  const rows = lines.filter((l) => l.trim() !== '').map((l) => {
    const cells = l.split(',');
    return { date: cells[idx[0]], currency: cells[idx[1]], usd_per_unit: cells[idx[2]] };
  });
  return validateFxRates(rows, 2);
}

export async function loadFxRates(store: AnalyticsStore, rates: FxRate[], source: string, now = Date.now()): Promise<number> {
  const statements: string[] = [];
  const src = source.slice(0, 200).replaceAll("'", "''");
  for (let i = 0; i < rates.length; i += 5000) {
    const values = rates.slice(i, i + 5000)
      .map((r) => `(DATE '${r.date}', '${r.currency}', ${r.usd_per_unit}::DOUBLE, '${src}', ${now})`)
      .join(', ');
    statements.push(
      `CREATE OR REPLACE TEMP TABLE fx_new AS SELECT * FROM (VALUES ${values}) v(date, currency, usd_per_unit, source, loaded_at)`,
      'DELETE FROM fx_rates WHERE EXISTS (SELECT 1 FROM fx_new n WHERE n.date = fx_rates.date AND n.currency = fx_rates.currency)',
      'INSERT INTO fx_rates SELECT * FROM fx_new',
    );
  }
  statements.push('DROP TABLE IF EXISTS fx_new', ...rebuildEffective(now));
  await store.execute(statements);
  return rates.length;
}

/** Days past max(last rate, today) that fx_effective is filled forward to. */
export const FX_HORIZON_DAYS = 400;

/**
 * fx_effective holds one row per (currency, UTC day) from the currency's first rate to a horizon
 * beyond today, each with the latest rate on or before that day. Queries then join on equality,
 * which every SQL engine does fast. Rebuilt on every load and by the maintenance job.
 */
export function rebuildEffective(now: number): string[] {
  const pegs = Object.entries(PEGGED_TO_EUR).map(([code, perEur]) => `('${code}', ${perEur}::DOUBLE)`).join(', ');
  const day = (col: string) => `date_diff('day', DATE '1970-01-01', ${col})`;
  const today = Math.floor(now / 86_400_000);
  return [
    'DELETE FROM fx_effective',
    `INSERT INTO fx_effective
     WITH given AS (
         SELECT c.currency_key, ${day('r.date')} AS day, r.usd_per_unit / pow(10, c.exponent) AS usd_per_minor
         FROM fx_rates r JOIN currencies c ON c.code = r.currency WHERE r.currency <> 'USD'
       UNION ALL
         SELECT c.currency_key, ${day('e.date')}, e.usd_per_unit / p.per_eur / pow(10, c.exponent)
         FROM fx_rates e CROSS JOIN (VALUES ${pegs}) p(code, per_eur) JOIN currencies c ON c.code = p.code
         WHERE e.currency = 'EUR'
           AND NOT EXISTS (SELECT 1 FROM fx_rates x WHERE x.currency = p.code AND x.date = e.date)
       UNION ALL
         -- USD is 1, always (day rollups are kept forever, so from the epoch on).
         SELECT c.currency_key, 0, 1 / pow(10, c.exponent) FROM currencies c WHERE c.code = 'USD'
     ),
     horizon AS (SELECT greatest(max(day), ${today}) + ${FX_HORIZON_DAYS} AS last FROM given),
     days AS (
       SELECT g.currency_key, unnest(range(min(g.day), (SELECT last FROM horizon) + 1)) AS day
       FROM given g GROUP BY g.currency_key
     )
     SELECT d.currency_key, d.day, g.usd_per_minor
     FROM days d ASOF JOIN given g ON d.currency_key = g.currency_key AND d.day >= g.day`,
  ];
}

export async function listFxRates(
  store: AnalyticsStore, filter: { currency?: string; from?: string; to?: string; limit?: number },
): Promise<FxRate[]> {
  const where: string[] = [];
  if (filter.currency) {
    if (!currencyKey(filter.currency)) throw new AppError('invalid_parameter', 'unknown currency');
    where.push(`currency = '${filter.currency}'`);
  }
  if (filter.from) { if (!isDate(filter.from)) throw new AppError('invalid_parameter', 'from must be YYYY-MM-DD'); where.push(`date >= DATE '${filter.from}'`); }
  if (filter.to) { if (!isDate(filter.to)) throw new AppError('invalid_parameter', 'to must be YYYY-MM-DD'); where.push(`date <= DATE '${filter.to}'`); }
  const limit = Math.min(Math.max(filter.limit ?? 1000, 1), 10_000);
  const rows = await store.query(
    `SELECT strftime(date, '%Y-%m-%d') AS date, currency, usd_per_unit, source FROM fx_rates
     ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY date DESC, currency LIMIT ${limit}`,
  );
  return rows.map((r) => ({ date: String(r.date), currency: String(r.currency), usd_per_unit: String(r.usd_per_unit) }));
}

function isDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
