// The admission of answers through the real app: an answer over QUERY_MAX_RESULT_MB is refused
// with its size and the limit (before it runs when its size is known), and past
// QUERY_MAX_CONCURRENCY requests in flight plus QUERY_QUEUE_LENGTH waiting the next is 429
// too_many_queries with Retry-After. Requests are held in flight by real HTTP clients that stop
// reading a large answer: the server cannot finish sending it, so its place stays taken until
// the client goes — no timing involved.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { openTempApp, type TempApp } from '../support/temp-app.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

let small: TempApp; // QUERY_MAX_RESULT_MB=1
let busy: TempApp; // 2 in flight, 1 waiting
let base: string;

before(async () => {
  small = await openTempApp({ now: () => NOW, env: { QUERY_MAX_RESULT_MB: '1' } });
  busy = await openTempApp({
    now: () => NOW,
    env: { QUERY_MAX_CONCURRENCY: '2', QUERY_QUEUE_LENGTH: '1', QUERY_MAX_RESULT_MB: '64', QUERY_MAX_BUCKETS: '50000' },
  });
  base = await busy.app.listen({ port: 0, host: '127.0.0.1' });
  const events = Array.from({ length: 2500 }, (_, i) => ({
    event_id: `adm_${i}`, type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T10:00:00Z',
    txn_id: `adm_tx_${i}`, merchant_id: `m_${String(i).padStart(5, '0')}`, amount: '1234.56', currency: 'USD', country: 'SN', city: 'Dakar',
  }));
  const res = await small.inject({ method: 'POST', url: '/api/v1/events', payload: events });
  assert.equal(res.json().accepted, events.length, res.body);
});
after(async () => {
  await small?.close();
  await busy?.close();
});

const RANGE = 'from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z';

test('an answer over QUERY_MAX_RESULT_MB is 422 result_too_large with its size and the limit', async () => {
  const res = await small.inject({ url: `/api/v1/metrics?dimensions=merchant_id&${RANGE}` });
  assert.equal(res.statusCode, 422, res.body.slice(0, 300));
  assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
  const body = res.json();
  assert.equal(body.code, 'result_too_large');
  assert.match(body.detail, /QUERY_MAX_RESULT_MB/);
  assert.equal(body.max_result_bytes, 2 ** 20);
  assert.equal(body.max_rows, Math.floor(2 ** 20 / body.row_bytes));
  assert.ok(body.max_rows < 2500 && body.max_rows > 100, JSON.stringify(body));
  assert.equal(body.estimated_max_rows, 2501, 'one bucket × every merchant seen, and none');

  // The same question within the cap is answered, and its JSON is no larger than the estimate.
  const capped = await small.inject({ url: `/api/v1/metrics?dimensions=merchant_id&${RANGE}&order_by=-tx_count&limit=${body.max_rows}` });
  assert.equal(capped.statusCode, 200, capped.body.slice(0, 300));
  assert.equal(capped.json().rows.length, body.max_rows);
  assert.ok(capped.body.length <= 2 ** 20, `${capped.body.length} bytes`);
  // Narrower rows fit more of them: one metric for every merchant is fine.
  const narrow = await small.inject({ url: `/api/v1/metrics?dimensions=merchant_id&metrics=tx_count&${RANGE}` });
  assert.equal(narrow.statusCode, 200, narrow.body.slice(0, 300));
  assert.equal(narrow.json().rows.length, 2500);
});

test('a zero-filled series whose bucket count is over the cap is refused before it runs, on every route', async () => {
  const range = `from=${iso(NOW - 2 * DAY)}&to=${iso(NOW)}`;
  for (const url of [`/api/v1/metrics?granularity=minute&${range}`, `/api/analytics/timeseries?granularity=minute&metrics=${ALL}&${range}`]) {
    const res = await small.inject({ url });
    assert.equal(res.statusCode, 422, url);
    const body = res.json();
    assert.equal(body.code, 'result_too_large');
    assert.equal(body.rows, 2880, 'its exact size, known before running');
    assert.equal(body.estimated_bytes, 2880 * body.row_bytes);
  }
});

const ALL = 'tx_count,succeeded_count,failed_count,pending_count,success_rate,gross_volume_usd,avg_ticket_usd,fees_usd,refund_count,'
  + 'refund_volume_usd,refund_rate,dispute_count,dispute_volume_usd,chargeback_rate,payout_count,payout_volume_usd,payout_settled_count,net_volume_usd';

/** A GET of a ~30 MB answer (31 days by minute, local amounts too) whose body is never read. */
function hold(shiftMinutes: number): Promise<http.IncomingMessage> {
  const to = NOW - shiftMinutes * 60_000;
  const path = `/api/v1/metrics?granularity=minute&currency=XOF&from=${iso(to - 31 * DAY)}&to=${iso(to)}`;
  return new Promise((resolve, reject) => {
    const req = http.get(base + path, { headers: { authorization: `Bearer ${busy.adminToken}` } }, (res) => {
      res.pause();
      resolve(res);
    });
    req.on('error', reject);
  });
}

async function until(cond: () => boolean): Promise<void> {
  while (!cond()) await new Promise((r) => setImmediate(r));
}

test('past QUERY_MAX_CONCURRENCY in flight and QUERY_QUEUE_LENGTH waiting, a request is 429 too_many_queries', async () => {
  const held = [await hold(0), await hold(1)];
  assert.equal(held[0].statusCode, 200);

  // The third waits for a place (without admission it would simply be answered).
  let thirdDone = false;
  const third = busy.inject({ url: `/api/analytics/kpis?${RANGE}` }).finally(() => { thirdDone = true; });
  await until(() => thirdDone || busy.app.queryAdmission?.waiting === 1);
  const fourth = await busy.inject({ url: `/api/analytics/kpis?${RANGE}` });
  assert.equal(fourth.statusCode, 429, fourth.body);
  assert.match(String(fourth.headers['content-type']), /^application\/problem\+json/);
  assert.equal(fourth.headers['retry-after'], '1');
  assert.equal(fourth.json().code, 'too_many_queries');
  assert.deepEqual([fourth.json().max_concurrency, fourth.json().queue_length], [2, 1]);
  const gate = busy.app.queryAdmission;
  assert.deepEqual([gate.running, gate.waiting, thirdDone], [2, 1, false], 'both answers still being sent, one waiting');
  const other = await busy.inject({ url: '/api/v1/events/nope' });
  assert.equal(other.statusCode, 429, 'every protected read route passes the same gate');

  // Ingest (paced by backpressure) and public probes are not counted.
  const ingest = await busy.inject({
    method: 'POST', url: '/api/v1/events',
    payload: { event_id: 'adm_busy', type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T10:00:00Z', txn_id: 'adm_busy', merchant_id: 'm', amount: '1', currency: 'USD', country: 'SN' },
  });
  assert.equal(ingest.statusCode, 200, ingest.body);
  assert.equal((await busy.inject({ url: '/health' })).statusCode, 200);
  const scrape = (await busy.inject({ url: '/metrics' })).body;
  assert.match(scrape, /^analytics_query_admission_running 2$/m);
  assert.match(scrape, /^analytics_query_admission_waiting 1$/m);

  // The first client goes: its place passes to the waiting request, which is answered.
  held[0].destroy();
  const answered = await third;
  assert.equal(answered.statusCode, 200, answered.body);
  held[1].destroy();
  await until(() => gate.running === 0);
  assert.equal((await busy.inject({ url: `/api/analytics/kpis?${RANGE}` })).statusCode, 200);
});
