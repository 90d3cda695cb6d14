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
  dateTime: Intl.DateTimeFormat;
  shortDateTime: Intl.DateTimeFormat;
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
      dateTime: new Intl.DateTimeFormat(l, { dateStyle: 'medium', timeStyle: 'medium' }),
      shortDateTime: new Intl.DateTimeFormat(l, { dateStyle: 'short', timeStyle: 'short' }),
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

/** A full date and time; null when there is none (the caller says what that means). */
export function formatInstant(iso: string | null, lang: Lang = 'en'): string | null {
  return iso ? formats(lang).dateTime.format(new Date(iso)) : null;
}

export function formatShortInstant(iso: string, lang: Lang = 'en'): string {
  return formats(lang).shortDateTime.format(new Date(iso));
}

/** "Senegal" / "Sénégal" for SN; the code itself when the runtime does not know it. */
export function countryName(code: string, lang: Lang = 'en'): string {
  try {
    return formats(lang).region?.of(code) ?? code;
  } catch {
    return code;
  }
}
