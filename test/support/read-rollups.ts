// Reads a rollup table back as the reference's key → "cnt/amount/fee" map (zero rows dropped).

import { countryCode } from '../../src/reference/countries.ts';
import { currencyCode } from '../../src/reference/currencies.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';

export async function readRollup(store: AnalyticsStore, table: 'minute' | 'hour' | 'day'): Promise<Map<string, string>> {
  const dict = new Map<string, string>();
  for (const d of await store.loadDictionary()) dict.set(`${d.dim}:${d.key}`, d.value);
  const v = (dim: number, key: number) => (key === 0 ? '' : dict.get(`${dim}:${key}`) ?? `?${key}`);
  const cells = await store.rollupCells(table);
  return new Map(cells.map((c) => [
    [c.minute, v(0, c.merchantKey), countryCode(c.countryKey), v(1, c.cityKey), currencyCode(c.currencyKey),
      v(2, c.methodKey), v(3, c.providerKey), c.kind].join('|'),
    `${c.cnt}/${c.amountMinor}/${c.feeMinor}`,
  ]));
}
