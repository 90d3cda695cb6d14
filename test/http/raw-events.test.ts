// GET /api/v1/events, /events/stats and /events/:id over the real app: keyset pagination walks
// every event once (many events share an instant), every item equals what was sent, filters,
// stats equal counts made here, and a merchant token sees its merchant only.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { mulberry32 } from '../support/random-stream.ts';
import { bearer, mintToken } from '../support/tokens.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const START = NOW - 20 * 3_600_000;
const RANGE = { from: '2026-11-19T00:00:00Z', to: '2026-11-20T12:00:00Z' };
const MERCHANTS = { m_1: ['SN', 'XOF', 0], m_2: ['NG', 'NGN', 2], m_3: ['KE', 'KES', 2] } as const;
type Ev = Record<string, unknown>;

const money = (minor: number, exp: number) => (exp ? `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}` : String(minor));

/** ~250 events over 40 instants (so ties on occurred_at are common); some sent with an offset. */
function dataset(): Ev[] {
  const rnd = mulberry32(250);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const out: Ev[] = [];
  for (let i = 0; out.length < 250; i++) {
    const merchant = pick(Object.keys(MERCHANTS) as Array<keyof typeof MERCHANTS>);
    const [country, currency, exp] = MERCHANTS[merchant];
    const at = START + Math.floor(rnd() * 40) * 1_800_000 + (i % 3) * 250;
    const occurred_at = i % 10 === 0
      ? new Date(at + 3_600_000).toISOString().slice(0, 23) + '+01:00'
      : new Date(at).toISOString();
    const base = { merchant_id: merchant, country, currency, occurred_at, amount: money(1 + Math.floor(rnd() * 90_000), exp) };
    const txn = `t_${i}`;
    const status = pick(['pending', 'succeeded', 'failed'] as const);
    out.push({ event_id: `e_${i}_c`, type: 'wallet_txn_created', txn_id: txn, status, ...base, fee: money(i, exp), city: pick(['Dakar', 'Lagos', null]),
      payment_method: pick(['wallet', 'card']), provider: 'wave', customer_id: `c_${i % 7}`, metadata: i % 4 ? null : { i } });
    const r = rnd();
    if (r < 0.2) out.push({ event_id: `e_${i}_f`, type: 'wallet_txn_failed', txn_id: txn, ...base, failure_reason: 'insufficient_funds' });
    else if (r < 0.35) out.push({ event_id: `e_${i}_r`, type: 'refund_created', refund_id: `r_${i}`, txn_id: txn, ...base });
    else if (r < 0.45) out.push({ event_id: `e_${i}_d`, type: 'dispute_created', dispute_id: `d_${i}`, txn_id: txn, ...base, reason: 'fraud' });
    else if (r < 0.55) out.push({ event_id: `e_${i}_p`, type: pick(['payout_created', 'payout.settled']), payout_id: `p_${i}`, ...base });
  }
  return out;
}

const EVENTS = dataset();
const STATUS: Record<string, string> = { wallet_txn_failed: 'failed', refund_created: 'created', dispute_created: 'created', payout_created: 'created', 'payout.settled': 'settled' };
const statusOf = (e: Ev) => (e.type === 'wallet_txn_created' ? String(e.status) : STATUS[String(e.type)]);
const zero = (e: Ev) => (MERCHANTS[e.merchant_id as keyof typeof MERCHANTS][2] ? '0.00' : '0');

/** The public shape the API must give back for a sent event. */
function expected(e: Ev): Ev {
  const payout = String(e.type).startsWith('payout');
  const out: Ev = {
    event_id: e.event_id, type: e.type, occurred_at: e.occurred_at, txn_id: payout ? null : e.txn_id,
    merchant_id: e.merchant_id, amount: e.amount, currency: e.currency, fee: e.fee ?? zero(e), country: e.country,
    status: e.type === 'wallet_txn_created' ? e.status : e.type === 'wallet_txn_failed' ? 'failed' : null,
    city: e.city ?? null, payment_method: e.payment_method ?? null, provider: e.provider ?? null,
    failure_reason: e.failure_reason ?? null, customer_id: e.customer_id ?? null, reason: e.reason ?? null, metadata: e.metadata ?? null,
  };
  for (const f of ['refund_id', 'dispute_id', 'payout_id']) if (e[f]) out[f] = e[f];
  return out;
}
const BY_ID = new Map(EVENTS.map((e) => [String(e.event_id), e]));

