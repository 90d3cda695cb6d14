// Dead letters over HTTP: an event rejected as future_timestamp is listed (filters, cursor) and,
// once the server clock has passed it, replayed into the metrics exactly once. Replays record
// their outcome; one rejected again leaves a new dead letter with the new reason.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');
const MIN = 60_000;
let now = T0; // the server clock, moved by the tests
let t: TempApp;
let seq = 0;

before(async () => { t = await openTempApp({ now: () => now }); });
after(async () => { await t.close(); });

interface DeadLetter { id: number; code: string; event_id: string | null; source: string; replayed_at: string | null; replay_result: string | null; payload: string }

function event(atMs: number): Record<string, unknown> {
  seq++;
  return {
    event_id: `dl_${seq}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: new Date(atMs).toISOString(),
    txn_id: `dl_tx_${seq}`, merchant_id: `dl_m_${seq}`, amount: '2500', currency: 'XOF', country: 'SN',
  };
}

async function post(events: unknown[]) {
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(events) });
  return res.json();
}

async function list(qs: string): Promise<{ items: DeadLetter[]; next_after_id: number | null }> {
  const res = await t.inject({ method: 'GET', url: `/api/v1/dead-letters?${qs}` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

async function replay(body: Record<string, unknown>) {
  const res = await t.inject({ method: 'POST', url: '/api/v1/dead-letters/replay', payload: body });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { replayed: number; results: Array<{ id: number; status: string; code?: string }> };
}

async function txCount(merchant: string): Promise<number> {
  const res = await t.inject({
    method: 'GET', url: `/api/v1/metrics?metrics=tx_count&merchant_id=${merchant}&from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z`,
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().rows.reduce((s: number, r: { metrics: { tx_count: number } }) => s + r.metrics.tx_count, 0);
}

/** The event a dead letter holds, read from its payload. */
function payloadEventId(d: DeadLetter): unknown {
  try {
    return JSON.parse(d.payload).event_id;
  } catch {
    return undefined;
  }
}

async function byEventId(eventId: string): Promise<DeadLetter[]> {
  return (await list('limit=1000')).items.filter((d) => payloadEventId(d) === eventId);
}

test('a future event is dead-lettered, listed, and replayed once the clock has passed it', async () => {
  now = T0;
  const future = event(T0 + 10 * MIN); // the skew allows 5 minutes
  const res = await post([event(T0 - MIN), future]);
  assert.deepEqual([res.accepted, res.rejected, res.results[0].index, res.results[0].code], [1, 1, 1, 'future_timestamp']);

  const pending = await list('code=future_timestamp&pending=true');
  const dl = pending.items.find((d) => payloadEventId(d) === future.event_id);
  assert.ok(dl, 'listed as pending');
  assert.equal(dl.code, 'future_timestamp');
  assert.deepEqual(JSON.parse(dl.payload), future);
  assert.equal(dl.replayed_at, null);
  assert.equal(await txCount(future.merchant_id as string), 0);

  // Too early: still in the future, so rejected again, with a new dead letter for the new attempt.
  const early = await replay({ ids: [dl.id] });
  assert.deepEqual(early.results.map((r) => [r.id, r.status, r.code]), [[dl.id, 'rejected', 'future_timestamp']]);
  let letters = await byEventId(future.event_id as string);
  assert.equal(letters.length, 2);
  assert.equal(letters[0].replay_result, 'rejected:future_timestamp');
  assert.equal(letters[0].replayed_at, new Date(now).toISOString());
  assert.deepEqual([letters[1].code, letters[1].source, letters[1].replayed_at], ['future_timestamp', 'replay', null]);

  now = T0 + 20 * MIN;
  const second = letters[1];
  const done = await replay({ ids: [second.id] });
  assert.deepEqual(done, { replayed: 1, results: [{ id: second.id, status: 'accepted' }] });
  assert.equal(await txCount(future.merchant_id as string), 1);
  letters = await byEventId(future.event_id as string);
  assert.deepEqual(letters.map((d) => d.replay_result), ['rejected:future_timestamp', 'accepted']);
  assert.equal(letters[1].replayed_at, new Date(now).toISOString());
  assert.ok(!(await list('pending=true&code=future_timestamp')).items.some((d) => payloadEventId(d) === future.event_id));

  // Only pending dead letters replay: a second replay of either id does nothing.
  assert.deepEqual(await replay({ ids: [dl.id, second.id] }), { replayed: 0, results: [] });
  assert.equal(await txCount(future.merchant_id as string), 1);
  const stored = await t.platform.store.rawEventPage({ from: 0, to: 8.64e15, filters: [], entityId: future.txn_id as string, limit: 10 });
  assert.deepEqual(stored.map((r) => r.eventId), [future.event_id]);
});

test('listing filters by code and pending, and pages with after_id and limit', async () => {
  now = T0 + 30 * MIN;
  await post([event(now + 60 * MIN), '{"broken', event(now + 61 * MIN), event(now - MIN), event(now + 62 * MIN)]);
  const all = await list('limit=1000');
  const ids = all.items.map((d) => d.id);
  assert.deepEqual(ids, [...ids].sort((a, b) => a - b), 'oldest first');
  assert.ok(all.items.some((d) => d.code === 'invalid_json'));

  const future = (await list('code=future_timestamp&pending=true&limit=1000')).items;
  assert.ok(future.length >= 3);
  assert.ok(future.every((d) => d.code === 'future_timestamp' && d.replayed_at === null));

  const pages: number[] = [];
  let cursor = 0;
  for (;;) {
    const page = await list(`code=future_timestamp&pending=true&limit=2&after_id=${cursor}`);
    assert.ok(page.items.length <= 2);
    if (page.items.length === 0) {
      assert.equal(page.next_after_id, null);
      break;
    }
    pages.push(...page.items.map((d) => d.id));
    assert.equal(page.next_after_id, page.items[page.items.length - 1].id);
    cursor = page.next_after_id!;
  }
  assert.deepEqual(pages, future.map((d) => d.id));

  const bad = await t.inject({ method: 'GET', url: '/api/v1/dead-letters?code=no_such_code' });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().code, 'invalid_parameter');
});

test('replay by code takes every pending dead letter with that code and records each outcome', async () => {
  now = T0 + 40 * MIN;
  const a = event(now + 30 * MIN);
  const b = event(now + 31 * MIN);
  await post([a, b, '{"also broken']);
  const pendingBefore = (await list('code=future_timestamp&pending=true&limit=1000')).items;
  const invalidBefore = (await list('code=invalid_json&pending=true&limit=1000')).items;

  now += 60 * MIN; // every future event so far is now in the past
  const res = await replay({ code: 'future_timestamp' });
  assert.equal(res.replayed, pendingBefore.length);
  assert.deepEqual(res.results.map((r) => r.id), pendingBefore.map((d) => d.id));
  assert.ok(res.results.every((r) => r.status === 'accepted'), JSON.stringify(res.results));
  assert.equal(await txCount(a.merchant_id as string), 1);
  assert.equal(await txCount(b.merchant_id as string), 1);
  assert.deepEqual((await list('code=future_timestamp&pending=true')).items, []);
  // Other codes were left alone.
  assert.deepEqual((await list('code=invalid_json&pending=true&limit=1000')).items.map((d) => d.id), invalidBefore.map((d) => d.id));

  // Replaying a dead letter whose event was meanwhile accepted is a duplicate, counted once.
  const c = event(now + 30 * MIN);
  await post([c]);
  now += 60 * MIN;
  assert.equal((await post([c])).accepted, 1);
  const [dlc] = (await byEventId(c.event_id as string)).filter((d) => d.replayed_at === null);
  assert.deepEqual((await replay({ ids: [dlc.id] })).results, [{ id: dlc.id, status: 'duplicate' }]);
  assert.equal((await byEventId(c.event_id as string))[0].replay_result, 'duplicate');
  assert.equal(await txCount(c.merchant_id as string), 1);
});

test('a payload that is still bad is rejected again under its code, with a new dead letter', async () => {
  await post(['{"still broken', event(now - MIN)]);
  const before = (await list('code=invalid_json&limit=1000')).items;
  const pending = before.filter((d) => d.replayed_at === null);
  assert.ok(pending.length >= 1);
  const res = await replay({ code: 'invalid_json' });
  assert.equal(res.replayed, pending.length);
  assert.ok(res.results.every((r) => r.status === 'rejected' && r.code === 'invalid_json'));
  const afterAll = (await list('code=invalid_json&limit=1000')).items;
  assert.equal(afterAll.length, before.length + pending.length);
  for (const d of pending) {
    const replayed = afterAll.find((x) => x.id === d.id)!;
    assert.equal(replayed.replay_result, 'rejected:invalid_json');
  }
  const fresh = afterAll.filter((d) => !before.some((x) => x.id === d.id));
  assert.deepEqual(fresh.map((d) => d.payload).sort(), pending.map((d) => d.payload).sort());
  assert.ok(fresh.every((d) => d.source === 'replay' && d.replayed_at === null));
});

test('a dead letter names the event_id of an NDJSON line, as it does for a JSON body', async () => {
  now = T0;
  const viaJson = event(now + 10 * MIN);
  const viaNdjson = event(now + 10 * MIN);
  await t.inject({ method: 'POST', url: '/api/v1/events', payload: [viaJson] });
  await post([viaNdjson]);
  const [a] = await byEventId(viaJson.event_id as string);
  const [b] = await byEventId(viaNdjson.event_id as string);
  assert.equal(a.event_id, viaJson.event_id);
  assert.equal(b.event_id, viaNdjson.event_id);
});
