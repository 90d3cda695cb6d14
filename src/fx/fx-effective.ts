// The rate in force on each UTC day, per currency: one row per (currency, day) from the
// currency's first rate to a horizon past today, each with the latest rate on or before that
// day, per minor unit. Queries join rollups on (currency, day) equality, which every engine does
// fast. Currencies pegged to the euro take the EUR rate on days without a rate of their own;
// USD is 1 from the epoch on (day rollups are kept forever).

import { CURRENCY_CODES, currencyExponent, currencyKey, PEGGED_TO_EUR } from '../reference/currencies.ts';

export interface StoredRate {
  /** YYYY-MM-DD */
  date: string;
  currency: string;
  usdPerUnit: number;
}

export interface EffectiveRates {
  currencyKey: Int32Array;
  day: Int32Array;
  usdPerMinor: Float64Array;
  count: number;
}

/** Days past max(last rate, today) that the table is filled forward to. */
export const FX_HORIZON_DAYS = 400;

const DAY_MS = 86_400_000;
const dayOf = (date: string) => Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS);
const perMinor = (code: string) => 10 ** (currencyExponent(code) ?? 2);

export function effectiveRates(rates: readonly StoredRate[], now: number): EffectiveRates {
  // currency → day → USD per minor unit, of the rates given for that day
  const given = new Map<string, Map<number, number>>();
  const put = (code: string, day: number, rate: number) => {
    let days = given.get(code);
    if (!days) given.set(code, (days = new Map()));
    days.set(day, rate);
  };
  const own = new Set(rates.map((r) => `${r.currency}|${r.date}`));
  for (const r of rates) {
    if (r.currency !== 'USD') put(r.currency, dayOf(r.date), r.usdPerUnit / perMinor(r.currency));
  }
  for (const r of rates) {
    if (r.currency !== 'EUR') continue;
    for (const [code, perEur] of Object.entries(PEGGED_TO_EUR)) {
      if (!own.has(`${code}|${r.date}`)) put(code, dayOf(r.date), r.usdPerUnit / perEur / perMinor(code));
    }
  }
  if (CURRENCY_CODES.includes('USD')) put('USD', 0, 1 / perMinor('USD'));
  let lastGiven = Math.floor(now / DAY_MS);
  for (const days of given.values()) for (const d of days.keys()) lastGiven = Math.max(lastGiven, d);
  const last = lastGiven + FX_HORIZON_DAYS;

  let count = 0;
  const spans: Array<{ key: number; days: number[]; rates: Map<number, number>; first: number }> = [];
  for (const [code, rateByDay] of given) {
    const days = [...rateByDay.keys()].sort((a, b) => a - b);
    if (days[0] > last) continue;
    spans.push({ key: currencyKey(code)!, days, rates: rateByDay, first: days[0] });
    count += last - days[0] + 1;
  }
  const out: EffectiveRates = {
    currencyKey: new Int32Array(count), day: new Int32Array(count), usdPerMinor: new Float64Array(count), count,
  };
  let i = 0;
  for (const s of spans.sort((a, b) => a.key - b.key)) {
    let next = 0;
    let rate = 0;
    for (let day = s.first; day <= last; day++) {
      while (next < s.days.length && s.days[next] <= day) rate = s.rates.get(s.days[next++])!;
      out.currencyKey[i] = s.key;
      out.day[i] = day;
      out.usdPerMinor[i] = rate;
      i++;
    }
  }
  return out;
}
