// Test helpers over the ClickHouse backend until the lead's named queries land: the backend in
// the AnalyticsStore shape the engine takes today, and the readers the checks need (rollups as
// the reference's key → "cnt/amount/fee" map, raw counts), in ClickHouse SQL over committed rows.

import type { StoreBackend } from '../../src/store/backend.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { COMMITTED } from '../../src/store/clickhouse/committed.ts';
import { countryCode } from '../../src/reference/countries.ts';
import { currencyCode } from '../../src/reference/currencies.ts';

/** The backend as the engine's store (src/store/analytics-store.ts). */
export function asAnalyticsStore(b: StoreBackend): AnalyticsStore {
  return {
    dialect: b.kind,
    commitBatch: (batch) => b.commitBatch(batch),
    scanState: (visit, after) => b.scanState(visit, after),
    loadDictionary: () => b.loadDictionary(),
    loadMeta: () => b.loadMeta(),
    sourcePosition: (source) => b.sourcePosition(source),
    query: (sql) => b.select(sql),
    queryColumns: (sql) => b.selectColumns(sql),
    execute: (statements) => b.exec(statements),
    diskBytes: () => b.diskBytes(),
    close: () => b.close(),
  };
}

export async function readClickHouseRollup(b: StoreBackend, table: 'minute' | 'hour' | 'day'): Promise<Map<string, string>> {
  const dict = new Map<string, string>();
  for (const d of await b.select(`SELECT dim, key, value FROM dim_values WHERE ${COMMITTED}`)) dict.set(`${d.dim}:${d.key}`, String(d.value));
  const v = (dim: number, key: unknown) => (Number(key) === 0 ? '' : dict.get(`${dim}:${key}`) ?? `?${key}`);
  const rows = await b.select(`SELECT minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind,
      sum(cnt) AS n, sum(toDecimal128(amount_minor, 0)) AS amount, sum(toDecimal128(fee_minor, 0)) AS fee
    FROM rollup_${table} WHERE ${COMMITTED}
    GROUP BY minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind
    HAVING n <> 0 OR amount <> 0 OR fee <> 0`);
  return new Map(rows.map((r) => [
    [r.minute, v(0, r.merchant_key), countryCode(Number(r.country_key)), v(1, r.city_key), currencyCode(Number(r.currency_key)),
      v(2, r.method_key), v(3, r.provider_key), r.kind].join('|'),
    `${r.n}/${r.amount}/${r.fee}`,
  ]));
}

/** Rows of raw_events, committed or not, and their distinct event ids. */
export async function rawEventCounts(b: StoreBackend): Promise<{ rows: number; distinct: number }> {
  const [r] = await b.select('SELECT count() AS n, uniqExact(event_id) AS d FROM raw_events');
  return { rows: Number(r.n), distinct: Number(r.d) };
}
