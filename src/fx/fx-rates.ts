// FX rates: `date,currency,usd_per_unit` rows, loaded from CSV (CLI, API, FX_FILE) or JSON.
// A load replaces the rates it names and rebuilds the rate in force per currency and day
// (fx-effective.ts), which the queries join on.

import { AppError } from '../errors.ts';
import { currencyKey } from '../reference/currencies.ts';
import { effectiveRates, FX_HORIZON_DAYS } from './fx-effective.ts';
import type { AnalyticsStore } from '../store/analytics-store.ts';

export interface FxRate {
  date: string;
  currency: string;
  usd_per_unit: string;
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const RATE_RE = /^(?:0|[1-9]\d{0,11})(?:\.\d{1,18})?$/;

/**
 * The dates a rate may carry. From the epoch: rollups are keyed by epoch minutes and no query
 * reaches before 1970, so an older rate could never apply (and fx_effective would be filled
 * day by day from it). Up to today + FX_HORIZON_DAYS: fx_effective is filled that far ahead of
 * today, so a later date can only be a typo (0100 for 2100, 9999 as "no end").
 */
export function fxDateBounds(now: number): { first: string; last: string } {
  const last = new Date((Math.floor(now / 86_400_000) + FX_HORIZON_DAYS) * 86_400_000).toISOString().slice(0, 10);
  return { first: '1970-01-01', last };
}

/**
 * Validates rows; throws invalid_fx_rates listing every bad row. `where(i)` names row i for
 * the message: its CSV line, or its position in a JSON list.
 */
export function validateFxRates(
  rows: ReadonlyArray<Record<string, unknown>>, where: (i: number) => string = (i) => `row ${i + 1}`, now = Date.now(),
): FxRate[] {
  const problems: string[] = [];
  const out: FxRate[] = [];
  const seen = new Set<string>();
  const bounds = fxDateBounds(now);
  rows.forEach((r, i) => {
    const at = where(i);
    if (r === null || typeof r !== 'object') {
      problems.push(`${at}: expected an object with date, currency, usd_per_unit`);
      return;
    }
    const date = String(r.date ?? '').trim();
    const currency = String(r.currency ?? '').trim();
    const rate = String(r.usd_per_unit ?? '').trim();
    if (!isDate(date)) problems.push(`${at}: date ${JSON.stringify(date)} is not a possible YYYY-MM-DD date`);
    else if (date < bounds.first || date > bounds.last) {
      problems.push(`${at}: date ${date} is outside ${bounds.first} to ${bounds.last} (the epoch to ${FX_HORIZON_DAYS} days after today)`);
    } else if (!currencyKey(currency)) problems.push(`${at}: currency ${JSON.stringify(currency)} is not ISO 4217`);
    else if (!RATE_RE.test(rate) || Number(rate) <= 0) problems.push(`${at}: usd_per_unit ${JSON.stringify(rate)} is not a positive decimal`);
    else if (currency === 'USD' && Number(rate) !== 1) problems.push(`${at}: USD is always 1 USD per unit`);
    else if (seen.has(`${date}|${currency}`)) problems.push(`${at}: a second rate for ${currency} on ${date}`);
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

/** CSV with a header line; problems name the file's own line numbers (blank lines counted). */
export function parseFxCsv(text: string, now = Date.now()): FxRate[] {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? '').split(',').map((h) => h.trim().toLowerCase());
  const idx = ['date', 'currency', 'usd_per_unit'].map((h) => header.indexOf(h));
  if (idx.some((i) => i < 0)) throw new AppError('invalid_fx_rates', 'the CSV header (line 1) must name date, currency, usd_per_unit');
  const lineNumbers: number[] = [];
  const rows: Array<Record<string, unknown>> = [];
  lines.forEach((l, i) => {
    if (i === 0 || l.trim() === '') return;
    const cells = l.split(',');
    lineNumbers.push(i + 1);
    rows.push({ date: cells[idx[0]], currency: cells[idx[1]], usd_per_unit: cells[idx[2]] });
  });
  return validateFxRates(rows, (i) => `line ${lineNumbers[i]}`, now);
}

export async function loadFxRates(store: AnalyticsStore, rates: FxRate[], source: string, now = Date.now()): Promise<number> {
  await store.saveFxRates(rates.map((r) => ({ date: r.date, currency: r.currency, usdPerUnit: Number(r.usd_per_unit) })), source, now);
  await rebuildEffective(store, now);
  return rates.length;
}

/** Rebuilds the per-day rate table from every stored rate (on each load and by the maintenance job). */
export async function rebuildEffective(store: AnalyticsStore, now: number): Promise<void> {
  const all = await store.fxRates({ limit: Number.MAX_SAFE_INTEGER });
  await store.replaceFxEffective(effectiveRates(all, now));
}

export async function listFxRates(
  store: AnalyticsStore, filter: { currency?: string; from?: string; to?: string; limit?: number },
): Promise<FxRate[]> {
  if (filter.currency && !currencyKey(filter.currency)) throw new AppError('invalid_parameter', 'unknown currency');
  if (filter.from && !isDate(filter.from)) throw new AppError('invalid_parameter', 'from must be YYYY-MM-DD');
  if (filter.to && !isDate(filter.to)) throw new AppError('invalid_parameter', 'to must be YYYY-MM-DD');
  const limit = Math.min(Math.max(filter.limit ?? 1000, 1), 10_000);
  const rows = await store.fxRates({ currency: filter.currency || undefined, from: filter.from || undefined, to: filter.to || undefined, limit });
  return rows.map((r) => ({ date: r.date, currency: r.currency, usd_per_unit: String(r.usdPerUnit) }));
}

/** A possible calendar date (February 30 is not one). */
function isDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(0);
  t.setUTCFullYear(y, mo - 1, d); // not Date.UTC, which reads years 0–99 as 1900–1999
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}
