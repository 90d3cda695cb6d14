// Number and date formatting for the dashboard (Intl, in the chosen language's locale: 'en' or
// 'fr-SN', where 1 234 567,5 is grouped with narrow no-break spaces and a comma decimal).

import { LOCALE, type Lang } from './i18n.ts';

export type Unit = 'usd' | 'count' | 'ratio';

interface Formats {
  usd: Intl.NumberFormat;
  count: Intl.NumberFormat;
  compactUsd: Intl.NumberFormat;
  compactCount: Intl.NumberFormat;
  percent: Intl.NumberFormat;
  change: Intl.NumberFormat;
  region: Intl.DisplayNames | null;
}

const cache = new Map<Lang, Formats>();

function formats(lang: Lang): Formats {
  let f = cache.get(lang);
  if (!f) {
    const l = LOCALE[lang];
    let region: Intl.DisplayNames | null = null;
    try { region = new Intl.DisplayNames([l], { type: 'region' }); } catch { /* no display names: show codes */ }
    f = {
      usd: new Intl.NumberFormat(l, { style: 'currency', currency: 'USD', maximumFractionDigits: 2 }),
      count: new Intl.NumberFormat(l, { maximumFractionDigits: 0 }),
      compactUsd: new Intl.NumberFormat(l, { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 }),
      compactCount: new Intl.NumberFormat(l, { notation: 'compact', maximumFractionDigits: 1 }),
      percent: new Intl.NumberFormat(l, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }),
      change: new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 1 }),
      region,
    };
    cache.set(lang, f);
  }
  return f;
}

const defined = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);

export function formatValue(value: number | null | undefined, unit: Unit, lang: Lang = 'en'): string {
  if (!defined(value)) return '—';
  const f = formats(lang);
  return unit === 'usd' ? f.usd.format(value) : unit === 'ratio' ? f.percent.format(value) : f.count.format(value);
}

const rateFormats = new Map<Lang, Intl.NumberFormat>();

/** A rate such as events per second: up to two decimals (0.35, 12). */
export function formatRate(value: number | null | undefined, lang: Lang = 'en'): string {
  if (!defined(value)) return '—';
  let f = rateFormats.get(lang);
  if (!f) rateFormats.set(lang, (f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 2 })));
  return f.format(value);
}

/** A USD amount for a card or a table: in full below a million, in short from there ($780.8M). */
export function formatUsdShort(value: number | null | undefined, lang: Lang = 'en'): string {
  return defined(value) && Math.abs(value) >= COMPACT_FROM ? formatCompact(value, 'usd', lang) : formatValue(value, 'usd', lang);
}

/** Shorter, for axis labels: 1.2K, $3.4M, 97.5%. */
export function formatCompact(value: number | null | undefined, unit: Unit, lang: Lang = 'en'): string {
  if (!defined(value)) return '—';
  const f = formats(lang);
  return unit === 'usd' ? f.compactUsd.format(value) : unit === 'ratio' ? f.percent.format(value) : f.compactCount.format(value);
}

/** Past this relative change a badge reads "↑ >999%" instead of a number nobody can use. */
export const CHANGE_CAP = 9.99;

/**
 * A relative change as "↑ 12.5%" / "↓ 3%" / "0%"; "—" when undefined. As the Stripe Dashboard does,
 * a figure that had nothing before is "new" rather than a percentage: with `basis`, a previous
 * value of 0 and a current one above 0 reads "new" ("nouveau"); a change beyond ±999%
 * (a previous value that is tiny next to the current one) is capped: "↑ >999%".
 */
export function formatChange(value: number | null | undefined, lang: Lang = 'en', basis?: { previous: number | null | undefined; current: number | null | undefined }): string {
  if (basis && basis.previous === 0 && defined(basis.current) && basis.current > 0) return NEW_WORD[lang];
  if (!defined(value)) return '—';
  const arrow = value > 0 ? '↑ ' : value < 0 ? '↓ ' : '';
  if (Math.abs(value) > CHANGE_CAP) return `${arrow}>${formats(lang).change.format(CHANGE_CAP)}`;
  return arrow + formats(lang).change.format(Math.abs(value));
}

const NEW_WORD: Record<Lang, string> = { en: 'new', fr: 'nouveau' };

// One set of date formats for every screen, in the view's zone (undefined = the browser's):
// a date "Dec 5, 2026" / "5 déc. 2026", a date and time "Dec 5, 2026, 5:17 AM" /
// "5 déc. 2026, 05:17", a time "5:17 AM" / "05:17".
interface DateFormats { date: Intl.DateTimeFormat; dateTime: Intl.DateTimeFormat; time: Intl.DateTimeFormat }
const dateFormats = new Map<string, DateFormats>();

