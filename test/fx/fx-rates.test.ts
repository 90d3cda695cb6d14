// FX through the HTTP app: PUT/GET /api/v1/fx-rates (CSV and JSON) and the USD figures of
// GET /api/v1/metrics. USD is derived at read time from exact local sums and the rate in force
// on each event's UTC date; events without a rate are counted, never dropped.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { runRetention } from '../../src/retention/run-retention.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const RANGE = 'from=2026-11-01T00:00:00Z&to=2026-11-20T00:00:00Z';

async function withApp(fn: (t: TempApp) => Promise<void>): Promise<void> {
  const t = await openTempApp({ now: () => NOW });
  try {
    await fn(t);
  } finally {
    await t.close();
  }
}

let seq = 0;
function pay(currency: string, country: string, amount: string, at: string, extra: Record<string, unknown> = {}) {
  seq++;
  return {
    event_id: `fx_${seq}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: at,
    txn_id: `fx_tx_${seq}`, merchant_id: `m_${seq}`, amount, currency, country, ...extra,
  };
}

async function send(t: TempApp, events: unknown[]): Promise<void> {
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().accepted, events.length, res.body);
}

async function putCsv(t: TempApp, csv: string) {
  return t.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: csv });
}

async function metrics(t: TempApp, qs: string) {
  const res = await t.inject({ method: 'GET', url: `/api/v1/metrics?${RANGE}&${qs}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

/** USD of a merchant, from a query grouped by merchant_id. */
function usdOf(body: { rows: Array<{ dims: Record<string, string>; metrics: Record<string, number | null> }> }, merchant: string) {
  const row = body.rows.find((r) => r.dims.merchant_id === merchant);
  assert.ok(row, `no row for ${merchant}`);
  return row.metrics.gross_volume_usd;
}

function assertClose(actual: number | null, expected: number, what = '') {
  assert.ok(actual !== null, `${what}: got null, expected ${expected}`);
  assert.ok(Math.abs(actual - expected) <= 1e-9 * Math.abs(expected), `${what}: got ${actual}, expected ${expected}`);
}

test('a currency without a rate is counted as unconverted, then converted when its rate arrives', () => withApp(async (t) => {
  // NGN has exponent 2: 1000.25 + 234.25 = 123450 minor units; one failed NGN transaction too.
  await send(t, [
    pay('NGN', 'NG', '1000.25', '2026-11-18T10:00:00Z'),
    pay('NGN', 'NG', '234.25', '2026-11-18T11:00:00+01:00'),
    pay('NGN', 'NG', '77.00', '2026-11-18T12:00:00Z', { status: 'failed' }),
    pay('EUR', 'FR', '20.00', '2026-11-18T12:00:00Z'),
  ]);
  // EUR gets a rate first: only NGN waits.
  assert.equal((await putCsv(t, 'date,currency,usd_per_unit\n2026-11-01,EUR,1.08\n')).statusCode, 200);
  const before = await metrics(t, 'metrics=tx_count,succeeded_count,failed_count,gross_volume_usd');
  assert.equal(before.unconverted_events, 3);
  assert.deepEqual([before.rows[0].metrics.tx_count, before.rows[0].metrics.succeeded_count, before.rows[0].metrics.failed_count], [4, 3, 1]);
  assertClose(before.rows[0].metrics.gross_volume_usd, 2000 * 1.08 / 100, 'EUR only');

  const put = await putCsv(t, 'date,currency,usd_per_unit\r\n2026-11-17,NGN,0.00065\r\n');
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json(), { loaded: 1 });
  const after = await metrics(t, 'metrics=tx_count,succeeded_count,gross_volume_usd');
  assert.equal(after.unconverted_events, 0);
  assert.equal(after.rows[0].metrics.tx_count, 4);
  assertClose(after.rows[0].metrics.gross_volume_usd, (123450 * 0.00065) / 100 + (2000 * 1.08) / 100, 'NGN + EUR');

  // A corrected rate for the same date and currency replaces the old one and every answer.
  await putCsv(t, 'date,currency,usd_per_unit\n2026-11-17,NGN,0.0007\n');
  const listed = (await t.inject({ method: 'GET', url: '/api/v1/fx-rates?currency=NGN' })).json();
  assert.deepEqual(listed.rates.map((r: { date: string; usd_per_unit: string }) => [r.date, Number(r.usd_per_unit)]), [['2026-11-17', 0.0007]]);
  const corrected = await metrics(t, 'metrics=gross_volume_usd&currency=NGN');
  assertClose(corrected.rows[0].metrics.gross_volume_usd, (123450 * 0.0007) / 100, 'corrected NGN');
}));

test('the rate in force is the latest on or before the event\'s UTC date', () => withApp(async (t) => {
  const early = pay('NGN', 'NG', '100.00', '2026-11-05T10:00:00Z'); // before the first rate
  const between = pay('NGN', 'NG', '100.00', '2026-11-12T10:00:00Z'); // after the first, before the second
  const onSecond = pay('NGN', 'NG', '100.00', '2026-11-15T00:00:00Z'); // exactly on the second date
  const localNext = pay('NGN', 'NG', '100.00', '2026-11-15T00:30:00+01:00'); // UTC 2026-11-14: the first rate
  const later = pay('NGN', 'NG', '100.00', '2026-11-18T23:59:00Z');
  await send(t, [early, between, onSecond, localNext, later]);
  const put = await t.inject({
    method: 'PUT', url: '/api/v1/fx-rates',
    payload: { rates: [{ date: '2026-11-10', currency: 'NGN', usd_per_unit: '0.0006' }, { date: '2026-11-15', currency: 'NGN', usd_per_unit: 0.0007 }] },
  });
  assert.equal(put.statusCode, 200, put.body);
  assert.deepEqual(put.json(), { loaded: 2 });

  const body = await metrics(t, 'metrics=gross_volume_usd&dimensions=merchant_id');
  assert.equal(body.unconverted_events, 1);
  assert.ok(!((usdOf(body, early.merchant_id) ?? 0) > 0), 'the event before the first rate stays unconverted');
  assertClose(usdOf(body, between.merchant_id), 10000 * 0.0006 / 100, 'between');
  assertClose(usdOf(body, onSecond.merchant_id), 10000 * 0.0007 / 100, 'on the second date');
  assertClose(usdOf(body, localNext.merchant_id), 10000 * 0.0006 / 100, 'UTC date, not local date');
  assertClose(usdOf(body, later.merchant_id), 10000 * 0.0007 / 100, 'later');
}));

test('XOF and XAF are derived from EUR at 655.957; an explicit XOF rate for a date wins', () => withApp(async (t) => {
  const xofDerived = pay('XOF', 'SN', '655957', '2026-11-11T10:00:00Z');
  const xofExplicit = pay('XOF', 'SN', '655957', '2026-11-12T10:00:00Z');
  const xaf = pay('XAF', 'CM', '655957', '2026-11-12T10:00:00Z');
  await send(t, [xofDerived, xofExplicit, xaf]);
  await putCsv(t, 'date,currency,usd_per_unit\n2026-11-10,EUR,1.08\n2026-11-12,EUR,1.10\n');
  let body = await metrics(t, 'metrics=gross_volume_usd&dimensions=merchant_id');
  assert.equal(body.unconverted_events, 0);
  assertClose(usdOf(body, xofDerived.merchant_id), 1080, 'XOF from EUR of 2026-11-10');
  assertClose(usdOf(body, xofExplicit.merchant_id), 1100, 'XOF from EUR of 2026-11-12');
  assertClose(usdOf(body, xaf.merchant_id), 1100, 'XAF from EUR');

  await putCsv(t, 'date,currency,usd_per_unit\n2026-11-12,XOF,0.002\n');
  body = await metrics(t, 'metrics=gross_volume_usd&dimensions=merchant_id');
  assertClose(usdOf(body, xofExplicit.merchant_id), 655957 * 0.002, 'explicit XOF rate');
  assertClose(usdOf(body, xofDerived.merchant_id), 1080, 'other dates keep the derived rate');
  assertClose(usdOf(body, xaf.merchant_id), 1100, 'XAF still derived');
}));

test('USD converts at 1 with no rates loaded', () => withApp(async (t) => {
  await send(t, [pay('USD', 'US', '10.50', '2026-11-18T10:00:00Z'), pay('USD', 'CI', '0.25', '2026-11-19T10:00:00Z')]);
  const body = await metrics(t, 'metrics=gross_volume_usd,avg_ticket_usd');
  assert.equal(body.unconverted_events, 0);
  assertClose(body.rows[0].metrics.gross_volume_usd, 10.75, 'USD at 1');
  assertClose(body.rows[0].metrics.avg_ticket_usd, 10.75 / 2, 'avg ticket');
}));

test('USD converts at 1 once the start-up job (retention, as main.ts runs it) has built the rate table', () => withApp(async (t) => {
  await send(t, [pay('USD', 'US', '10.50', '2026-11-18T10:00:00Z'), pay('USD', 'CI', '0.25', '2026-11-19T10:00:00Z')]);
  await runRetention(t.platform.store, t.platform.engine, { rawDays: 90, minuteDays: 180, hourDays: 365 }, NOW);
  const body = await metrics(t, 'metrics=gross_volume_usd,avg_ticket_usd');
  assert.equal(body.unconverted_events, 0);
  assertClose(body.rows[0].metrics.gross_volume_usd, 10.75, 'USD at 1');
  assertClose(body.rows[0].metrics.avg_ticket_usd, 10.75 / 2, 'avg ticket');
}));

test('USD converts at 1 before the first USD row of a loaded rates file', () => withApp(async (t) => {
  await send(t, [pay('USD', 'US', '10.50', '2026-11-03T10:00:00Z')]);
  await putCsv(t, 'date,currency,usd_per_unit\n2026-11-10,USD,1\n2026-11-10,EUR,1.08\n');
  const body = await metrics(t, 'metrics=gross_volume_usd');
  assert.equal(body.unconverted_events, 0);
  assertClose(body.rows[0].metrics.gross_volume_usd, 10.5, 'USD at 1');
}));

test('bad rows answer 400 invalid_fx_rates naming each CSV line (or JSON row), and nothing is loaded', () => withApp(async (t) => {
  const csv = 'date,currency,usd_per_unit\n2026-11-10,NGN,0.00065\n2026-11-31,NGN,0.0006\n2026-11-10,XYZ,1\n2026-11-11,KES,-1\n2026-11-12,GHS,abc\n';
  const res = await putCsv(t, csv);
  assert.equal(res.statusCode, 400);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, 'invalid_fx_rates');
  assert.match(body.detail, /line 3\b.*2026-11-31/);
  assert.deepEqual(body.problems.map((p: string) => p.split(':')[0]), ['line 3', 'line 4', 'line 5', 'line 6']);

  const json = await t.inject({
    method: 'PUT', url: '/api/v1/fx-rates',
    payload: { rates: [{ date: '2026-11-10', currency: 'EUR', usd_per_unit: '1.08' }, { date: '2026-11-10', currency: 'eur', usd_per_unit: '1.08' }] },
  });
  assert.equal(json.statusCode, 400);
  assert.equal(json.json().code, 'invalid_fx_rates');
  assert.match(json.json().detail, /row 2\b/);

  for (const payload of ['when,what\n2026-11-10,EUR\n', JSON.stringify({ nope: [] })]) {
    const bad = await t.inject({
      method: 'PUT', url: '/api/v1/fx-rates', payload,
      headers: { 'content-type': payload.startsWith('{') ? 'application/json' : 'text/csv' },
    });
    assert.equal(bad.statusCode, 400, payload);
    assert.equal(bad.json().code, 'invalid_fx_rates');
  }
  const listed = await t.inject({ method: 'GET', url: '/api/v1/fx-rates' });
  assert.deepEqual(listed.json(), { rates: [] });
}));

