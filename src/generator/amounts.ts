// Ticket sizes of generated payments: per currency, an ISO 4217 exponent, a range and a typical
// (median) amount in major units; amounts are log-normal around a merchant's median, often
// rounded the way people price things. Money stays in integer minor units until formatted.

import type { Prng } from './prng.ts';

export interface CurrencyProfile {
  /** ISO 4217 minor-unit exponent. */
  exponent: 0 | 2;
  /** Smallest, median and largest ticket, major units. */
  min: number;
  median: number;
  max: number;
}

const C = (exponent: 0 | 2, min: number, median: number, max: number): CurrencyProfile => ({
  exponent, min, median, max,
});

/** Medians sit around USD 8–12; ranges follow what each market's rails accept. */
export const CURRENCY_PROFILES: Readonly<Record<string, CurrencyProfile>> = {
  XOF: C(0, 500, 5_000, 500_000),
  XAF: C(0, 500, 5_000, 500_000),
  NGN: C(2, 1_000, 15_000, 2_000_000),
  GHS: C(2, 5, 120, 25_000),
  KES: C(2, 50, 1_000, 150_000),
  UGX: C(0, 1_000, 30_000, 5_000_000),
  TZS: C(2, 1_000, 20_000, 5_000_000),
  RWF: C(0, 500, 8_000, 2_000_000),
  GNF: C(0, 5_000, 80_000, 20_000_000),
  CDF: C(2, 1_000, 20_000, 5_000_000),
  ZAR: C(2, 10, 180, 50_000),
  MAD: C(2, 10, 120, 20_000),
  EGP: C(2, 20, 450, 100_000),
  ETB: C(2, 20, 900, 200_000),
  ZMW: C(2, 10, 220, 50_000),
  USD: C(2, 1, 25, 2_000),
  EUR: C(2, 1, 25, 2_000),
};

export function currencyProfile(currency: string): CurrencyProfile {
  const p = CURRENCY_PROFILES[currency];
  if (p === undefined) throw new Error(`no ticket profile for ${currency}`);
  return p;
}

/** 10^exponent for the exponents we use. */
export const MINOR_PER_MAJOR = [1, 10, 100] as const;

/** Rounds a positive integer to two significant digits: 12_345 → 12_000. */
function twoSignificant(minor: number): number {
  if (minor < 100) return minor;
  const step = Math.pow(10, Math.floor(Math.log10(minor)) - 1);
  return Math.round(minor / step) * step;
}

/**
 * A ticket in minor units around `medianMajor` with log-normal spread `sigma`, kept inside the
 * currency's range. Roughly half are "price-like" (two significant digits), a fifth are whole
 * units (or multiples of 5 for currencies without decimals), the rest exact.
 */
export function sampleAmountMinor(rng: Prng, profile: CurrencyProfile, medianMajor: number, sigma: number): number {
  let major = medianMajor * Math.exp(sigma * rng.normal());
  for (let tries = 0; tries < 3 && (major < profile.min || major > profile.max); tries++) {
    major = medianMajor * Math.exp(sigma * rng.normal());
  }
  const unit = MINOR_PER_MAJOR[profile.exponent];
  let minor = Math.round(major * unit);
  const style = rng.float();
  if (style < 0.5) minor = twoSignificant(minor);
  else if (style < 0.7) minor = profile.exponent === 0 ? Math.round(minor / 5) * 5 : Math.round(minor / unit) * unit;
  const lo = profile.min * unit;
  const hi = profile.max * unit;
  return minor < lo ? lo : minor > hi ? hi : minor;
}

const PAD2 = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Exact decimal text of integer minor units: (123456, 2) → "1234.56", (500, 0) → "500". */
export function minorToText(minor: number, exponent: 0 | 2): string {
  if (exponent === 0) return String(minor);
  const major = Math.floor(minor / 100);
  return `${major}.${PAD2[minor - major * 100]}`;
}

/**
 * The same amount as a JSON number. Division by 100 is correctly rounded, so the double is the
 * nearest one to the decimal and prints back as it ("1234.5" for 123450 minor units).
 */
export function minorToNumber(minor: number, exponent: 0 | 2): number {
  return exponent === 0 ? minor : minor / 100;
}
