// The /api/analytics endpoints over the real app and store, checked against the KPIs computed
// directly from the transactions sent (test/support/kpi-dataset.ts): summary with its previous
// period and change, KPIs in USD, the zero-filled series, rankings, breakdown, overview, live
// and the dashboard metrics; FX freshness; the cache following ingest and FX loads.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { MERCHANTS, NOW, START, dataset, kpis, text, type Merchant, type Txn } from '../support/kpi-dataset.ts';
import { bearer, mintToken } from '../support/tokens.ts';

const { txns: TXNS, events: EVENTS } = dataset();
const USD_PER_UNIT: Record<string, number> = { XOF: 0.0016, XAF: 0.0016, NGN: 0.00065, KES: 0.0077, GHS: 0.08 };
const RANGE = { from: '2026-11-18T00:00:00Z', to: '2026-11-20T00:00:00Z' };
let t: TempApp;
let unconvertedBeforeRates: number;

before(async () => {
  t = await openTempApp({ now: () => NOW, parts: ['live-feed'] });
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
  assert.equal(res.json().accepted, EVENTS.length, res.body);
  unconvertedBeforeRates = (await get('/api/analytics/kpis', RANGE)).unconverted_events;
  const csv = ['date,currency,usd_per_unit', ...Object.entries(USD_PER_UNIT).map(([c, r]) => `2026-11-01,${c},${r}`)].join('\n');
  const fx = await t.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: csv });
  assert.equal(fx.statusCode, 200, fx.body);
});
after(async () => { await t.close(); });

