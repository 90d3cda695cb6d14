// Dates a client names outside an event: query ranges, alert and silence times, FX rate dates.
// An impossible date (February 30, hour 24, second 60) is a 400, as it is on ingest, never
// rolled over into the next month; FX rates carry dates only within the span they can apply to.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { fxDateBounds } from '../../src/fx/fx-rates.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let t: TempApp;
before(async () => { t = await openTempApp({ now: () => NOW }); });
after(async () => { await t.close(); });

const IMPOSSIBLE = [
  '2026-02-30T00:00:00Z', '2026-02-29T00:00:00Z', '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-10T00:00:00Z',
  '2026-11-19T24:00:00Z', '2026-11-19T23:60:00Z', '2026-11-19T23:59:60Z', '2026-11-19T10:00:00+24:00', '2026-11-19T10:00:00',
];

async function assertRefused(url: string, code = 'invalid_parameter') {
  const res = await t.inject({ url });
  assert.equal(res.statusCode, 400, `${url} → ${res.statusCode} ${res.body}`);
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  assert.equal(res.json().code, code, url);
}

test('impossible from/to dates are 400 on every route that reads a range, not the next month', async () => {
  for (const bad of IMPOSSIBLE) {
    const q = encodeURIComponent(bad);
    await assertRefused(`/api/v1/metrics?from=${q}&to=2026-11-20T00:00:00Z`);
    await assertRefused(`/api/v1/metrics?from=2026-01-01T00:00:00Z&to=${q}`);
    await assertRefused(`/api/analytics/summary?from=${q}&to=2026-11-20T00:00:00Z`);
    await assertRefused(`/api/analytics/timeseries?from=${q}&to=2026-11-20T00:00:00Z`);
    await assertRefused(`/api/v1/events?from=${q}`);
    await assertRefused(`/api/v1/events/stats?to=${q}`);
    await assertRefused(`/api/analytics/alerts?from=${q}`);
  }
});

test('possible dates are read exactly, a leap day included, in any offset', async () => {
  const res = await t.inject({ url: '/api/v1/metrics?from=2024-02-29T01:00:00%2B01:00&to=2024-03-01T00:00:00.000Z&granularity=all' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().from, '2024-02-29T00:00:00.000Z');
  assert.equal(res.json().to, '2024-03-01T00:00:00.000Z');
});

test('instants before 1970 or from 2200 on are 400 invalid_range, not an SQL or calendar error', async () => {
  await assertRefused('/api/v1/metrics?from=1969-12-31T23:59:59Z&to=2026-11-20T00:00:00Z', 'invalid_range');
  await assertRefused('/api/v1/metrics?from=2026-11-19T00:00:00Z&to=2200-01-01T00:00:01Z', 'invalid_range');
  await assertRefused('/api/analytics/alerts?from=0000-01-01T00:00:00Z', 'invalid_range');
});

test('a silence with an impossible end is 400 and nothing is stored', async () => {
  const res = await t.inject({
    method: 'POST', url: '/api/analytics/alerts/silences',
    payload: { matchers: { labels: { country: 'SN' } }, ends_at: '2026-02-30T00:00:00Z' },
  });
  assert.equal(res.statusCode, 400, res.body);
  assert.equal(res.json().code, 'invalid_parameter');
  assert.match(res.json().detail, /ends_at/);
  const list = await t.inject({ url: '/api/analytics/alerts/silences' });
  assert.deepEqual(list.json().items, []);
});

const putCsv = (csv: string) => t.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: csv });

test('FX dates outside 1970-01-01 … today + 400 days are refused, naming the CSV line', async () => {
  const { first, last } = fxDateBounds(NOW);
  assert.deepEqual([first, last], ['1970-01-01', '2027-12-25']);
  const csv = [
    'date,currency,usd_per_unit', '2026-11-10,EUR,1.08', '', '0100-01-01,EUR,1.1', '9999-12-31,EUR,1.1',
    '1969-12-31,EUR,1.1', '2027-12-26,EUR,1.1', '2027-12-25,NGN,0.0006', '1970-01-01,NGN,0.5', '2026-02-30,EUR,1.1',
  ].join('\n');
  const res = await putCsv(csv);
  assert.equal(res.statusCode, 400, res.body);
  const body = res.json();
  assert.equal(body.code, 'invalid_fx_rates');
  // Line numbers are the file's own: the blank line 3 counts.
  assert.deepEqual(body.problems.map((p: string) => p.split(':')[0]), ['line 4', 'line 5', 'line 6', 'line 7', 'line 10']);
  assert.match(body.problems[0], /0100-01-01 is outside 1970-01-01 to 2027-12-25/);
  assert.match(body.problems[4], /2026-02-30.* not a possible YYYY-MM-DD date/);
  assert.deepEqual((await t.inject({ url: '/api/v1/fx-rates' })).json().rates, [], 'nothing loaded');

  const json = await t.inject({
    method: 'PUT', url: '/api/v1/fx-rates', payload: { rates: [{ date: '2026-11-10', currency: 'EUR', usd_per_unit: '1.08' }, { date: '0100-01-01', currency: 'EUR', usd_per_unit: '1.1' }] },
  });
  assert.equal(json.statusCode, 400);
  assert.deepEqual(json.json().problems.map((p: string) => p.split(':')[0]), ['row 2']);

  const edges = await putCsv('date,currency,usd_per_unit\n1970-01-01,NGN,0.5\n2027-12-25,NGN,0.0006\n');
  assert.equal(edges.statusCode, 200, edges.body);
  assert.equal(edges.json().loaded, 2);
});