function dates(lang: Lang, tz: string | undefined): DateFormats {
  const key = `${lang}|${tz ?? ''}`;
  let f = dateFormats.get(key);
  if (!f) {
    const l = LOCALE[lang];
    f = {
      date: new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeZone: tz }),
      dateTime: new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'short', timeZone: tz }),
      time: new Intl.DateTimeFormat(l, { timeStyle: 'short', timeZone: tz }),
    };
    dateFormats.set(key, f);
  }
  return f;
}

type When = string | number | Date;
const instant = (at: When) => (at instanceof Date ? at : new Date(at));

/** "Dec 5, 2026" / "5 déc. 2026" in the zone. */
export function formatDate(at: When, lang: Lang = 'en', tz?: string): string {
  return dates(lang, tz).date.format(instant(at));
}

/** "Dec 5, 2026, 5:17 AM" / "5 déc. 2026, 05:17" in the zone. */
export function formatDateTime(at: When, lang: Lang = 'en', tz?: string): string {
  return dates(lang, tz).dateTime.format(instant(at));
}

/** "5:17 AM" / "05:17" in the zone. */
export function formatTime(at: When, lang: Lang = 'en', tz?: string): string {
  return dates(lang, tz).time.format(instant(at));
}

/** A date and time in the zone; null when there is none (the caller says what that means). */
export function formatInstant(iso: string | null, lang: Lang = 'en', tz?: string): string | null {
  return iso ? formatDateTime(iso, lang, tz) : null;
}

/** The same format as formatDateTime (kept for its callers: one date format everywhere). */
export function formatShortInstant(iso: string, lang: Lang = 'en', tz?: string): string {
  return formatDateTime(iso, lang, tz);
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/** From a million on, cards and tables show amounts in short (780.8M); below, in full. */
export const COMPACT_FROM = 1_000_000;

/**
 * The currency's formatter: its narrow symbol where that is unambiguous (₦, GH₵, E£, FCFA), the
 * standard symbol where the narrow one is a bare "$" shared by several dollars ($US, CA$), the
 * code where Intl knows no symbol (KES, MAD).
 */
function moneyFormat(currency: string, lang: Lang, compact: boolean): Intl.NumberFormat {
  const key = `${lang}|${currency}|${compact ? 'c' : ''}`;
  let f = moneyFormats.get(key);
  if (!f) {
    const shape: Intl.NumberFormatOptions = compact ? { notation: 'compact', maximumFractionDigits: 1 } : {};
    try {
      const narrow = new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency, currencyDisplay: 'narrowSymbol' });
      const symbol = narrow.formatToParts(0).find((p) => p.type === 'currency')?.value ?? '';
      const display = symbol.includes('$') ? 'symbol' : 'narrowSymbol';
      f = new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency, currencyDisplay: display, ...shape });
    } catch {
      f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 4, ...shape });
    }
    moneyFormats.set(key, f);
  }
  return f;
}

/** CFA francs are written FCFA, as in Dakar and Abidjan, where CLDR says "F CFA". */
const fcfa = (text: string, currency: string) =>
  (currency === 'XOF' || currency === 'XAF' ? text.replace(/F[\u202f\u00a0 ]CFA/, 'FCFA') : text);

const isDecimal = (amount: string | null | undefined): amount is string => typeof amount === 'string' && /^-?\d+(\.\d+)?$/.test(amount);

/**
 * An exact local amount (a decimal string from the API, never rounded through a float) in its
 * currency: `1 234 567 FCFA` in fr-SN, `₦12,500.50` in English.
 */
export function formatMoney(amount: string | null | undefined, currency: string, lang: Lang = 'en'): string {
  if (!isDecimal(amount)) return '—';
  // Intl formats a numeric string exactly (no float on the way); its typing only admits numbers.
  return fcfa(moneyFormat(currency, lang, false).format(amount as unknown as number), currency);
}

/**
 * A local amount in short, for cards and tables where space is short: `₦780.8M`, `780,8 M FCFA`
 * (the full value belongs in a tooltip or the detail). Amounts under a million are shown in full.
 */
export function formatMoneyCompact(amount: string | null | undefined, currency: string, lang: Lang = 'en'): string {
  if (!isDecimal(amount)) return '—';
  if (Math.abs(Number(amount)) < COMPACT_FROM) return formatMoney(amount, currency, lang);
  return fcfa(moneyFormat(currency, lang, true).format(Number(amount)), currency);
}

/** "Senegal" / "Sénégal" for SN; the code itself when the runtime does not know it. */
export function countryName(code: string, lang: Lang = 'en'): string {
  try {
    return formats(lang).region?.of(code) ?? code;
  } catch {
    return code;
  }
}
