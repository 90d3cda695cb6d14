// One test per rejection code: the bad event gets its code and index, lands in the dead-letter
// store with its payload, and the good events of the same batch are committed.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let t: TempApp;
let seq = 0;

before(async () => { t = await openTempApp({ now: () => NOW }); });
after(async () => { await t.close(); });

function good(): Record<string, unknown> {
  seq++;
  return {
    event_id: `good_${seq}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T11:00:00Z',
    txn_id: `tx_${seq}`, merchant_id: 'm1', amount: '1500', currency: 'XOF', country: 'SN',
  };
}

const BAD: Record<string, unknown> = {
  invalid_json: '{"event_id": "x", ',
  invalid_event: '[1, 2, 3]',
  missing_field: { ...good(), merchant_id: undefined },
  invalid_field: { ...good(), status: 'maybe' },
  unknown_type: { ...good(), type: 'wallet_txn_exploded' },
  invalid_amount: { ...good(), amount: '-5' },
  amount_precision: { ...good(), amount: '150.5' },
  unknown_currency: { ...good(), currency: 'XYZ' },
  unknown_country: { ...good(), country: 'ZZ' },
  invalid_timestamp: { ...good(), occurred_at: '2026-02-30T10:00:00Z' },
  future_timestamp: { ...good(), occurred_at: '2026-11-20T12:06:00Z' },
  beyond_retention: { ...good(), occurred_at: '2026-07-01T00:00:00Z' },
  event_too_large: { ...good(), padding: 'x'.repeat(70_000) },
  too_deeply_nested: `[${'['.repeat(10_000)}${']'.repeat(10_000)}]`,
};

const rawEvents = async () => (await t.platform.store.counts()).rawEvents;
/** Stored, and every stored event id once. */
async function storedOnce(eventId: string): Promise<boolean> {
  const counts = await t.platform.store.counts();
  return (await t.platform.store.rawEventById(eventId)) !== null && counts.distinctEventIds === counts.rawEvents;
}

for (const [code, bad] of Object.entries(BAD)) {
  test(`${code}: rejected with its index, dead-lettered, the rest of the batch kept`, async () => {
    const before = await rawEvents();
    const g1 = good();
    const g2 = good();
    const res = await t.inject({
      method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' },
      payload: ndjson([g1, bad, g2]),
    });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    assert.equal(body.accepted, 2);
    assert.equal(body.rejected, 1);
    assert.equal(body.results.length, 1);
    assert.equal(body.results[0].index, 1);
    assert.equal(body.results[0].code, code);
    assert.equal(await rawEvents(), before + 2);
    assert.ok(await storedOnce(String(g1.event_id)) && await storedOnce(String(g2.event_id)));
    const dl = await t.inject({ method: 'GET', url: `/api/v1/dead-letters?code=${code}` });
    const items = dl.json().items;
    assert.equal(items.length, 1);
    assert.equal(items[0].index, 1);
    assert.ok(items[0].payload.length > 0);
  });
}

test('duplicate_conflict: the first stands, the conflicting copy is dead-lettered, the rest kept', async () => {
  const first = good();
  await t.inject({ method: 'POST', url: '/api/v1/events', payload: first });
  const g = good();
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: [g, { ...first, amount: '9999' }] });
  const body = res.json();
  assert.equal(body.accepted, 1);
  assert.deepEqual(body.results.map((r: { index: number; code: string }) => [r.index, r.code]), [[1, 'duplicate_conflict']]);
  assert.equal((await t.platform.store.rawEventById(String(first.event_id)))?.amountMinor, 1500n);
  assert.equal((await t.platform.store.deadLetters({ code: 'duplicate_conflict', limit: 10 })).length, 1);
});

test('an exact duplicate is acknowledged and counted once', async () => {
  const e = good();
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: [e, e, { ...e, amount: 1500 }] });
  const body = res.json();
  assert.equal(res.statusCode, 200);
  assert.equal(body.accepted, 1);
  assert.equal(body.duplicates, 2);
  assert.ok(await storedOnce(String(e.event_id)));
});

test('a body of only bad events answers 422 and still keeps them aside', async () => {
  const res = await t.inject({
    method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: 'nope\n{"type":1}',
  });
  assert.equal(res.statusCode, 422);
  assert.equal(res.json().rejected, 2);
});

test('a body that is not JSON at all is a problem+json 400; one broken event is that event\'s 422', async () => {
  for (const payload of ['oops', '"{\\"event_id\\":1}"', 'null', '42']) {
    const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json' }, payload });
    assert.equal(res.statusCode, 400, payload);
    assert.match(String(res.headers['content-type']), /application\/problem\+json/);
    assert.equal(res.json().code, 'bad_request');
  }
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json' }, payload: '{oops' });
  assert.equal(res.statusCode, 422);
  assert.deepEqual(res.json().results, [{ index: 0, status: 'rejected', code: 'invalid_json', message: 'The event is not valid JSON.' }]);
});
