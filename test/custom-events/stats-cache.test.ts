// GET /api/v1/custom-events/{name}/stats behind the query result cache, on the real app (embedded
// DuckDB, PGlite): a repeated question is a hit; a tracked event in the answer's range drops it
// (the next answer counts the event), one outside it does not (still a hit), nor does a payment
// event in the range; a new definition version is never answered from the older one's answer.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { event, sample } from '../observability/scrape.ts';

const NOW = Date.parse('2026-03-10T12:00:00Z');
let t: TempApp;
const definition = (extra: Array<Record<string, unknown>>) => t.inject({
  method: 'POST', url: '/api/v1/custom-events', payload: {
    name: 'order.filled', properties: [{ name: 'latency_ms', type: 'number', role: 'measure', unit: 'ms' }, ...extra],
  },
});
before(async () => {
  t = await openTempApp({ now: () => NOW });
  assert.equal((await definition([])).statusCode, 201);
});
after(async () => { await t.close(); });

const fill = (id: string, at: string, latency: number) => ({ event_type: 'order.filled', event_id: id, user_id: id, timestamp: at, properties: { latency_ms: latency } });
async function track(events: unknown[]) {
  const r = await t.inject({ method: 'POST', url: '/api/v1/track', payload: ndjson(events), headers: { 'content-type': 'application/x-ndjson' } });
  assert.equal(r.json().accepted, events.length, r.body);
}
const RANGE = 'measure=latency_ms&interval=all&from=2026-03-10T09:00:00Z&to=2026-03-10T10:00:00Z';
async function stats() {
  const r = await t.inject({ url: `/api/v1/custom-events/order.filled/stats?${RANGE}` });
  assert.equal(r.statusCode, 200, r.body);
  return r.json();
}
/** Custom-event cache hits and misses so far. */
async function lookups() {
  const text = (await t.app.inject({ url: '/metrics' })).body;
  return {
    hits: sample(text, 'analytics_cache_hits_total', { cache: 'custom_events' }) ?? 0,
    misses: sample(text, 'analytics_cache_misses_total', { cache: 'custom_events' }) ?? 0,
  };
}

test('stats answers are cached and invalidated exactly by the minutes of tracked events', async () => {
  await track([fill('a', '2026-03-10T09:10:00Z', 10), fill('b', '2026-03-10T09:20:00Z', 20)]);
  const l0 = await lookups();
  const first = await stats();
  assert.equal(first.items[0].count, 2);
  assert.deepEqual(await stats(), first);
  assert.deepEqual(await lookups(), { hits: l0.hits + 1, misses: l0.misses + 1 }, 'the same question again: a hit');

  // Outside the range (10:00 is the range's exclusive end), and a payment event inside it: still a hit.
  await track([fill('c', '2026-03-10T10:00:00Z', 30), fill('d', '2026-03-10T08:59:59Z', 40)]);
  const paid = await t.inject({ method: 'POST', url: '/api/v1/events', payload: [event('p1', { occurred_at: '2026-03-10T09:30:00Z' })] });
  assert.equal(paid.json().accepted, 1, paid.body);
  assert.deepEqual(await stats(), first);
  assert.deepEqual(await lookups(), { hits: l0.hits + 2, misses: l0.misses + 1 }, 'writes outside the range keep the answer');

  // Inside the range: the next answer counts it.
  await track([fill('e', '2026-03-10T09:59:59Z', 50)]);
  const after = await stats();
  assert.equal(after.items[0].count, 3);
  assert.equal(after.items[0].max, 50);
  assert.deepEqual(await lookups(), { hits: l0.hits + 2, misses: l0.misses + 2 });
});

test('a new definition version is answered as itself, not from the cached answer of the older one', async () => {
  const v1 = await stats();
  assert.deepEqual(await stats(), v1);
  assert.equal(v1.definition_version, 1);
  assert.equal((await definition([{ name: 'symbol', type: 'string', role: 'dimension' }])).statusCode, 201);
  const v2 = await stats();
  assert.equal(v2.definition_version, 2);
  assert.deepEqual({ ...v2, definition_version: 1 }, v1, 'the same data');
});