async function get(url: string, params: Record<string, string> = {}, token?: string) {
  const res = await t.inject({ method: 'GET', url: `${url}?${new URLSearchParams(params)}`, headers: token ? bearer(token) : {} });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

const exponent = (m: Merchant) => MERCHANTS[m].exp;
const usd = (x: Txn) => (Number(x.minor) / 10 ** exponent(x.merchant)) * USD_PER_UNIT[MERCHANTS[x.merchant].currency];
const within = (a: number, b: number) => assert.ok(Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);

test('FX freshness: events wait for a rate, then convert', async () => {
  assert.equal(unconvertedBeforeRates, TXNS.length + TXNS.reduce((s, x) => s + x.refunds + x.disputes, 0));
  const body = await get('/api/analytics/kpis', RANGE);
  assert.equal(body.unconverted_events, 0, 'the FX load invalidated the cached answer');
  assert.equal(body.as_of, new Date(Math.max(...EVENTS.map((e) => Date.parse(String(e.occurred_at))))).toISOString());
});

test('kpis: the business KPIs equal the sums of the transactions, in USD', async () => {
  const body = await get('/api/analytics/kpis', RANGE);
  assert.deepEqual(Object.keys(body.metrics).sort(),
    ['avg_ticket_usd', 'chargeback_rate', 'gross_volume_usd', 'net_volume_usd', 'refund_rate', 'success_rate', 'tx_count']);
  const k = kpis(TXNS);
  const succeeded = TXNS.filter((x) => x.status === 'succeeded');
  const gross = succeeded.reduce((s, x) => s + usd(x), 0);
  assert.equal(body.metrics.tx_count, k.tx_count);
  assert.equal(body.metrics.success_rate, k.success_rate);
  assert.equal(body.metrics.chargeback_rate, k.chargeback_rate);
  within(body.metrics.gross_volume_usd, gross);
  within(body.metrics.avg_ticket_usd, gross / succeeded.length);
  // The previous two days hold nothing: counts 0, ratios null, change null.
  assert.equal(body.previous.tx_count, 0);
  assert.equal(body.previous.success_rate, null);
  assert.equal(body.change.tx_count, null);
});

test('summary: previous period of equal length and the relative change', async () => {
  const day1 = TXNS.filter((x) => x.at < START + 86_400_000);
  const day2 = TXNS.filter((x) => x.at >= START + 86_400_000);
  const body = await get('/api/analytics/summary', { from: '2026-11-19T00:00:00Z', to: '2026-11-20T00:00:00Z', metrics: 'tx_count,success_rate' });
  assert.deepEqual(Object.keys(body.metrics), ['tx_count', 'success_rate']);
  assert.equal(body.metrics.tx_count, day2.length);
  assert.equal(body.previous.tx_count, day1.length);
  within(body.change.tx_count, (day2.length - day1.length) / day1.length);
  within(body.change.success_rate, (kpis(day2).success_rate! - kpis(day1).success_rate!) / kpis(day1).success_rate!);
  assert.equal(body.from, '2026-11-19T00:00:00.000Z');
});

test('summary in one currency gives exact local sums as decimal strings', async () => {
  const body = await get('/api/analytics/summary', { ...RANGE, currency: 'NGN', metrics: 'gross_volume_usd,tx_count' });
  const gross = TXNS.filter((x) => x.merchant === 'm_ng' && x.status === 'succeeded').reduce((s, x) => s + x.minor, 0n);
  assert.equal(body.currency, 'NGN');
  assert.equal(body.local.gross_volume_usd, text(gross, 2));
  assert.equal(body.previous_local.gross_volume_usd, '0');
});

test('timeseries: every bucket present, labelled in the zone, zeros and nulls where empty', async () => {
  const body = await get('/api/analytics/timeseries', { ...RANGE, tz: 'Africa/Lagos', granularity: 'hour', metrics: 'tx_count,success_rate' });
  assert.equal(body.points.length, 48);
  assert.equal(body.points[0].ts, '2026-11-18T01:00:00+01:00');
  assert.equal(body.points[47].ts, '2026-11-20T00:00:00+01:00');
  assert.equal(body.points.reduce((s: number, p: { tx_count: number }) => s + p.tx_count, 0), TXNS.length);
  const empty = body.points.find((p: { tx_count: number }) => p.tx_count === 0);
  if (empty) assert.equal(empty.success_rate, null);
  const daily = await get('/api/analytics/timeseries', { ...RANGE, granularity: 'day', metrics: 'tx_count' });
  assert.deepEqual(daily.points.map((p: { ts: string }) => p.ts), ['2026-11-18T00:00:00+00:00', '2026-11-19T00:00:00+00:00']);
});

test('top merchants and countries are ordered by the metric; breakdown drills down', async () => {
  const top = await get('/api/analytics/top/merchants', { ...RANGE, metric: 'tx_count', limit: '3' });
  const counts = (Object.keys(MERCHANTS) as Merchant[]).map((m) => [m, TXNS.filter((x) => x.merchant === m).length] as const)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  assert.equal(top.metric, 'tx_count');
  // Ties may come in any order: check each value, and that the values descend like the truth's.
  assert.deepEqual(top.items.map((i: { value: number }) => i.value), counts.slice(0, 3).map((c) => c[1]));
  for (const i of top.items) assert.equal(i.value, TXNS.filter((x) => x.merchant === i.merchant_id).length);
  assert.ok('gross_volume_usd' in top.items[0].metrics);

  const countries = await get('/api/analytics/top/countries', { ...RANGE, metric: 'tx_count' });
  assert.deepEqual(countries.items.map((i: { country: string; value: number }) => i.value).sort((a: number, b: number) => b - a),
    counts.map((c) => c[1]));

  const regions = await get('/api/analytics/breakdown', { ...RANGE, dimension: 'region', metric: 'tx_count' });
  assert.equal(regions.dimension, 'region');
  const ecowas = regions.items.find((i: { key: string }) => i.key === 'ECOWAS');
  assert.equal(ecowas.metrics.tx_count, TXNS.filter((x) => MERCHANTS[x.merchant].region === 'ECOWAS').length);
  const inEcowas = await get('/api/analytics/breakdown', { ...RANGE, dimension: 'country', region: 'ECOWAS', metric: 'tx_count' });
  assert.deepEqual(inEcowas.items.map((i: { key: string }) => i.key).sort(), ['GH', 'NG', 'SN']);
});

test('breakdown without a dimension, unknown metric, bad granularity: problem+json', async () => {
  for (const url of ['/api/analytics/breakdown', '/api/analytics/summary?metrics=nope', '/api/analytics/timeseries?granularity=year']) {
    const res = await t.inject({ method: 'GET', url });
    assert.equal(res.statusCode, 400, url);
    assert.match(String(res.headers['content-type']), /problem\+json/);
    assert.ok(res.json().code);
  }
});

test('overview: KPIs, series, rankings and regions in one answer; no merchant ranking for a merchant', async () => {
  const body = await get('/api/analytics/overview', RANGE);
  assert.equal(body.kpis.metrics.tx_count, TXNS.length);
  assert.equal(body.series.granularity, 'hour');
  assert.equal(body.series.points.length, 48);
  // The previous period (the 48 hours before) has no events: its series is there, aligned, empty.
  assert.equal(body.series.previous.length, 48);
  assert.ok(body.series.previous.every((p: { tx_count: number }) => p.tx_count === 0));
  assert.ok(body.top_merchants.length > 0 && body.top_countries.length > 0 && body.regions.length > 0);
  const merchant = await mintToken({ roles: ['merchant_admin'], merchantId: 'm_ke' });
  const mine = await get('/api/analytics/overview', RANGE, merchant);
  assert.equal(mine.top_merchants, null);
  assert.equal(mine.kpis.metrics.tx_count, TXNS.filter((x) => x.merchant === 'm_ke').length);
});

test('overview: the previous period\'s series, bucket for bucket one span earlier', async () => {
  const later = { from: '2026-11-20T00:00:00Z', to: '2026-11-22T00:00:00Z' };
  const body = await get('/api/analytics/overview', later);
  const { points, previous } = body.series as { points: Array<{ ts: string; tx_count: number }>; previous: Array<{ ts: string; tx_count: number }> };
  assert.equal(previous.length, points.length);
  points.forEach((p, i) => assert.equal(Date.parse(p.ts) - Date.parse(previous[i].ts), 48 * 3_600_000));
  // The previous period is RANGE, which holds every transaction; hour by hour as RANGE's own series.
  const range = await get('/api/analytics/overview', RANGE);
  assert.deepEqual(previous.map((p) => p.tx_count), range.series.points.map((p: { tx_count: number }) => p.tx_count));
  assert.equal(previous.reduce((n, p) => n + p.tx_count, 0), TXNS.length);
  assert.equal(body.kpis.previous.tx_count, TXNS.length);
});

test('live: the last 60 minutes by minute follow ingest at once (the cache is invalidated)', async () => {
  const before = await get('/api/analytics/live');
  assert.equal(before.points.length, 60);
  assert.equal(before.totals.tx_count, 0);
  const at = new Date(NOW - 5 * 60_000).toISOString();
  const ev = { event_id: 'live_1', type: 'wallet_txn_created', status: 'succeeded', txn_id: 'live_1', merchant_id: 'm_sn', amount: '1000', currency: 'XOF', country: 'SN', occurred_at: at };
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: [ev] })).statusCode, 200);
  const after = await get('/api/analytics/live');
  assert.equal(after.totals.tx_count, 1);
  assert.equal(after.totals.succeeded_count, 1);
  assert.equal(after.points.filter((p: { tx_count: number }) => p.tx_count === 1).length, 1);
  assert.equal(after.points.at(-1).ts, '2026-11-20T12:00:00+00:00');
});

