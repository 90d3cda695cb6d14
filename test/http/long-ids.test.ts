// Every id the event contract accepts (1–128 UTF-16 units of any Unicode) is retrievable at
// GET /api/v1/events/{id}, percent-encoded, through inject and through a real HTTP client; an
// id beyond the contract, or a path that is not valid percent-encoding, is a coded 400 — never
// the 404 "no route" that Fastify's 100-character parameter limit gave.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer } from '../support/tokens.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');

const pad = (s: string, unit: string, units = 128) => s + unit.repeat(Math.floor((units - s.length) / unit.length));
const IDS = [
  pad('évt/日本語?#% +&=💳;', 'ü'), // 128 units: non-ASCII, an emoji, and every URL-special character
  'x'.repeat(101),
  '💳'.repeat(64), // 128 units, 64 code points
  '€'.repeat(128), // 3 UTF-8 bytes each: 1,152 characters percent-encoded
  pad('ok', 'a'),
];

let t: TempApp;
let base: string;
before(async () => {
  t = await openTempApp({ now: () => NOW });
  for (const id of IDS) assert.equal(id.length, id.startsWith('x') ? 101 : 128, id);
  const events = IDS.map((id, i) => ({
    event_id: id, type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T10:00:00Z',
    txn_id: `tx_long_${i}`, merchant_id: 'm_long', amount: '10.00', currency: 'USD', country: 'SN',
  }));
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events });
  assert.equal(res.json().accepted, IDS.length, res.body);
  base = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
after(async () => { await t.close(); });

test('a contract id of 101–128 characters, any Unicode, is found by its percent-encoded path', async () => {
  for (const id of IDS) {
    const path = `/api/v1/events/${encodeURIComponent(id)}`;
    const injected = await t.inject({ url: path });
    assert.equal(injected.statusCode, 200, `${id}: ${injected.body}`);
    assert.equal(injected.json().event_id, id);
    const fetched = await fetch(base + path, { headers: bearer(t.adminToken) });
    assert.equal(fetched.status, 200, id);
    assert.equal((await fetched.json()).event_id, id);
  }
});

test('an id beyond the contract is 400 invalid_parameter, not "no route"', async () => {
  const tooLong = ['a'.repeat(129), '💳'.repeat(65), '€'.repeat(129), 'a'.repeat(5000), '💳'.repeat(1000)];
  for (const id of tooLong) {
    const res = await t.inject({ url: `/api/v1/events/${encodeURIComponent(id)}` });
    assert.equal(res.statusCode, 400, `${id.length} units: ${res.body}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().code, 'invalid_parameter');
  }
  const missing = await t.inject({ url: `/api/v1/events/${encodeURIComponent('b'.repeat(128))}` });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'not_found');
  assert.equal(missing.json().detail, 'no event with this id');
});

test('a path that is not valid percent-encoded UTF-8 is a coded 400', async () => {
  for (const bad of ['%E0%A4%A', '%ED%A0%80', 'a%zz']) {
    const res = await t.inject({ url: `/api/v1/events/${bad}` });
    assert.equal(res.statusCode, 400, `${bad}: ${res.body}`);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().code, 'invalid_parameter');
  }
});