test('with one currency selected, money metrics also come back as exact local decimals', () => withApp(async (t) => {
  await send(t, [
    pay('NGN', 'NG', '1000.25', '2026-11-18T10:00:00Z', { fee: '10.05' }),
    pay('NGN', 'NG', '234.25', '2026-11-18T11:00:00Z'),
    pay('NGN', 'NG', '9999.99', '2026-11-18T11:00:00Z', { status: 'failed' }),
    pay('XOF', 'SN', '5000', '2026-11-18T11:00:00Z'),
  ]);
  const body = await metrics(t, 'metrics=tx_count,gross_volume_usd,fees_usd,net_volume_usd,avg_ticket_usd&currency=NGN');
  assert.equal(body.currency, 'NGN');
  assert.equal(body.rows[0].metrics.tx_count, 3);
  // The average ticket: 123450 minor units over the 2 sales (NGN has no rate here: its USD
  // average is null, its local one counts every sale).
  assert.deepEqual(body.rows[0].local, { gross_volume_usd: '1234.50', fees_usd: '10.05', net_volume_usd: '1224.45', avg_ticket_usd: '617.25' });
  const xof = await metrics(t, 'metrics=gross_volume_usd&currency=XOF');
  assert.deepEqual(xof.rows[0].local, { gross_volume_usd: '5000' });
  // Rounded, not truncated: 123452 / 3 = 41150.67 → 41151.
  await send(t, [pay('NGN', 'NG', '0.02', '2026-11-18T12:00:00Z'), pay('XAF', 'CM', '700', '2026-11-18T12:00:00Z', { status: 'failed' })]);
  assert.deepEqual((await metrics(t, 'metrics=avg_ticket_usd&currency=NGN')).rows[0].local, { avg_ticket_usd: '411.51' });
  // No sale in XAF (one failed payment): no average, while the sums are 0.
  assert.deepEqual((await metrics(t, 'metrics=avg_ticket_usd,gross_volume_usd&currency=XAF')).rows[0].local, { gross_volume_usd: '0' });
  const two = await metrics(t, 'metrics=gross_volume_usd&currency=NGN,XOF');
  assert.equal(two.currency, null);
  assert.equal(two.rows[0].local, undefined);
}));
