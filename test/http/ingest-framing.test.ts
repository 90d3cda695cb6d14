// POST /api/v1/events frames every body itself: each event is bounded and decoded on its own and
// keeps its bytes as sent, so no body can stop ingest, and a dead letter can always be read and
// replayed. JSON, NDJSON and CSV; anything else is 415.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { MAX_DEAD_LETTER_PAYLOAD } from '../../src/ingest/prepare-batch.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let t: TempApp;
let seq = 0;

before(async () => { t = await openTempApp({ now: () => NOW }); });
after(async () => { await t.close(); });

function good(): Record<string, unknown> {
  seq++;
  return {
    event_id: `f_${seq}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T11:00:00Z',
    txn_id: `ftx_${seq}`, merchant_id: 'm1', amount: '1500', currency: 'XOF', country: 'SN', city: 'Dakar',
  };
}

const post = (payload: string | Buffer, type = 'application/json') =>
  t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': type }, payload });

async function deadLetters(code: string): Promise<Array<{ payload: string; payload_truncated: boolean; index: number; id: number }>> {
  const res = await t.inject({ method: 'GET', url: `/api/v1/dead-letters?code=${code}&limit=1000` });
  assert.equal(res.statusCode, 200, res.body);
  return res.json().items;
}

test('a 20 KB body nested 10,000 levels costs only itself: 422, dead-lettered as sent, other producers unaffected', async () => {
  const deep = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
  const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
  const others = Array.from({ length: 4 }, () => [good(), good()]);
  const [a, b, ...rest] = await Promise.all([
    post(deep), post(deepObject), ...others.map((events) => post(JSON.stringify(events))),
  ]);
  assert.equal(a.statusCode, 422, a.body);
  assert.equal(a.json().results[0].code, 'too_deeply_nested');
  assert.equal(b.statusCode, 422, b.body);
  assert.equal(b.json().results[0].code, 'too_deeply_nested');
  for (const r of rest) assert.equal(r.statusCode, 200, r.body);
  assert.equal(t.platform.engine.stats.failedCommits, 0);
  // The engine never rebuilt its state: a fresh batch right after is accepted too.
  assert.equal((await post(JSON.stringify(good()))).statusCode, 200);
  const kept = await deadLetters('too_deeply_nested');
  // The array body is the container of one element, 9,999 levels deep; the object body is the event itself.
  const payloads = new Set(kept.map((d) => d.payload));
  assert.ok(payloads.has(deep.slice(1, -1).slice(0, MAX_DEAD_LETTER_PAYLOAD)), 'the array element, as sent');
  assert.ok(payloads.has(deepObject.slice(0, MAX_DEAD_LETTER_PAYLOAD)), 'the object, as sent');
  assert.ok(kept.every((d) => d.payload_truncated), 'longer than the dead-letter bound, and said so');
});

test('a deep metadata object is dead-lettered with its original bytes, readable and replayable', async () => {
  const e = good();
  const text = `${JSON.stringify(e).slice(0, -1)},"metadata":${'{"k":'.repeat(40)}"v"${'}'.repeat(40)}}`;
  const res = await post(`[${JSON.stringify(good())},  ${text} ]`);
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().results.map((r: { index: number; code: string }) => [r.index, r.code]), [[1, 'too_deeply_nested']]);
  const [dl] = (await deadLetters('too_deeply_nested')).filter((d) => d.payload.includes(String(e.event_id)));
  assert.equal(dl.payload, text);
  assert.equal(dl.payload_truncated, false);
  const replay = await t.inject({ method: 'POST', url: '/api/v1/dead-letters/replay', payload: { ids: [dl.id] } });
  assert.equal(replay.statusCode, 200, replay.body);
  assert.equal(replay.json().results[0].code, 'too_deeply_nested');
});

test('JSON array: each element is its own event; a malformed or cut-off element costs only itself', async () => {
  const [g1, g2, g3] = [good(), good(), good()];
  const res = await post(`[${JSON.stringify(g1)}, {"event_id": oops}, "a string", ${JSON.stringify(g2)}, ${JSON.stringify(g3).slice(0, 30)}`);
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.accepted, 2);
  assert.deepEqual(body.results.map((r: { index: number; code: string }) => [r.index, r.code]),
    [[1, 'invalid_json'], [2, 'invalid_event'], [4, 'invalid_json']]);
  const kept = (await deadLetters('invalid_json')).map((d) => d.payload);
  assert.ok(kept.includes('{"event_id": oops}'));
  assert.ok(kept.includes(JSON.stringify(g3).slice(0, 30)));
  // Content after the array is not an array body: refused whole, nothing kept.
  const trailing = await post(`[${JSON.stringify(good())}] {"x":1}`);
  assert.equal(trailing.statusCode, 400);
  assert.equal(trailing.json().code, 'invalid_json');
});

test('bytes that are not UTF-8 refuse their own event only (never silently turned into U+FFFD)', async () => {
  const bad = good();
  const [before, after] = JSON.stringify(bad).split('Dakar');
  const latin1 = Buffer.concat([Buffer.from(before), Buffer.from('Lom\xe9', 'latin1'), Buffer.from(after)]);
  const g = good();
  const body = Buffer.concat([latin1, Buffer.from(`\n${JSON.stringify(g)}\n`)]);
  const res = await post(body, 'application/x-ndjson');
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().results.map((r: { index: number; code: string }) => [r.index, r.code]), [[0, 'invalid_encoding']]);
  const [dl] = await deadLetters('invalid_encoding');
  assert.ok(dl.payload.includes('Lom\uFFFD'));
  const asArray = await post(Buffer.concat([Buffer.from('['), latin1, Buffer.from(`,${JSON.stringify(good())}]`)]));
  assert.deepEqual(asArray.json().results.map((r: { index: number; code: string }) => [r.index, r.code]), [[0, 'invalid_encoding']]);
});

test('text/csv is read as CSV (header of contract fields); a row CSV cannot read is dead-lettered with its text', async () => {
  const [g1, g2] = [good(), good()];
  const header = Object.keys(g1).concat('metadata');
  const row = (e: Record<string, unknown>, meta: string) => header.map((k) => (k === 'metadata' ? meta : String(e[k]))).join(',');
  const csv = `${header.join(',')}\r\n${row(g1, '"{""channel"":""app""}"')}\r\n${row(g2, '')}\r\n"broken,row\n`;
  const res = await post(csv, 'text/csv; charset=utf-8');
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json();
  assert.equal(body.accepted, 2);
  assert.deepEqual(body.results.map((r: { index: number; code: string }) => [r.index, r.code]), [[2, 'invalid_csv']]);
  const stored = await t.platform.store.rawEventById(g1.event_id as string);
  assert.equal(stored?.metadata, '{"channel":"app"}');
  assert.ok((await deadLetters('invalid_csv')).some((d) => d.payload.startsWith('"broken,row')));
});