test('dashboard metrics: the last 24 h, 7 and 30 days', async () => {
  const body = await get('/api/v1/dashboard/metrics');
  assert.deepEqual(Object.keys(body.periods), ['last_24h', 'last_7d', 'last_30d']);
  assert.ok(body.periods.last_7d.metrics.tx_count >= TXNS.length);
});

test('rankings in one currency carry exact local sums', async () => {
  const body = await get('/api/analytics/breakdown', { ...RANGE, dimension: 'merchant_id', currency: 'KES', metric: 'gross_volume_usd' });
  assert.equal(body.currency, 'KES');
  assert.deepEqual(body.items.map((i: { key: string }) => i.key), ['m_ke']);
  const gross = TXNS.filter((x) => x.merchant === 'm_ke' && x.status === 'succeeded').reduce((s, x) => s + x.minor, 0n);
  assert.equal(body.items[0].local.gross_volume_usd, text(gross, 2));
});

test('a network-wide viewer without analytics:ops gets no ranking of merchants, under any route', async () => {
  const viewer = await mintToken({ sub: 'analyst', roles: ['analytics:view'] });
  const call = (url: string) => t.inject({ method: 'GET', url, headers: bearer(viewer) });
  assert.equal((await call(`/api/analytics/breakdown?dimension=merchant_id`)).statusCode, 403);
  assert.equal((await call(`/api/v1/metrics?dimensions=country,merchant_id`)).statusCode, 403);
  assert.equal((await call(`/api/analytics/top/merchants`)).statusCode, 403);
  const overview = await call(`/api/analytics/overview?from=${RANGE.from}&to=${RANGE.to}`);
  assert.equal(overview.statusCode, 200);
  assert.equal(overview.json().top_merchants, null);
  assert.equal((await call(`/api/analytics/breakdown?dimension=country`)).statusCode, 200);
});

test('a previous period beyond the rollups\' retention is unknown (null), not an error', async () => {
  const body = await get('/api/analytics/summary', { from: '2026-05-01T05:00:00Z', to: '2026-11-20T05:00:00Z', metrics: 'tx_count' });
  assert.equal(body.metrics.tx_count, TXNS.length);
  assert.equal(body.previous.tx_count, null);
  assert.equal(body.change.tx_count, null);
});

test('a query past QUERY_MAX_ROWS is 422 result_too_large', async () => {
  const small = await openTempApp({ now: () => NOW, env: { QUERY_MAX_ROWS: '10' } });
  try {
    await small.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
    const res = await small.inject({ method: 'GET', url: `/api/v1/metrics?from=${RANGE.from}&to=${RANGE.to}&granularity=hour&dimensions=merchant_id&metrics=tx_count` });
    assert.equal(res.statusCode, 422, res.body.slice(0, 200));
    assert.equal(res.json().code, 'result_too_large');
    const limited = await small.inject({ method: 'GET', url: `/api/v1/metrics?from=${RANGE.from}&to=${RANGE.to}&granularity=hour&dimensions=merchant_id&metrics=tx_count&limit=5` });
    assert.equal(limited.statusCode, 200);
  } finally {
    await small.close();
  }
});
