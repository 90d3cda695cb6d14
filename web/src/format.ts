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

/** Shorter, for axis labels: 1.2K, $3.4M, 97.5%. */
export function formatCompact(value: number | null | undefined, unit: Unit, lang: Lang = 'en'): string {
  if (!defined(value)) return '—';
  const f = formats(lang);
  return unit === 'usd' ? f.compactUsd.format(value) : unit === 'ratio' ? f.percent.format(value) : f.compactCount.format(value);
}

/** A relative change as "↑ 12.5%" / "↓ 3%" / "0%"; "—" when undefined (nothing before). */
export function formatChange(value: number | null | undefined, lang: Lang = 'en'): string {
  if (!defined(value)) return '—';
  const arrow = value > 0 ? '↑ ' : value < 0 ? '↓ ' : '';
  return arrow + formats(lang).change.format(Math.abs(value));
}

const dateFormats = new Map<string, { dateTime: Intl.DateTimeFormat; shortDateTime: Intl.DateTimeFormat }>();

/** Date formats per language and zone (undefined zone = the browser's). */
function dates(lang: Lang, tz: string | undefined) {
  const key = `${lang}|${tz ?? ''}`;
  let f = dateFormats.get(key);
  if (!f) {
    const l = LOCALE[lang];
    f = {
      dateTime: new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'medium', timeZone: tz }),
      shortDateTime: new Intl.DateTimeFormat(l, { dateStyle: 'short', timeStyle: 'short', timeZone: tz }),
    };
    dateFormats.set(key, f);
  }
  return f;
}

/** A full date and time in the zone; null when there is none (the caller says what that means). */
export function formatInstant(iso: string | null, lang: Lang = 'en', tz?: string): string | null {
  return iso ? dates(lang, tz).dateTime.format(new Date(iso)) : null;
}

export function formatShortInstant(iso: string, lang: Lang = 'en', tz?: string): string {
  return dates(lang, tz).shortDateTime.format(new Date(iso));
}

const moneyFormats = new Map<string, Intl.NumberFormat>();

/**
 * An exact local amount (a decimal string from the API, never rounded through a float) in its
 * currency: `1 234 567 FCFA` in fr-SN, `₦12,500.50` in English. CFA francs are written FCFA, as
 * in Dakar and Abidjan, where CLDR says "F CFA".
 */
export function formatMoney(amount: string | null | undefined, currency: string, lang: Lang = 'en'): string {
  if (amount === null || amount === undefined || !/^-?\d+(\.\d+)?$/.test(amount)) return '—';
  const key = `${lang}|${currency}`;
  let f = moneyFormats.get(key);
  if (!f) {
    try {
      f = new Intl.NumberFormat(LOCALE[lang], { style: 'currency', currency });
    } catch {
      f = new Intl.NumberFormat(LOCALE[lang], { maximumFractionDigits: 4 });
    }
    moneyFormats.set(key, f);
  }
  // Intl formats a numeric string exactly (no float on the way); its typing only admits numbers.
  const text = f.format(amount as unknown as number);
  return currency === 'XOF' || currency === 'XAF' ? text.replace('F\u202fCFA', 'FCFA').replace('F\u00a0CFA', 'FCFA').replace('F CFA', 'FCFA') : text;
}

/** "Senegal" / "Sénégal" for SN; the code itself when the runtime does not know it. */
export function countryName(code: string, lang: Lang = 'en'): string {
  try {
    return formats(lang).region?.of(code) ?? code;
  } catch {
    return code;
  }
}
