// The merchant's payouts over HTTP, with the state store on PGlite and on the real PostgreSQL:
// the history folded from payout events, newest first, every payout once across cursor pages; the
// upcoming payout from the balance (captured − refunds − fees − paid out), the schedule's next
// date, delay and minimum; each payout's transactions, FIFO by capture time, adding up to its
// amount with a transaction split between two payouts; another merchant's payout 404 byte for
// byte like a missing one; the schedule change refused without a recent sign-in (step-up),
// accepted with one, audited. (The store reads are tested on DuckDB and ClickHouse in
// test/store/merchant-payouts; the schedule's dates in payout-schedule.test.ts.)

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { payoutEvent, refundEvent, txnEvents } from './merchant-events.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');
const schema = `t_${randomBytes(6).toString('hex')}`;
const backends = [
  { name: 'pglite', env: {} as Record<string, string> },
  { name: 'postgres', env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } },
];

// A Tuesday.
const NOW = Date.parse('2026-03-10T14:20:00Z');
const NOW_S = NOW / 1000;
const EVENTS = [
  // Nets: tx_1 4950, tx_2 3000 − 30 − 1000 = 1970, tx_3 2000 (captured within the default delay).
  ...txnEvents({ merchant: 'm_a', txn: 'tx_1', at: '2026-03-01T10:00:00Z', status: 'succeeded', amount: '5000', fee: '50' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_2', at: '2026-03-02T10:00:00Z', status: 'succeeded', amount: '3000', fee: '30' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_3', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: '2000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_f', at: '2026-03-02T11:00:00Z', status: 'failed', amount: '700' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_p', at: '2026-03-02T12:00:00Z', status: 'pending', amount: '900' }),
  refundEvent({ merchant: 'm_a', txn: 'tx_2', refund: 'rf_2', at: '2026-03-03T09:00:00Z', amount: '1000' }),
  payoutEvent({ merchant: 'm_a', payout: 'po_1', at: '2026-03-03T18:00:00Z', amount: '4000' }),
  payoutEvent({ merchant: 'm_a', payout: 'po_1', at: '2026-03-04T08:00:00Z', amount: '4000', settled: true }),
  payoutEvent({ merchant: 'm_a', payout: 'po_2', at: '2026-03-05T18:00:00Z', amount: '2000' }),
  ...txnEvents({ merchant: 'm_b', txn: 'tx_b', at: '2026-03-01T10:00:00Z', status: 'succeeded', amount: '9000' }),
  payoutEvent({ merchant: 'm_b', payout: 'po_b', at: '2026-03-03T18:00:00Z', amount: '100' }),
  // Amounts beyond 2^53 minor units (the contract allows 10^15 major units): exact, never rounded.
  ...txnEvents({ merchant: 'm_big', txn: 'tx_big1', at: '2026-03-01T10:00:00Z', status: 'succeeded', amount: '900719925474099.93', currency: 'USD' }),
  ...txnEvents({ merchant: 'm_big', txn: 'tx_big2', at: '2026-03-02T10:00:00Z', status: 'succeeded', amount: '900719925474099.93', currency: 'USD' }),
  payoutEvent({ merchant: 'm_big', payout: 'po_big', at: '2026-03-03T18:00:00Z', amount: '900719925474099.93', currency: 'USD' }),
];

for (const backend of backends) {
  describe(`payouts, state store on ${backend.name}`, { skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    let t: TempApp;
    let admin: string;
    let accountant: string;
    before(async () => {
      t = await openTempApp({ now: () => NOW, env: backend.env });
      const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
      assert.equal(res.json().accepted, EVENTS.length, res.body);
      admin = await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a', authTime: NOW_S - 3600 });
      accountant = await mintToken({ sub: 'cai@m_a', roles: ['merchant_accountant'], merchantId: 'm_a' });
    });
    after(async () => {
      await t.close();
      if (backend.name === 'postgres') await dropSchemas([schema]);
    });

    const get = (url: string, token = accountant) => t.app.inject({ url, headers: bearer(token) });
    const putSchedule = (token: string, payload: object) => t.app.inject({ method: 'PUT', url: '/api/merchant/settings/payout-schedule', payload, headers: bearer(token) });
    const fresh = (sub = 'ana@m_a') => mintToken({ sub, roles: ['merchant_admin'], merchantId: 'm_a', authTime: NOW_S - 60 });

    test('history newest first; the upcoming payout from the balance and the default schedule (daily, 2 days\' delay)', async () => {
      const res = await get('/api/merchant/payouts');
      assert.equal(res.statusCode, 200, res.body);
      const body = res.json();
      assert.deepEqual(body.items, [
        { payout_id: 'po_2', status: 'pending', amount: 2000, amount_decimal: '2000', currency: 'XOF', created_at: '2026-03-05T18:00:00.000Z', settled_at: null, event_count: 1 },
        { payout_id: 'po_1', status: 'settled', amount: 4000, amount_decimal: '4000', currency: 'XOF', created_at: '2026-03-03T18:00:00.000Z', settled_at: '2026-03-04T08:00:00.000Z', event_count: 2 },
      ]);
      assert.equal(body.next_cursor, null);
      assert.deepEqual(body.upcoming, {
        interval: 'daily', time_zone: 'Africa/Dakar', scheduled_for: '2026-03-11', held_from: '2026-03-09T00:00:00.000Z',
        balances: [{
          currency: 'XOF', captured: 10000, refunds: 1000, fees: 80, paid_out: 6000, balance: 2920,
          held: 2000, amount: 920, amount_decimal: '920', minimum_amount: 0, reaches_minimum: true,
        }],
      });
    });

    test('cursor pages: every payout once, the upcoming payout on the first page only', async () => {
      const seen: string[] = [];
      let cursor: string | null = null;
      for (let pages = 0; pages < 10; pages++) {
        const res = await get(`/api/merchant/payouts?limit=1${cursor ? `&cursor=${cursor}` : ''}`);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        if (cursor) assert.equal(body.upcoming, null);
        else assert.notEqual(body.upcoming, null);
        seen.push(...body.items.map((p: { payout_id: string }) => p.payout_id));
        cursor = body.next_cursor;
        if (!cursor) break;
      }
      assert.deepEqual(seen, ['po_2', 'po_1']);
      assert.equal((await get('/api/merchant/payouts?cursor=bm9wZQ')).statusCode, 400);
    });

    test('a payout\'s transactions: FIFO by capture time, a transaction split between two payouts, adding up to its amount', async () => {
      const one = (await get('/api/merchant/payouts/po_1')).json();
      assert.deepEqual(one.transactions.map((x: { txn_id: string; covered: number; covered_before: number; net: number }) => [x.txn_id, x.net, x.covered, x.covered_before]),
        [['tx_1', 4950, 4000, 0]]);
      assert.equal(one.covered_amount, 4000);
      assert.equal(one.uncovered_amount, 0);
      const two = (await get('/api/merchant/payouts/po_2')).json();
      assert.deepEqual(two.transactions, [
        { txn_id: 'tx_1', captured_at: '2026-03-01T10:00:30.000Z', amount: 5000, fee: 50, refunded: 0, net: 4950, covered: 950, covered_before: 4000 },
        { txn_id: 'tx_2', captured_at: '2026-03-02T10:00:30.000Z', amount: 3000, fee: 30, refunded: 1000, net: 1970, covered: 1050, covered_before: 0 },
      ]);
      assert.equal(two.transactions.reduce((a: number, x: { covered: number }) => a + x.covered, 0), two.amount);
      assert.equal(two.covered_amount, 2000);
      assert.equal(two.status, 'pending');
    });

    test('amounts beyond 2^53 minor units come out exact, not rounded to a double', async () => {
      const big = await mintToken({ sub: 'cai@m_big', roles: ['merchant_accountant'], merchantId: 'm_big' });
      const list = await get('/api/merchant/payouts', big);
      assert.equal(list.statusCode, 200, list.body);
      // JSON.parse would round them: the text is what a client with exact integers reads.
      assert.match(list.body, /"amount":90071992547409993,"amount_decimal":"900719925474099.93"/);
      assert.match(list.body, /"captured":180143985094819986,/);
      assert.match(list.body, /"balance":90071992547409993,/);
      const one = await get('/api/merchant/payouts/po_big', big);
      assert.equal(one.statusCode, 200, one.body);
      assert.match(one.body, /"net":90071992547409993,"covered":90071992547409993,"covered_before":0/);
      assert.match(one.body, /"covered_amount":90071992547409993,"uncovered_amount":0/);
    });

    test('another merchant\'s payout is 404 byte for byte like a missing one', async () => {
      const theirs = await get('/api/merchant/payouts/po_b');
      const missing = await get('/api/merchant/payouts/po_zz');
      assert.equal(theirs.statusCode, 404);
      assert.equal(theirs.body, missing.body);
      assert.equal(theirs.headers['content-type'], missing.headers['content-type']);
      assert.equal(theirs.headers['content-length'], missing.headers['content-length']);
      assert.deepEqual((await get('/api/merchant/payouts')).json().items.map((p: { payout_id: string }) => p.payout_id), ['po_2', 'po_1']);
    });

    test('the schedule change needs a recent sign-in: 403 step_up_required, then accepted, audited, and the upcoming payout follows it', async () => {
      const before = (await get('/api/merchant/settings/payout-schedule')).json();
      assert.deepEqual(before, {
        merchant_id: 'm_a', interval: 'daily', weekly_anchor: 'monday', monthly_anchor: 1, delay_days: 2, minimum_amounts: {}, updated_at: null, updated_by: null,
      });
      const change = { interval: 'weekly', weekly_anchor: 'wednesday', delay_days: 0, minimum_amounts: { XOF: 1000 } };
      const noAuthTime = await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a' });
      for (const token of [admin, noAuthTime, await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a', authTime: NOW_S - 301 })]) {
        const refused = await putSchedule(token, change);
        assert.equal(refused.statusCode, 403, refused.body);
        assert.equal(refused.json().code, 'step_up_required');
      }
      const future = await putSchedule(await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a', authTime: NOW_S + 3600 }), change);
      assert.equal(future.json().code, 'step_up_required', 'an auth_time ahead of the clock');
      assert.equal((await get('/api/merchant/settings/payout-schedule')).json().updated_at, null, 'nothing changed');

      const ok = await putSchedule(await fresh(), change);
      assert.equal(ok.statusCode, 200, ok.body);
      assert.deepEqual(ok.json(), {
        merchant_id: 'm_a', interval: 'weekly', weekly_anchor: 'wednesday', monthly_anchor: 1, delay_days: 0, minimum_amounts: { XOF: 1000 },
        updated_at: new Date(NOW).toISOString(), updated_by: 'ana@m_a',
      });
      const audit = (await get('/api/merchant/audit?action=payout_schedule.changed', admin)).json().items;
      assert.equal(audit.length, 1);
      assert.equal(audit[0].actor, 'ana@m_a');
      assert.equal(audit[0].object_type, 'payout_schedule');
      assert.deepEqual(audit[0].detail, {
        from: { interval: 'daily', weekly_anchor: 'monday', monthly_anchor: 1, delay_days: 2, minimum_amounts: {} },
        to: { interval: 'weekly', weekly_anchor: 'wednesday', monthly_anchor: 1, delay_days: 0, minimum_amounts: { XOF: 1000 } },
      });

      // Wednesday the 11th, no delay: nothing held; 2920 reaches the minimum of 1000.
      let upcoming = (await get('/api/merchant/payouts')).json().upcoming;
      assert.equal(upcoming.scheduled_for, '2026-03-11');
      assert.equal(upcoming.held_from, '2026-03-11T00:00:00.000Z');
      assert.deepEqual([upcoming.balances[0].held, upcoming.balances[0].amount, upcoming.balances[0].minimum_amount, upcoming.balances[0].reaches_minimum], [0, 2920, 1000, true]);

      // Monthly on the 31st, a minimum above the balance, in New York.
      const tz = await t.app.inject({ method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: 'America/New_York' }, headers: bearer(admin) });
      assert.equal(tz.statusCode, 200, tz.body);
      assert.equal((await putSchedule(await fresh(), { interval: 'monthly', monthly_anchor: 31, delay_days: 1, minimum_amounts: { XOF: 5000 } })).statusCode, 200);
      upcoming = (await get('/api/merchant/payouts')).json().upcoming;
      assert.equal(upcoming.scheduled_for, '2026-03-31');
      assert.equal(upcoming.time_zone, 'America/New_York');
      assert.equal(upcoming.held_from, '2026-03-30T04:00:00.000Z', 'local midnight (EDT) of the day before');
      assert.deepEqual([upcoming.balances[0].amount, upcoming.balances[0].reaches_minimum], [2920, false]);

      const manual = await putSchedule(await fresh(), { interval: 'manual' });
      assert.equal(manual.json().delay_days, 2, 'a field left out takes its default');
      assert.equal((await get('/api/merchant/payouts')).json().upcoming.scheduled_for, null);
    });

    test('the schedule: refused values, and who may change it', async () => {
      for (const body of [{ interval: 'hourly' }, { interval: 'monthly', monthly_anchor: 32 }, { interval: 'daily', delay_days: -1 },
        { interval: 'daily', minimum_amounts: { XOF: 1.5 } }, { interval: 'daily', minimum_amounts: { xof: 1 } }, { interval: 'daily', minimum_amounts: { ZZZ: 1 } }, {}]) {
        const res = await putSchedule(await fresh(), body);
        assert.equal(res.statusCode, 400, `${JSON.stringify(body)}: ${res.body}`);
      }
      const accountantFresh = await mintToken({ sub: 'cai@m_a', roles: ['merchant_accountant'], merchantId: 'm_a', authTime: NOW_S });
      const refused = await putSchedule(accountantFresh, { interval: 'daily' });
      assert.equal(refused.statusCode, 403);
      assert.equal(refused.json().code, 'forbidden');
      const ops = await mintToken({ sub: 'olu@ops', roles: ['analytics:ops'], authTime: NOW_S });
      const byOps = await t.app.inject({ method: 'PUT', url: '/api/merchant/settings/payout-schedule', payload: { interval: 'daily' }, headers: { ...bearer(ops), 'x-merchant-id': 'm_a' } });
      assert.equal(byOps.statusCode, 403);
      assert.equal(byOps.json().code, 'forbidden');
      const opsRead = await t.app.inject({ url: '/api/merchant/payouts/po_1', headers: { ...bearer(ops), 'x-merchant-id': 'm_a' } });
      assert.equal(opsRead.statusCode, 200, opsRead.body);
      const support = await mintToken({ sub: 'sam@m_a', roles: ['merchant_support'], merchantId: 'm_a' });
      assert.equal((await get('/api/merchant/payouts', support)).statusCode, 403);
    });
  });
}
