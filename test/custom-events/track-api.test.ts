// POST /api/v1/track and GET /api/v1/custom-events/{name}/stats on the real app (embedded
// DuckDB, PGlite): definitions enforced (a bad property is dead-lettered with its text, good
// events of the same body kept), an undefined type kept and counted only, dedupe (a resend, with
// or without event_id, changes no total; another content under the same id is a conflict), the
// stats per interval and group against the exact values, money summed exactly per currency,
// and scope (a merchant's token can neither track nor read; deny by default).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

const NOW = Date.parse('2026-03-10T12:00:00Z');
let t: TempApp;
before(async () => {
  t = await openTempApp({ now: () => NOW });
  const def = await t.inject({
    method: 'POST', url: '/api/v1/custom-events', payload: {
      name: 'order.filled',
      properties: [
        { name: 'symbol', type: 'string', role: 'dimension', cardinality_cap: 2 },
        { name: 'currency', type: 'string', role: 'dimension' },
        { name: 'latency_ms', type: 'number', role: 'measure', unit: 'ms' },
        { name: 'notional', type: 'number', role: 'measure', unit: 'minor_units' },
      ],
    },
  });
  assert.equal(def.statusCode, 201, def.body);
});
after(async () => { await t.close(); });

const track = (body: string, headers: Record<string, string> = {}) =>
  t.inject({ method: 'POST', url: '/api/v1/track', payload: body, headers: { 'content-type': 'application/x-ndjson', ...headers } });
const stats = (qs: string, headers?: Record<string, string>) => t.inject({ method: 'GET', url: `/api/v1/custom-events/order.filled/stats?${qs}`, headers });

const at = (minute: number) => new Date(Date.parse('2026-03-10T09:00:00Z') + minute * 60_000).toISOString();
const fills = Array.from({ length: 60 }, (_, i) => ({
  event_type: 'order.filled', event_id: `f${i}`, user_id: `u${i % 7}`, timestamp: at(i),
  properties: { symbol: ['BTC', 'ETH', 'SOL'][i % 3], currency: 'XOF', latency_ms: 1 + i, notional: 9_007_199_254_740 + i },
}));

test('track: good events kept, a bad property dead-lettered with its text, an undefined type counted; a resend changes nothing', async () => {
  const bad = JSON.stringify({ event_type: 'order.filled', event_id: 'bad1', timestamp: at(1), properties: { latency_ms: 'slow' } });
  const undef = { event_type: 'strategy.pinged', timestamp: at(2), user_id: 'u1', properties: { anything: 1 } };
  const first = await track(ndjson([...fills, bad, undef]));
  assert.equal(first.statusCode, 200, first.body);
  assert.deepEqual({ ...(first.json() as object), results: undefined }, { received: 62, accepted: 61, duplicates: 0, rejected: 1, results: undefined });
  assert.deepEqual(first.json().results, [{ index: 60, status: 'rejected', code: 'property_type_mismatch', message: first.json().results[0].message, field: 'properties.latency_ms' }]);
  const letters = await t.inject({ url: '/api/v1/dead-letters?code=property_type_mismatch' });
  assert.equal(letters.json().items[0].payload, bad, 'the text as sent');

  // The same body again (the event without an id too: its id comes from its content).
  const again = await track(ndjson([...fills, undef]));
  assert.deepEqual({ ...(again.json() as object), results: [] }, { received: 61, accepted: 0, duplicates: 61, rejected: 0, results: [] });
  // Another content under a known id: refused, the first stands.
  const conflict = await track(ndjson([{ ...fills[0], properties: { ...fills[0].properties, latency_ms: 999 } }]));
  assert.equal(conflict.statusCode, 422);
  assert.equal(conflict.json().results[0].code, 'duplicate_conflict');

  const undefStats = await t.inject({ url: `/api/v1/custom-events/strategy.pinged/stats?interval=1d&from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z` });
  assert.equal(undefStats.statusCode, 200, undefStats.body);
  assert.deepEqual(undefStats.json().items, [{ bucket: '2026-03-10T00:00:00+00:00', count: 1, distinct_users: 1 }]);
  assert.equal(undefStats.json().definition_version, null);
});

