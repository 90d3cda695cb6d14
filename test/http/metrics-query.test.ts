// GET /api/v1/metrics over the real app: every KPI equals what the test computes on its own from
// the transactions it sent; grouping, filters, time-zone buckets (zero-filled, local labels), the
// coded errors, /metrics/registry, /health and the 404.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { MERCHANTS, NOW, dataset, kpis, text, type Merchant } from '../support/kpi-dataset.ts';

const { txns: TXNS, events: EVENTS } = dataset();
let t: TempApp;

before(async () => {
  t = await openTempApp({ now: () => NOW });
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
  assert.equal(res.json().accepted, EVENTS.length, res.body);
});
after(async () => { await t.close(); });

async function get(params: Record<string, string>, url = '/api/v1/metrics') {
  const res = await t.inject({ method: 'GET', url: `${url}?${new URLSearchParams(params)}` });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}

async function ok(params: Record<string, string>) {
  const r = await get({ from: '2026-11-18T00:00:00Z', to: '2026-11-20T00:00:00Z', ...params });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

const KPI_NAMES = Object.keys(kpis([])).join(',');
const of = (merchants: Merchant[]) => TXNS.filter((x) => merchants.includes(x.merchant));

test('KPIs equal the sums of the transactions sent', async () => {
  assert.ok(TXNS.some((x) => x.disputes) && TXNS.some((x) => x.refunds) && TXNS.some((x) => x.status === 'pending'));
  const body = await ok({ metrics: KPI_NAMES });
  assert.equal(body.rows.length, 1);
  assert.deepEqual(body.rows[0].metrics, kpis(TXNS));

  const gh = await ok({ metrics: KPI_NAMES, merchant_id: 'm_gh' });
  assert.deepEqual(gh.rows[0].metrics, kpis(of(['m_gh'])));
  assert.equal(gh.rows[0].metrics.chargeback_rate, null, 'no succeeded transactions: null, not 0');

  for (const merchant of ['m_sn', 'm_ng'] as const) {
    const { currency, exp } = MERCHANTS[merchant];
    const gross = of([merchant]).filter((x) => x.status === 'succeeded').reduce((s, x) => s + x.minor, 0n);
    const local = await ok({ metrics: 'gross_volume_usd', currency });
    assert.equal(local.rows[0].local.gross_volume_usd, text(gross, exp), currency);
  }
});

test('dimensions=country,region groups by both', async () => {
  const body = await ok({ metrics: 'tx_count,succeeded_count', dimensions: 'country,region' });
  const got = body.rows.map((r: { dims: Record<string, string>; metrics: Record<string, number> }) =>
    [r.dims.country, r.dims.region, r.metrics.tx_count, r.metrics.succeeded_count]);
  const want = (Object.keys(MERCHANTS) as Merchant[]).map((m) => {
    const k = kpis(of([m]));
    return [MERCHANTS[m].country, MERCHANTS[m].region, k.tx_count, k.succeeded_count];
  }).filter((r) => (r[2] as number) > 0);
  const sort = (rows: unknown[][]) => rows.map((r) => JSON.stringify(r)).sort();
  assert.deepEqual(sort(got), sort(want));
});

test('filters: merchant list, region, status, type', async () => {
  const m = await ok({ metrics: KPI_NAMES, merchant_id: 'm_sn,m_ng,no_such_merchant' });
  assert.deepEqual(m.rows[0].metrics, kpis(of(['m_sn', 'm_ng'])));
  const ecowas = await ok({ metrics: KPI_NAMES, region: 'ECOWAS' });
  assert.deepEqual(ecowas.rows[0].metrics, kpis(of(['m_sn', 'm_ng', 'm_gh'])));
  const failed = await ok({ metrics: 'tx_count,failed_count,succeeded_count', status: 'failed' });
  const nFailed = TXNS.filter((x) => x.status === 'failed').length;
  assert.deepEqual(failed.rows[0].metrics, { tx_count: nFailed, failed_count: nFailed, succeeded_count: 0 });
  const refunds = await ok({ metrics: 'refund_count,tx_count', type: 'refund' });
  assert.deepEqual(refunds.rows[0].metrics, { refund_count: kpis(TXNS).refund_count, tx_count: 0 });
  const none = await ok({ metrics: 'tx_count', merchant_id: 'no_such_merchant' });
  assert.ok(none.rows.every((r: { metrics: { tx_count: number } }) => r.metrics.tx_count === 0));
});

test('granularity=hour in Africa/Lagos: every bucket of the range, zero-filled, labelled +01:00', async () => {
  const body = await ok({ metrics: 'tx_count,success_rate', granularity: 'hour', tz: 'Africa/Lagos', from: '2026-11-19T00:00:00+01:00', to: '2026-11-20T00:00:00+01:00' });
  assert.equal(body.rows.length, 24);
  body.rows.forEach((r: { bucket: string; metrics: { tx_count: number; success_rate: number | null } }, h: number) => {
    assert.equal(r.bucket, `2026-11-19T${String(h).padStart(2, '0')}:00:00+01:00`);
    const start = Date.parse(r.bucket);
    const k = kpis(TXNS.filter((x) => x.at >= start && x.at < start + 3_600_000));
    assert.deepEqual(r.metrics, { tx_count: k.tx_count, success_rate: k.success_rate }, r.bucket);
  });
  assert.ok(body.rows.some((r: { metrics: { tx_count: number } }) => r.metrics.tx_count === 0), 'some buckets are empty');
});

test('granularity=day in Asia/Kolkata: buckets at local midnight, labelled +05:30', async () => {
  const body = await ok({ metrics: 'tx_count', granularity: 'day', tz: 'Asia/Kolkata', from: '2026-11-18T00:00:00+05:30', to: '2026-11-21T00:00:00+05:30' });
  assert.deepEqual(body.rows.map((r: { bucket: string }) => r.bucket),
    ['2026-11-18T00:00:00+05:30', '2026-11-19T00:00:00+05:30', '2026-11-20T00:00:00+05:30']);
  const day = (ms: number) => DateTime.fromMillis(ms, { zone: 'Asia/Kolkata' }).toISODate();
  assert.deepEqual(body.rows.map((r: { metrics: { tx_count: number } }) => r.metrics.tx_count),
    ['2026-11-18', '2026-11-19', '2026-11-20'].map((d) => TXNS.filter((x) => day(x.at) === d).length));
});

test('bad requests are problem+json with stable codes', async () => {
  const day = 86_400_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const cases: Array<[Record<string, string>, number, string]> = [
    [{ metrics: 'tx_count,no_such_metric' }, 400, 'unknown_metric'],
    [{ dimensions: 'planet' }, 400, 'unknown_dimension'],
    [{ tz: 'Mars/Olympus_Mons' }, 400, 'invalid_time_zone'],
    [{ from: '2026-11-19T00:00:00Z', to: '2026-11-18T00:00:00Z' }, 400, 'invalid_range'],
    [{ granularity: 'minute', from: iso(NOW - 60 * day), to: iso(NOW) }, 422, 'range_too_large'],
    [{ granularity: 'minute', from: iso(NOW - 200 * day), to: iso(NOW - 200 * day + 3_600_000) }, 422, 'beyond_retention'],
    [{ country: 'ZZ' }, 400, 'invalid_parameter'],
    [{ country: 'sn' }, 400, 'invalid_parameter'],
    [{ region: 'ATLANTIS' }, 400, 'invalid_parameter'],
    [{ from: 'yesterday' }, 400, 'invalid_parameter'],
    [{ granularity: 'fortnight' }, 400, 'invalid_parameter'],
  ];
  for (const [params, status, code] of cases) {
    const r = await get(params);
    assert.equal(r.status, status, `${JSON.stringify(params)} → ${JSON.stringify(r.body)}`);
    assert.match(r.type, /^application\/problem\+json/);
    assert.equal(r.body.code, code, JSON.stringify(params));
    assert.equal(r.body.status, status);
    assert.equal(typeof r.body.detail, 'string');
  }
});

test('the registry lists every metric, dimension and granularity', async () => {
  const r = await get({}, '/api/v1/metrics/registry');
  assert.equal(r.status, 200);
  const byName = new Map(r.body.metrics.map((m: { name: string }) => [m.name, m]));
  for (const name of [...KPI_NAMES.split(','), 'gross_volume_usd', 'avg_ticket_usd', 'net_volume_usd', 'payout_count']) assert.ok(byName.has(name), name);
  assert.deepEqual(byName.get('gross_volume_usd'), {
    name: 'gross_volume_usd', label: { en: 'Gross volume', fr: 'Volume brut' }, description: 'Amount of succeeded transactions, in USD.',
    unit: 'usd', kind: 'additive', parts: null, volume: 'tx_count', better: 'higher', local_available: true,
  });
  assert.deepEqual(byName.get('success_rate'), {
    name: 'success_rate', label: { en: 'Success rate', fr: 'Taux de réussite' }, description: 'succeeded / (succeeded + failed); pending ones are left out.',
    unit: 'ratio', kind: 'ratio', volume: 'tx_count', better: 'higher', local_available: false,
    parts: { num: [{ metric: 'succeeded_count', sign: 1 }], den: [{ metric: 'succeeded_count', sign: 1 }, { metric: 'failed_count', sign: 1 }] },
  });
  assert.equal((byName.get('avg_ticket_usd') as { kind: string }).kind, 'opaque');
  assert.equal((byName.get('refund_volume_usd') as { volume: string }).volume, 'refund_count');
  assert.equal((byName.get('tx_count') as { local_available: boolean }).local_available, false);
  assert.equal((byName.get('pending_count') as { better: string | null }).better, null);
  assert.deepEqual(r.body.kpis, ['gross_volume_usd', 'tx_count', 'success_rate', 'refund_rate', 'chargeback_rate', 'avg_ticket_usd', 'net_volume_usd']);
  assert.deepEqual(r.body.dimensions, ['merchant_id', 'country', 'region', 'city', 'currency', 'payment_method', 'provider', 'type', 'status']);
  assert.deepEqual(r.body.granularities, ['minute', 'hour', 'day', 'week', 'month', 'all']);
});

test('/health shows the ingest counters; an unknown route is a problem+json 404', async () => {
  await t.inject({ method: 'POST', url: '/api/v1/events', payload: [{ ...EVENTS[0], event_id: 'bad_1', currency: 'XYZ' }, EVENTS[0]] });
  const health = await get({}, '/health');
  assert.equal(health.status, 200);
  assert.equal(health.body.status, 'ok');
  assert.equal(health.body.ingest.accepted, EVENTS.length);
  assert.equal(health.body.ingest.duplicates, 1);
  assert.equal(health.body.ingest.rejected, 1);
  assert.deepEqual(health.body.ingest.rejected_by_code, { unknown_currency: 1 });
  assert.equal(health.body.ingest.batches, 2);
  const latest = Math.max(...EVENTS.map((e) => Date.parse(e.occurred_at as string)));
  assert.equal(health.body.as_of, new Date(latest).toISOString());

  const missing = await t.inject({ method: 'GET', url: '/api/v1/nope?x=1' });
  assert.equal(missing.statusCode, 404);
  assert.match(String(missing.headers['content-type']), /^application\/problem\+json/);
  assert.equal(missing.json().code, 'not_found');
  assert.match(missing.json().detail, /GET \/api\/v1\/nope$/);
});