let t: TempApp;
let merchantToken: string;
before(async () => {
  t = await openTempApp({ now: () => NOW });
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(EVENTS) });
  assert.equal(res.json().accepted, EVENTS.length, res.body);
  merchantToken = await mintToken({ roles: ['merchant_admin'], merchantId: 'm_1' });
});
after(async () => { await t.close(); });

async function get(path: string, params: Record<string, string> = {}, token?: string) {
  const res = await t.inject({ method: 'GET', url: `${path}?${new URLSearchParams(params)}`, headers: token ? bearer(token) : {} });
  return { status: res.statusCode, type: String(res.headers['content-type']), body: res.json() };
}

/** Every page of a listing, checking each; returns the items in order. */
async function walk(params: Record<string, string>, token?: string): Promise<Ev[]> {
  const items: Ev[] = [];
  let cursor: string | null = null;
  do {
    const r = await get('/api/v1/events', { ...RANGE, limit: '7', ...params, ...(cursor ? { cursor } : {}) }, token);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.ok(r.body.items.length <= 7);
    items.push(...r.body.items);
    cursor = r.body.next_cursor;
  } while (cursor);
  return items;
}

const ids = (xs: Ev[]) => xs.map((e) => String(e.event_id));
const sorted = (xs: Ev[]) => ids([...xs].sort((a, b) => Date.parse(String(b.occurred_at)) - Date.parse(String(a.occurred_at))
  || (String(b.event_id) < String(a.event_id) ? -1 : 1)));

test('pagination walks every event exactly once, newest first, each as it was sent', async () => {
  const items = await walk({});
  assert.deepEqual(ids(items), sorted(EVENTS));
  for (const item of items) assert.deepEqual(item, expected(BY_ID.get(String(item.event_id))!));
  const first = await get('/api/v1/events');
  assert.equal(first.body.items.length, 100);
  assert.ok(first.body.next_cursor);
  assert.deepEqual((await get(`/api/v1/events/${EVENTS[3].event_id}`)).body, expected(EVENTS[3]));
});

test('filters: type (groups and exact types), status, country, merchant, txn and entity ids', async () => {
  const refund = EVENTS.find((e) => e.refund_id)!;
  const cases: Array<[Record<string, string>, (e: Ev) => boolean]> = [
    [{ type: 'refund' }, (e) => e.type === 'refund_created'],
    [{ type: 'payout,wallet_txn_failed' }, (e) => String(e.type).startsWith('payout') || e.type === 'wallet_txn_failed'],
    [{ status: 'failed' }, (e) => statusOf(e) === 'failed'],
    [{ status: 'settled,pending', country: 'NG' }, (e) => ['settled', 'pending'].includes(statusOf(e)) && e.country === 'NG'],
    [{ merchant_id: 'm_2,m_3', type: 'payment' }, (e) => e.merchant_id !== 'm_1' && String(e.type).startsWith('wallet')],
    [{ txn_id: String(refund.txn_id) }, (e) => e.txn_id === refund.txn_id && !String(e.type).startsWith('payout')],
    [{ entity_id: String(refund.refund_id) }, (e) => e.refund_id === refund.refund_id],
  ];
  for (const [params, keep] of cases) {
    const want = EVENTS.filter(keep);
    assert.ok(want.length > 0, JSON.stringify(params));
    assert.deepEqual(ids(await walk(params)), sorted(want), JSON.stringify(params));
  }
});

function counts(events: Ev[]) {
  const byType: Record<string, number> = {};
  const byStatus: Record<string, number> = { pending: 0, succeeded: 0, failed: 0, created: 0, settled: 0 };
  for (const e of events) { byType[String(e.type)] = (byType[String(e.type)] ?? 0) + 1; byStatus[statusOf(e)]++; }
  const times = events.map((e) => Date.parse(String(e.occurred_at)));
  return { total: events.length, byType, byStatus, merchants: new Set(events.map((e) => e.merchant_id)).size,
    first: new Date(Math.min(...times)).toISOString(), last: new Date(Math.max(...times)).toISOString() };
}

