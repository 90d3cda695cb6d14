// Sample daily FX rates for the currencies the generator emits, as USD per unit: a seeded,
// mean-reverting random walk around realistic 2025 levels with a gentle depreciation drift where
// the market has one, flat on weekends. XOF and XAF (and KMF, CVE) are absent: the platform
// derives them from EUR through their fixed pegs. Demo data, not market data.

import { GENERATED_CURRENCIES } from './geo.ts';
import { createPrng, hashSeed, type Seed } from './prng.ts';
import { dayText } from './time.ts';

export interface FxRow {
  date: string;
  currency: string;
  usd_per_unit: string;
}

/** Currencies pegged to EUR: derived by the platform, never sampled. */
export const EUR_PEGGED = ['XOF', 'XAF', 'KMF', 'CVE'] as const;

interface Walk {
  /** USD per unit at the start. */
  level: number;
  /** Yearly drift of the log level (negative: depreciation against USD). */
  drift: number;
  /** Daily volatility of the log level. */
  vol: number;
}

const WALKS: Readonly<Record<string, Walk>> = {
  EUR: { level: 1.08, drift: 0, vol: 0.004 },
  NGN: { level: 1 / 1550, drift: -0.08, vol: 0.007 },
  GHS: { level: 1 / 15.5, drift: -0.1, vol: 0.006 },
  KES: { level: 1 / 129, drift: -0.02, vol: 0.0015 },
  UGX: { level: 1 / 3700, drift: -0.02, vol: 0.002 },
  TZS: { level: 1 / 2650, drift: -0.04, vol: 0.0025 },
  RWF: { level: 1 / 1420, drift: -0.06, vol: 0.001 },
  GNF: { level: 1 / 8600, drift: -0.02, vol: 0.001 },
  CDF: { level: 1 / 2850, drift: -0.05, vol: 0.002 },
  ZAR: { level: 1 / 18.2, drift: -0.02, vol: 0.009 },
  MAD: { level: 1 / 10, drift: 0, vol: 0.003 },
  EGP: { level: 1 / 49, drift: -0.08, vol: 0.003 },
  ETB: { level: 1 / 127, drift: -0.15, vol: 0.004 },
  ZMW: { level: 1 / 26, drift: -0.06, vol: 0.008 },
};

/** Pull of the walk back towards its drifting centre, per day. */
const REVERSION = 0.03;
const MS_PER_DAY = 86_400_000;

/** The currencies sampleFxRates covers: USD and every generated currency not pegged to EUR. */
export const FX_SAMPLE_CURRENCIES: readonly string[] = GENERATED_CURRENCIES.filter(
  (c) => !(EUR_PEGGED as readonly string[]).includes(c),
);

function parseDay(text: string, name: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}$/.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || dayText(ms / MS_PER_DAY) !== text) throw new RangeError(`${name} must be a date YYYY-MM-DD, got ${text}`);
  return ms / MS_PER_DAY;
}

/** Decimal text with at most 12 significant digits and no exponent or trailing zeros. */
export function rateText(x: number): string {
  const text = x.toPrecision(12);
  return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
}

function walk(seed: Seed, currency: string, from: number, to: number): number[] {
  const w = WALKS[currency];
  if (w === undefined) throw new Error(`no FX walk for ${currency}`);
  const rng = createPrng(seed, hashSeed(currency));
  const values: number[] = [];
  let log = Math.log(w.level);
  for (let day = from; day <= to; day++) {
    const weekday = (((day + 4) % 7) + 7) % 7; // 0 Sunday … 6 Saturday
    if (day > from && weekday !== 0 && weekday !== 6) {
      const centre = Math.log(w.level) + (w.drift * (day - from)) / 365;
      log += REVERSION * (centre - log) + w.vol * rng.normal();
    }
    values.push(Math.exp(log));
  }
  return values;
}

/** Daily rates for every day in [from, to] (inclusive), ordered by date then currency. */
export function sampleFxRates(opts: { seed: Seed; from: string; to: string }): FxRow[] {
  const from = parseDay(opts.from, 'from');
  const to = parseDay(opts.to, 'to');
  if (to < from) throw new RangeError('to must not be before from');
  const series = new Map(FX_SAMPLE_CURRENCIES.filter((c) => c !== 'USD').map((c) => [c, walk(opts.seed, c, from, to)]));
  const rows: FxRow[] = [];
  for (let day = from; day <= to; day++) {
    const date = dayText(day);
    for (const currency of FX_SAMPLE_CURRENCIES) {
      const value = currency === 'USD' ? 1 : (series.get(currency) as number[])[day - from];
      rows.push({ date, currency, usd_per_unit: rateText(value) });
    }
  }
  return rows;
}

/** `date,currency,usd_per_unit` CSV with a header, one row per line ("\n"). */
export function toFxCsv(rows: readonly FxRow[]): string {
  const lines = ['date,currency,usd_per_unit'];
  for (const r of rows) lines.push(`${r.date},${r.currency},${r.usd_per_unit}`);
  return `${lines.join('\n')}\n`;
}
