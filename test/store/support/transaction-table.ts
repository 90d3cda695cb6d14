// The merchant_transactions table as a reader sees it — per (merchant, created_at, txn_id) key
// the committed row of the greatest batch, removal rows left out — decoded to the strings of
// reference-rollups' transactionStates, and the check that it holds each transaction once.

import assert from 'node:assert/strict';
import type { StoreBackend } from '../../../src/store/backend.ts';
import { committedRows } from '../../../src/store/queries/committed-rows.ts';
import { analyticsStore } from '../../../src/store/open-analytics-store.ts';
import { currencyCode } from '../../../src/reference/currencies.ts';
import { countryCode } from '../../../src/reference/countries.ts';
import { DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER } from '../../../src/ingest/indexes/dimensions.ts';
import { transactionStates } from '../../support/reference-rollups.ts';

export async function liveTransactions(b: StoreBackend): Promise<Map<string, string>> {
  const last = b.kind === 'duckdb' ? 'arg_max' : 'argMax';
  const cols = ['updated_at', 'status', 'amount_minor', 'fee_minor', 'currency_key', 'country_key', 'city_key', 'method_key', 'provider_key', 'removed'];
  const rows = await b.select(`SELECT merchant_key, created_at, txn_id, ${cols.map((c) => `${last}(${c}, batch_id) AS l_${c}`).join(', ')}
    FROM merchant_transactions WHERE ${committedRows(b.kind)} GROUP BY merchant_key, created_at, txn_id`);
  const dict = new Map((await analyticsStore(b).loadDictionary()).map((d) => [`${d.dim}:${d.key}`, d.value]));
  const value = (dim: number, key: unknown) => (Number(key) === 0 ? '' : dict.get(`${dim}:${Number(key)}`) ?? `?${String(key)}`);
  const out = new Map<string, string>();
  for (const r of rows) {
    if (Number(r.l_removed) === 1) continue;
    const id = String(r.txn_id);
    assert.ok(!out.has(id), `${id} is live at two keys`);
    out.set(id, [value(DIM_MERCHANT, r.merchant_key), Number(r.created_at), Number(r.l_updated_at), Number(r.l_status),
      BigInt(r.l_amount_minor as bigint), BigInt(r.l_fee_minor as bigint), currencyCode(Number(r.l_currency_key)),
      countryCode(Number(r.l_country_key)), value(DIM_CITY, r.l_city_key), value(DIM_METHOD, r.l_method_key),
      value(DIM_PROVIDER, r.l_provider_key)].join('|'));
  }
  return out;
}

/** The table holds exactly the reference state of every transaction of the events (of those in `skip`, only that it holds them). */
export async function assertTransactionsExact(
  b: StoreBackend, events: Array<Record<string, unknown>>, what: string = b.kind, skip: ReadonlySet<string> = new Set(),
): Promise<void> {
  const got = await liveTransactions(b);
  const want = transactionStates(events);
  assert.deepEqual([...got.keys()].sort(), [...want.keys()].sort(), `${what}: the transactions`);
  for (const [id, state] of want) if (!skip.has(id)) assert.equal(got.get(id), state, `${what}: ${id}`);
}