async function assertStats(events: Ev[], token?: string) {
  const r = await get('/api/v1/events/stats', RANGE, token);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const c = counts(events);
  assert.equal(r.body.total, c.total);
  assert.deepEqual(Object.fromEntries(Object.entries(r.body.by_type).filter(([, n]) => n)), c.byType);
  assert.deepEqual(r.body.by_status, c.byStatus);
  assert.equal(r.body.merchants, c.merchants);
  assert.equal(r.body.first_occurred_at, c.first);
  assert.equal(r.body.last_occurred_at, c.last);
}

test('stats equal the counts of what was sent', async () => { await assertStats(EVENTS); });

test('a merchant token sees its merchant only: list, stats, single event', async () => {
  const own = EVENTS.filter((e) => e.merchant_id === 'm_1');
  assert.deepEqual(ids(await walk({}, merchantToken)), sorted(own));
  assert.deepEqual(ids(await walk({ merchant_id: 'm_1' }, merchantToken)), sorted(own));
  await assertStats(own, merchantToken);
  assert.equal((await get(`/api/v1/events/${own[0].event_id}`, {}, merchantToken)).status, 200);
  const other = EVENTS.find((e) => e.merchant_id === 'm_2')!;
  const hidden = await get(`/api/v1/events/${other.event_id}`, {}, merchantToken);
  const missing = await get('/api/v1/events/no_such_event', {}, merchantToken);
  assert.equal(hidden.status, 404);
  assert.deepEqual(hidden, missing);
  for (const path of ['/api/v1/events', '/api/v1/events/stats']) {
    const r = await get(path, { merchant_id: 'm_2' }, merchantToken);
    assert.equal(r.status, 403);
    assert.equal(r.body.code, 'forbidden_merchant');
  }
});

test('a cursor taken by one merchant gives another only its own events', async () => {
  const tokenB = await mintToken({ roles: ['merchant_admin'], merchantId: 'm_2' });
  const page = await get('/api/v1/events', { ...RANGE, limit: '20' }, merchantToken);
  const last = page.body.items.at(-1);
  const r = await get('/api/v1/events', { ...RANGE, limit: '1000', cursor: page.body.next_cursor }, tokenB);
  assert.equal(r.status, 200);
  const after = (e: Ev) => Date.parse(String(e.occurred_at)) < Date.parse(last.occurred_at)
    || (Date.parse(String(e.occurred_at)) === Date.parse(last.occurred_at) && String(e.event_id) < last.event_id);
  assert.deepEqual(ids(r.body.items), sorted(EVENTS.filter((e) => e.merchant_id === 'm_2' && after(e))));
});

test('bad cursor, limit and parameters are 400 problem+json', async () => {
  const bad = ['not a cursor', Buffer.from('[1,2]').toString('base64url'), Buffer.from('{').toString('base64url')];
  const cases: Array<Record<string, string>> = [...bad.map((cursor) => ({ cursor })), { limit: '1001' }, { limit: '0' }, { limit: 'x' }, { offset: '3' }, { type: 'nope' }];
  for (const params of cases) {
    const r = await get('/api/v1/events', params);
    assert.equal(r.status, 400, JSON.stringify(params));
    assert.match(r.type, /^application\/problem\+json/);
    assert.equal(r.body.code, 'invalid_parameter');
  }
  assert.equal((await get('/api/v1/events', { limit: '1000' })).status, 200);
});

test('ids with a NUL byte are looked up exactly (no SQL error)', async () => {
  const one = await t.inject({ method: 'GET', url: '/api/v1/events/a%00b' });
  assert.equal(one.statusCode, 404, one.body);
  const list = await t.inject({ method: 'GET', url: '/api/v1/events?txn_id=%00&entity_id=x%00%27y' });
  assert.equal(list.statusCode, 200, list.body);
  assert.deepEqual(list.json().items, []);
});
