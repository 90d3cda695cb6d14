// Edges of the HTTP contract: what a careless or hostile client sends must get a precise answer
// and must never widen an answer or drop good events.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let t: TempApp;
before(async () => { t = await openTempApp({ now: () => NOW }); });
after(async () => { await t.close(); });

let seq = 0;
const ev = (extra: Record<string, unknown> = {}) => ({
  event_id: `edge_${++seq}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T10:00:00Z',
  txn_id: `tx_edge_${seq}`, merchant_id: 'm_edge', amount: '10.00', currency: 'USD', country: 'SN', ...extra,
});
const range = 'from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z';

test('a __proto__ key in a JSON array body is ignored and every event is kept', async () => {
  const body = `[${JSON.stringify(ev())}, {"__proto__": {"polluted": 1}, ${JSON.stringify(ev()).slice(1)}]`;
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json' }, payload: body });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().accepted, 2);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('a string inside a JSON array is not an event (invalid_event), the rest is kept', async () => {
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: [ev(), JSON.stringify(ev())] });
  const body = res.json();
  assert.equal(body.accepted, 1);
  assert.deepEqual(body.results.map((r: { index: number; code: string }) => [r.index, r.code]), [[1, 'invalid_event']]);
});

test('metadata with another key order is a duplicate, not a conflict', async () => {
  const e = ev({ metadata: { channel: 'app', order: { id: 7, lines: 2 } } });
  const again = { ...e, metadata: { order: { lines: 2, id: 7 }, channel: 'app' } };
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: [e, again] });
  assert.deepEqual([res.json().accepted, res.json().duplicates, res.json().rejected], [1, 1, 0]);
});

test('USD figures are 0, not null, where a kind is absent; ratios stay null only on a zero denominator', async () => {
  await t.inject({ method: 'POST', url: '/api/v1/events', payload: [ev({ merchant_id: 'm_usd_only', amount: '10.00', fee: '0.30' })] });
  const res = await t.inject({ url: `/api/v1/metrics?${range}&merchant_id=m_usd_only&metrics=gross_volume_usd,net_volume_usd,refund_volume_usd,refund_rate,chargeback_rate` });
  assert.deepEqual(res.json().rows[0].metrics, {
    gross_volume_usd: 10, net_volume_usd: 9.7, refund_volume_usd: 0, refund_rate: 0, chargeback_rate: 0,
  });
});

test('an unknown query parameter (a misspelt filter) is a 400, never a wider answer', async () => {
  const res = await t.inject({ url: `/api/v1/metrics?${range}&merchant=m_edge` });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'invalid_parameter');
});

test('status=toString is an unknown status (400), not SQL', async () => {
  const res = await t.inject({ url: `/api/v1/metrics?${range}&status=toString` });
  assert.equal(res.statusCode, 400);
  assert.equal(res.json().code, 'invalid_parameter');
});

test('a range of thousands of years is refused at once (422 range_too_large or 400 invalid_range)', async () => {
  const started = performance.now();
  const res = await t.inject({ url: '/api/v1/metrics?from=1971-01-01T00:00:00Z&to=2199-01-01T00:00:00Z&granularity=day' });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().code, 'range_too_large');
  assert.ok(performance.now() - started < 5_000, 'refused before any calendar work');
  const far = await t.inject({ url: '/api/v1/metrics?from=0001-01-01T00:00:00Z&to=9999-01-01T00:00:00Z' });
  assert.equal(far.json().code, 'invalid_range');
});

test('an FX load with two rates for one currency and date is refused whole', async () => {
  const res = await t.inject({
    method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' },
    payload: 'date,currency,usd_per_unit\n2026-11-01,NGN,0.00065\n2026-11-01,NGN,0.00066\n',
  });
  assert.equal(res.statusCode, 400);
  assert.match(res.json().detail, /second rate for NGN/);
  const rows = await t.inject({ url: '/api/v1/fx-rates?currency=NGN' });
  assert.deepEqual(rows.json().rates, []);
});
