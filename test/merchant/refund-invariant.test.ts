// The refund invariant under concurrency: 1,000 requests to refund one transaction, all sent at
// once, never refund more than it captured — and refuse none that fitted. 50,000 XOF captured,
// 100 XOF each: exactly 500 are approved and 500 refused, whatever the interleaving.
//
// On PostgreSQL this is the real test: two app instances (two replicas, each with its own pool
// of connections) on one schema, 500 requests each, so up to ten transactions at a time contend
// for the transaction's balance row. On PGlite (one connection, one transaction at a time) the
// requests still interleave in the event loop — between the key claim, the analytics lookup and
// the transaction — so it checks that nothing read outside the lock decides the outcome.
// Then the 500 approved refunds enter the KPIs exactly once, and, above the approval threshold,
// a burst of requests leaves exactly one refund pending.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { txnEvents } from './merchant-events.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const NOW = Date.parse('2026-03-10T14:20:00Z');
const CAPTURED = 50_000;
const AMOUNT = 100;
const ATTEMPTS = 1000;
const EVENTS = [
  ...txnEvents({ merchant: 'm_c', txn: 'tx_hot', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: String(CAPTURED) }),
  ...txnEvents({ merchant: 'm_c', txn: 'tx_large', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: '10000000' }),
];
// All 1,000 are in flight together: sixteen run at a time per replica (more than its pool's five
// connections, so they also contend for connections), the others wait in the admission queue
// (long enough to hold them all). Not more: a request waits at most 5 s for a pool connection
// (503 state_unavailable after), and the lock makes these requests wait for one another.
const ENV = { REFUND_APPROVAL_THRESHOLD: 'XOF:1000000', QUERY_MAX_CONCURRENCY: '16', QUERY_QUEUE_LENGTH: '5000' };

const schema = `t_${randomBytes(6).toString('hex')}`;
const backends = [
  { name: 'pglite', replicas: 1, env: {} as Record<string, string> },
  { name: 'postgres', replicas: 2, env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } },
];

for (const backend of backends) {
  describe(`the refund invariant under ${ATTEMPTS} concurrent requests, state store on ${backend.name}`, {
    skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable', timeout: 600_000,
  }, () => {
    const apps: TempApp[] = [];
    let headers: Record<string, string>;
    let keys = 0;
    const post = (app: TempApp, txn: string, amount: number, who = headers) => app.app.inject({
      method: 'POST', url: '/api/merchant/refunds', payload: { transaction_id: txn, amount, currency: 'XOF' },
      headers: { ...who, 'idempotency-key': `c-${++keys}` },
    });

    before(async () => {
      for (let i = 0; i < backend.replicas; i++) {
        const t = await openTempApp({ now: () => NOW, env: { ...backend.env, ...ENV } });
        apps.push(t);
        // Each replica reads its own analytics store: each is given the transactions.
        assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS })).json().accepted, EVENTS.length);
      }
      headers = bearer(await mintToken({ sub: 'cam@m_c', roles: ['merchant_admin'], merchantId: 'm_c' }));
    });
    after(async () => {
      for (const t of apps) await t.close();
      if (backend.name === 'postgres') await dropSchemas([schema]);
    });

    test(`${ATTEMPTS} requests of ${AMOUNT} for ${CAPTURED} captured: exactly ${CAPTURED / AMOUNT} approved, the rest refused, the sum never above`, async () => {
      const answers = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => post(apps[i % apps.length], 'tx_hot', AMOUNT)));
      const byOutcome = new Map<string, number>();
      for (const res of answers) {
        const outcome = res.statusCode === 201 ? res.json().status : `${res.statusCode} ${res.json().code}`;
        byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
        if (res.statusCode === 422) assert.equal(res.json().available, 0, 'refused only when nothing is left');
      }
      assert.deepEqual(Object.fromEntries(byOutcome), { approved: CAPTURED / AMOUNT, '422 refund_exceeds_captured': ATTEMPTS - CAPTURED / AMOUNT });
      const state = apps[0].platform.state;
      const stored = await state.query<{ amount_minor: number }>(
        `SELECT amount_minor FROM merchant_refunds WHERE merchant_id = 'm_c' AND txn_id = 'tx_hot' AND status <> 'rejected'`);
      assert.equal(stored.length, CAPTURED / AMOUNT);
      assert.equal(stored.reduce((total, r) => total + Number(r.amount_minor), 0), CAPTURED);
      const [balance] = await state.query<{ reserved_minor: number }>(`SELECT reserved_minor FROM merchant_refund_balances WHERE merchant_id = 'm_c' AND txn_id = 'tx_hot'`);
      assert.equal(Number(balance.reserved_minor), CAPTURED);
    });

    test('the approved refunds enter the KPIs once each', async () => {
      const app = apps[0];
      let delivered = 0;
      for (let n = -1; n !== 0;) delivered += n = await app.app.refundRelay.deliverNow();
      assert.equal(delivered, CAPTURED / AMOUNT);
      const current = (await app.app.inject({ url: '/api/merchant/summary?period=mtd&currency=XOF', headers })).json().current;
      assert.deepEqual([current.refund_count, current.refunds], [CAPTURED / AMOUNT, String(CAPTURED)]);
    });

    test('above the threshold, a burst of requests leaves one refund pending and refuses the others', async () => {
      const answers = await Promise.all(Array.from({ length: 100 }, (_, i) => post(apps[i % apps.length], 'tx_large', 2_000_000)));
      const pending = answers.filter((r) => r.statusCode === 201);
      assert.equal(pending.length, 1, answers.map((r) => r.statusCode).join(','));
      assert.equal(pending[0].json().status, 'pending_approval');
      for (const r of answers.filter((x) => x.statusCode !== 201)) {
        assert.equal(r.statusCode, 409, r.body);
        assert.equal(r.json().code, 'refund_pending');
        assert.equal(r.json().refund_id, pending[0].json().id);
      }
    });
  });
}