test('other media types are 415 with the accepted list; NDJSON keeps working', async () => {
  for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
    const res = await post(ndjson([good()]), type);
    assert.equal(res.statusCode, 415, type);
    assert.equal(res.json().code, 'unsupported_media_type');
    assert.match(res.json().detail, /application\/x-ndjson/);
  }
  const res = await post(`\uFEFF${ndjson([good(), good()])}\r\n\r\n`, 'application/x-ndjson');
  assert.equal(res.json().accepted, 2, res.body);
});

test('bodies are bounded per route: ingest up to INGEST_MAX_BODY_BYTES, any other JSON body 1 MiB', async () => {
  const events = Array.from({ length: 6000 }, () => ({ ...good(), metadata: { pad: 'x'.repeat(300) } }));
  const big = JSON.stringify(events);
  assert.ok(big.length > 2 ** 21);
  const res = await post(big);
  assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  assert.equal(res.json().accepted, events.length);
  const replay = await t.inject({
    method: 'POST', url: '/api/v1/dead-letters/replay', headers: { 'content-type': 'application/json' },
    payload: JSON.stringify({ ids: [1], pad: 'x'.repeat(2 ** 20) }),
  });
  assert.equal(replay.statusCode, 413);
  assert.equal(replay.json().code, 'payload_too_large');
});
