// GET /api/merchant/transactions[/:id] over HTTP: cursor pages give every transaction of the
// merchant exactly once and in order, ties on the sort key included, for each sort; filters and
// search as the events say; one transaction with its lifecycle, refunds and disputes, oldest first.
// (The store query itself is tested on DuckDB and ClickHouse in test/store/merchant-transactions.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { disputeEvent, refundEvent, txnEvents, type TxnSpec } from './merchant-events.ts';

const NOW = Date.parse('2026-03-10T14:20:00Z');
const txns: TxnSpec[] = [];
// Forty transactions at five instants (eight share each), amounts from three values, two
// currencies, methods and providers alternating; a few of another merchant at the same instants.
for (let i = 0; i < 46; i++) {
  const instant = ['2026-03-01T08:00:00Z', '2026-03-02T08:00:00Z', '2026-03-05T12:30:00Z', '2026-03-09T23:59:00Z', '2026-03-10T09:00:00Z'][i % 5];
  txns.push({
    merchant: i >= 40 ? 'm_other' : 'm_t', txn: `t_${String(i).padStart(2, '0')}`, at: instant,
    status: (['succeeded', 'failed', 'pending', 'succeeded'] as const)[i % 4], amount: ['1000', '2500', '1000'][i % 3],
    currency: i % 6 === 5 ? 'XAF' : 'XOF', fee: '10', method: i % 2 ? 'card' : 'wallet', provider: i % 3 ? 'wave' : 'orange_money',
    customer: i % 4 === 0 ? 'cus_42' : `cus_${i}`,
  });
}
const mine = txns.filter((x) => x.merchant === 'm_t');

let t: TempApp;
let token: string;
before(async () => {
  t = await openTempApp({ now: () => NOW });
  const events = [
    ...txns.flatMap(txnEvents),
    refundEvent({ merchant: 'm_t', txn: 't_00', refund: 'rf_1', at: '2026-03-03T10:00:00Z', amount: '300' }),
    refundEvent({ merchant: 'm_t', txn: 't_00', refund: 'rf_2', at: '2026-03-04T10:00:00Z', amount: '200' }),
    disputeEvent({ merchant: 'm_t', txn: 't_00', dispute: 'dp_1', at: '2026-03-06T10:00:00Z', amount: '500' }),
  ];
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events });
  assert.equal(res.json().accepted, events.length, res.body);
  token = await mintToken({ sub: 'support@m_t', roles: ['merchant_support'], merchantId: 'm_t' });
});
after(async () => { await t.close(); });

async function get(url: string) {
  const res = await t.app.inject({ url, headers: bearer(token) });
  assert.equal(res.statusCode, 200, `${url}: ${res.body}`);
  return res.json();
}

async function allPages(params: string, limit: number): Promise<Array<Record<string, string>>> {
  const out: Array<Record<string, string>> = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const page = await get(`/api/merchant/transactions?${params}&limit=${limit}${cursor ? `&cursor=${cursor}` : ''}`);
    assert.ok(page.items.length <= limit);
    out.push(...page.items);
    cursor = page.next_cursor;
    assert.ok(++pages <= 100, 'pages end');
  } while (cursor);
  return out;
}

function order(rows: TxnSpec[], key: (x: TxnSpec) => number, descending: boolean): string[] {
  return [...rows].sort((a, b) => {
    const c = key(a) - key(b) || (a.txn < b.txn ? -1 : a.txn > b.txn ? 1 : 0);
    return descending ? -c : c;
  }).map((x) => x.txn);
}

test('cursor pages: every transaction once, in order, ties on the sort key included, for every sort', async () => {
  const created = (x: TxnSpec) => Date.parse(x.at);
  const amount = (x: TxnSpec) => Number(x.amount);
  const cases: Array<[string, string[]]> = [
    ['', order(mine, created, true)],
    ['sort=-created_at', order(mine, created, true)],
    ['sort=created_at', order(mine, created, false)],
    ['sort=-amount', order(mine, amount, true)],
    ['sort=amount', order(mine, amount, false)],
  ];
  for (const [params, want] of cases) {
    for (const limit of [1, 3, 8, 200]) {
      assert.deepEqual((await allPages(params, limit)).map((x) => x.txn_id), want, `${params || 'default'}, pages of ${limit}`);
    }
  }
});