test('stats: per 15 minutes and per hour, exact count/sum/min/max, quantiles within 1 %, distinct users, the cap groups the rest as (other)', async () => {
  const r = await stats('measure=latency_ms&interval=15m&from=2026-03-10T09:00:00Z&to=2026-03-10T10:00:00Z');
  assert.equal(r.statusCode, 200, r.body);
  const body = r.json();
  assert.equal(body.grain, '1m');
  assert.equal(body.buckets.length, 4);
  assert.equal(body.items.length, 4);
  for (const [k, item] of body.items.entries()) {
    const values = fills.slice(k * 15, k * 15 + 15).map((f) => f.properties.latency_ms);
    assert.equal(item.count, 15);
    assert.equal(item.sum, values.reduce((a, b) => a + b, 0));
    assert.equal(item.min, Math.min(...values));
    assert.equal(item.max, Math.max(...values));
    const exact = values[Math.floor(0.95 * 14)];
    assert.ok(Math.abs(item.p95 - exact) <= 0.01 * exact * (1 + 1e-9), `p95 ${item.p95} vs ${exact}`);
    assert.equal(item.distinct_users, 7);
  }
  const hourly = await stats('measure=latency_ms&interval=1h&from=2026-03-10T09:00:00Z&to=2026-03-10T10:00:00Z&group_by=symbol');
  assert.equal(hourly.json().grain, '1h');
  // Cap 2: BTC and ETH were seen first; SOL is (other).
  assert.deepEqual(hourly.json().items.map((i: { group: string; count: number }) => [i.group, i.count]), [['(other)', 20], ['BTC', 20], ['ETH', 20]]);
  const filtered = await stats('interval=1h&from=2026-03-10T09:00:00Z&to=2026-03-10T10:00:00Z&filter[symbol]=BTC,ETH');
  assert.equal(filtered.json().items[0].count, 40);
});

test('stats: money in minor units summed exactly per currency (a string), and refused across currencies', async () => {
  const across = await stats('measure=notional&interval=1d&from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z');
  assert.equal(across.statusCode, 400, across.body);
  const r = await stats('measure=notional&interval=1d&from=2026-03-10T00:00:00Z&to=2026-03-11T00:00:00Z&group_by=currency');
  assert.equal(r.statusCode, 200, r.body);
  const exact = fills.reduce((a, f) => a + BigInt(f.properties.notional), 0n);
  assert.equal(r.json().grain, '1d');
  assert.equal(r.json().items[0].sum, exact.toString());
  assert.equal(r.json().items[0].group, 'XOF');
  // A day in Paris (UTC+1 in March) is merged from hour rows; the same events.
  const paris = await stats('measure=notional&interval=1d&from=2026-03-09T23:00:00Z&to=2026-03-10T23:00:00Z&group_by=currency&tz=Europe/Paris');
  assert.equal(paris.json().grain, '1h');
  assert.equal(paris.json().items[0].bucket, '2026-03-10T00:00:00+01:00');
  assert.equal(paris.json().items[0].sum, exact.toString());
});

test('scope: deny by default; a merchant\'s token can neither track nor read; events:track tracks but does not read', async () => {
  const merchant = bearer(await mintToken({ sub: 'm', roles: ['merchant_admin'], merchantId: 'm_1' }));
  assert.equal((await track(ndjson([fills[0]]), merchant)).statusCode, 403);
  const read = await stats('interval=1h', merchant);
  assert.equal(read.statusCode, 404, read.body);
  const viewerWithMerchant = bearer(await mintToken({ sub: 'v', roles: ['analytics:view', 'events:track'], merchantId: 'm_1' }));
  assert.equal((await track(ndjson([fills[0]]), viewerWithMerchant)).statusCode, 403, 'events:track never with a merchant');
  const producer = bearer(await mintToken({ sub: 'p', permissions: ['events:track'] }));
  assert.equal((await track(ndjson([fills[1]]), producer)).statusCode, 200);
  assert.equal((await stats('interval=1h', producer)).statusCode, 403);
  const writer = bearer(await mintToken({ sub: 'w', roles: ['events:write'] }));
  assert.equal((await track(ndjson([fills[1]]), writer)).statusCode, 403, 'payment ingest does not grant tracking');
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/v1/track', payload: '{}', headers: { 'content-type': 'application/json' } })).statusCode, 401);
});
