// Reads a rollup table back as the reference's key → "cnt/amount/fee" map (zero rows dropped).

import { countryCode } from '../../src/reference/countries.ts';
import { currencyCode } from '../../src/reference/currencies.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';

export async function readRollup(store: AnalyticsStore, table: 'minute' | 'hour' | 'day'): Promise<Map<string, string>> {
  const dict = new Map<string, string>();
  for (const d of await store.query('SELECT dim, key, value FROM dim_values')) dict.set(`${d.dim}:${d.key}`, String(d.value));
  const v = (dim: number, key: unknown) => (Number(key) === 0 ? '' : dict.get(`${dim}:${key}`) ?? `?${key}`);
  const rows = await store.query(`SELECT minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind,
      sum(cnt) AS cnt, sum(amount_minor) AS amount, sum(fee_minor) AS fee
    FROM rollup_${table} GROUP BY ALL HAVING sum(cnt) <> 0 OR sum(amount_minor) <> 0 OR sum(fee_minor) <> 0`);
  return new Map(rows.map((r) => [
    [r.minute, v(0, r.merchant_key), countryCode(Number(r.country_key)), v(1, r.city_key), currencyCode(Number(r.currency_key)),
      v(2, r.method_key), v(3, r.provider_key), r.kind].join('|'),
    `${r.cnt}/${r.amount}/${r.fee}`,
  ]));
}