test('filters and search, as the events say', async () => {
  const cases: Array<[string, (x: TxnSpec) => boolean]> = [
    ['status=succeeded', (x) => x.status === 'succeeded'],
    ['status=failed,pending', (x) => x.status !== 'succeeded'],
    ['currency=XAF', (x) => x.currency === 'XAF'],
    ['payment_method=card&provider=wave', (x) => x.method === 'card' && x.provider === 'wave'],
    ['currency=XOF&amount_min=2000', (x) => x.currency === 'XOF' && Number(x.amount) >= 2000],
    ['currency=XOF&amount_max=1000&status=succeeded', (x) => x.currency === 'XOF' && Number(x.amount) <= 1000 && x.status === 'succeeded'],
    ['from=2026-03-02T08:00:00Z&to=2026-03-09T23:59:00Z', (x) => x.at >= '2026-03-02T08:00:00Z' && x.at < '2026-03-09T23:59:00Z'],
    ['search=cus_42', (x) => x.customer === 'cus_42'],
    ['search=t_07', (x) => x.txn === 't_07'],
    ['search=t_41', () => false],
    ['provider=nobody', () => false],
  ];
  for (const [params, keep] of cases) {
    const want = order(mine.filter(keep), (x) => Date.parse(x.at), true);
    assert.ok(want.length > 0 || /nobody|t_41/.test(params), `${params}: the case has rows`);
    assert.deepEqual((await allPages(params, 4)).map((x) => x.txn_id), want, params);
  }
});

test('a row shows the transaction as its events made it', async () => {
  const [row] = (await get('/api/merchant/transactions?search=t_03')).items;
  const spec = mine.find((x) => x.txn === 't_03')!;
  assert.deepEqual(row, {
    txn_id: 't_03', status: 'succeeded', amount: '1000', fee: '10', currency: 'XOF', country: 'SN', city: null,
    payment_method: 'card', provider: 'orange_money', customer_id: 'cus_3', failure_reason: null,
    created_at: new Date(spec.at).toISOString(), updated_at: new Date(Date.parse(spec.at) + 30_000).toISOString(), event_count: 2,
  });
});

test('one transaction: its lifecycle, refunds and disputes, oldest first', async () => {
  const d = await get('/api/merchant/transactions/t_00');
  assert.equal(d.transaction.txn_id, 't_00');
  assert.equal(d.transaction.status, 'succeeded');
  assert.deepEqual(d.events.map((e: { type: string; occurred_at: string }) => [e.type, e.occurred_at]), [
    ['wallet_txn_created', '2026-03-01T08:00:00.000Z'], ['wallet_txn_succeeded', '2026-03-01T08:00:30.000Z'],
    ['refund_created', '2026-03-03T10:00:00.000Z'], ['refund_created', '2026-03-04T10:00:00.000Z'], ['dispute_created', '2026-03-06T10:00:00.000Z'],
  ]);
  assert.equal(d.events_truncated, false);
  assert.deepEqual(d.events.filter((e: { refund_id?: string }) => e.refund_id).map((e: { amount: string }) => e.amount), ['300', '200']);
});

test('refused: a cursor of another sort or forged, an amount without one currency, bad values', async () => {
  const first = await get('/api/merchant/transactions?limit=2');
  for (const params of [`sort=-amount&cursor=${first.next_cursor}`, 'cursor=abc', `cursor=${Buffer.from('["-created_at","x","t"]').toString('base64url')}`,
    'amount_min=10', 'currency=XOF,XAF&amount_max=10', 'currency=XOF&amount_min=-1', 'currency=XOF&amount_min=1.5', 'status=done',
    'sort=date', 'limit=0', 'limit=201', 'from=yesterday', 'currency=ZZZ', 'misspelt=1']) {
    const res = await t.app.inject({ url: `/api/merchant/transactions?${params}`, headers: bearer(token) });
    assert.equal(res.statusCode, 400, `${params}: ${res.body}`);
  }
});
