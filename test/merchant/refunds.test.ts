// Merchant refunds over HTTP, with the state store on PGlite and on the real PostgreSQL: the
// Idempotency-Key (the stored answer, another body, a request still running, a burst with one
// key, keys per merchant, kept 24 hours then purged); only the merchant's succeeded
// transactions, in their currency, up to what was captured (counting the stream's refunds from
// elsewhere, not our own twice); another merchant's transaction or refund is the same 404 as a
// missing one, byte for byte; the approval threshold per currency and four eyes; every change
// audited and sent to the merchant's own webhooks; an approved refund counted once in the
// merchant's summary, a second delivery of its event changing nothing, rejected and pending
// refunds never in it; the role × endpoint matrix; the request counter.
// (The invariant under 1,000 concurrent requests: refund-invariant.test.ts.)

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { refundEvent, txnEvents } from './merchant-events.ts';
import { claimKey, fingerprintOf, purgeExpiredKeys } from '../../src/merchant/idempotency.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const NOW = Date.parse('2026-03-10T14:20:00Z');
const DAY = 86_400_000;
/** XOF has no minor unit (100000 = 100,000 XOF); NGN and EUR two (500000 = 5,000.00 NGN; 10000 = 100.00 EUR). */
const THRESHOLDS = 'XOF:100000,NGN:500000,*:10000';
const at = '2026-03-09T10:00:00Z';
const EVENTS = [
  ...txnEvents({ merchant: 'm_a', txn: 'tx_auto', at, status: 'succeeded', amount: '50000', method: 'card', provider: 'wave' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_idem', at, status: 'succeeded', amount: '50000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_burst', at, status: 'succeeded', amount: '50000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_ttl', at, status: 'succeeded', amount: '50000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_pending', at, status: 'pending', amount: '5000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_failed', at, status: 'failed', amount: '5000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_ext', at, status: 'succeeded', amount: '5000' }),
  refundEvent({ merchant: 'm_a', txn: 'tx_ext', refund: 'rf_elsewhere', at: '2026-03-09T12:00:00Z', amount: '1000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_big', at, status: 'succeeded', amount: '1000000' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_ngn', at, status: 'succeeded', amount: '20000.00', currency: 'NGN' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_eur', at, status: 'succeeded', amount: '300.00', currency: 'EUR' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_roles', at, status: 'succeeded', amount: '1000000' }),
  ...txnEvents({ merchant: 'm_b', txn: 'tx_b1', at, status: 'succeeded', amount: '9000' }),
  // m_k: a merchant whose KPIs only these tests' refunds touch.
  ...txnEvents({ merchant: 'm_k', txn: 'tx_k1', at, status: 'succeeded', amount: '100000' }),
  ...txnEvents({ merchant: 'm_k', txn: 'tx_k2', at, status: 'succeeded', amount: '1000000' }),
  ...txnEvents({ merchant: 'm_k', txn: 'tx_k3', at, status: 'succeeded', amount: '1000000' }),
];

interface Refund { id: string; transaction_id: string; amount: number; status: string; decided_by: string | null; [k: string]: unknown }

const schema = `t_${randomBytes(6).toString('hex')}`;
const backends = [
  { name: 'pglite', env: {} as Record<string, string> },
  { name: 'postgres', env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } },
];

for (const backend of backends) {
  describe(`merchant refunds, state store on ${backend.name}`, { skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    let t: TempApp;
    let clock = NOW;
    const tokens: Record<string, Record<string, string>> = {};
    let keys = 0;
    const freshKey = () => `key-${backend.name}-${++keys}`;

    before(async () => {
      t = await openTempApp({ now: () => clock, env: { ...backend.env, REFUND_APPROVAL_THRESHOLD: THRESHOLDS } });
      const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
      assert.equal(res.json().accepted, EVENTS.length, res.body);
      const token = async (sub: string, roles: string[], merchantId?: string) => bearer(await mintToken({ sub, roles, merchantId }));
      tokens.ana = await token('ana@m_a', ['merchant_admin'], 'm_a');
      tokens.bob = await token('bob@m_a', ['merchant_admin'], 'm_a');
      tokens.bea = await token('bea@m_b', ['merchant_admin'], 'm_b');
      tokens.kim = await token('kim@m_k', ['merchant_admin'], 'm_k');
      tokens.kofi = await token('kofi@m_k', ['merchant_admin'], 'm_k');
      tokens.ops = { ...(await token('olu@ops', ['analytics:ops'])), 'x-merchant-id': 'm_a' };
    });
    after(async () => {
      await t.close();
      if (backend.name === 'postgres') await dropSchemas([schema]);
    });

    const refund = (who: string, body: Record<string, unknown>, key: string | null = freshKey(), path = '/api/merchant/refunds') =>
      t.app.inject({ method: 'POST', url: path, payload: body, headers: { ...tokens[who], ...(key === null ? {} : { 'idempotency-key': key }) } });
    const decide = (who: string, id: string, decision: 'approve' | 'reject', reason?: string) =>
      t.app.inject({ method: 'POST', url: `/api/merchant/refunds/${id}/${decision}`, headers: tokens[who], ...(reason ? { payload: { reason } } : {}) });
    const get = (who: string, url: string) => t.app.inject({ url, headers: tokens[who] });
    const expectProblem = (res: LightMyRequestResponse, status: number, code: string) => {
      assert.equal(res.statusCode, status, res.body);
      assert.equal(res.json().code, code, res.body);
    };
    const created = (res: LightMyRequestResponse): Refund => {
      assert.equal(res.statusCode, 201, res.body);
      return res.json();
    };

    test('at or below the threshold: approved at once, audited, sent to the merchant\'s own webhooks, queued for the stream', async () => {
      const [own, other, ops] = await Promise.all([['m_a', 'https://a.example/hook'], ['m_b', 'https://b.example/hook'], [null, 'https://ops.example/hook']]
        .map(async ([merchant, url]) => (await t.platform.state.query<{ id: number }>(
          `INSERT INTO webhook_endpoints (merchant_id, url, secrets, created_by) VALUES ($1, $2, ARRAY['s3cret'], 'test') RETURNING id`, [merchant, url]))[0].id));
      const r = created(await refund('ana', { transaction_id: 'tx_auto', amount: 1500, currency: 'XOF', reason: 'damaged' }));
      assert.deepEqual({ ...r, id: undefined }, {
        id: undefined, transaction_id: 'tx_auto', amount: 1500, amount_decimal: '1500', currency: 'XOF', reason: 'damaged', status: 'approved',
        requested_by: 'ana@m_a', requested_at: new Date(NOW).toISOString(), decided_by: null, decided_at: new Date(NOW).toISOString(), decision_reason: null,
      });
      assert.match(r.id, /^rf_[0-9a-f]{24}$/);
      assert.deepEqual((await get('ana', `/api/merchant/refunds/${r.id}`)).json(), r);
      const sent = await t.platform.state.query<{ event_type: string; endpoint_id: number; payload: { refund: Refund; merchant_id: string } }>(
        'SELECT event_type, endpoint_id, payload FROM outbox WHERE dedupe_key LIKE $1 ORDER BY id', [`refund:${r.id}:%`]);
      assert.deepEqual(sent.map((x) => [x.event_type, x.endpoint_id]), [['merchant.refund.created', own], ['merchant.refund.approved', own]],
        `only m_a's endpoint (not ${other}, nor the ops-wide ${ops})`);
      assert.deepEqual(sent[1].payload.refund, r);
      assert.equal(sent[1].payload.merchant_id, 'm_a');
      const log = (await get('ana', '/api/merchant/audit?limit=10')).json().items.filter((x: { object_id: string }) => x.object_id === r.id);
      assert.deepEqual(log.map((x: { action: string; actor: string; actor_kind: string }) => [x.action, x.actor, x.actor_kind]),
        [['refund.approved', 'ana@m_a', 'merchant'], ['refund.requested', 'ana@m_a', 'merchant']]);
      assert.equal(log[0].detail.automatic, true);
      const [queued] = await t.platform.state.query<{ event: Record<string, string>; status: string }>(
        'SELECT event, status FROM merchant_refund_events WHERE refund_id = $1', [r.id]);
      assert.equal(queued.status, 'pending');
      assert.deepEqual(queued.event, {
        event_id: `refund:${r.id}`, type: 'refund_created', occurred_at: new Date(NOW).toISOString(), refund_id: r.id, txn_id: 'tx_auto',
        merchant_id: 'm_a', amount: '1500', currency: 'XOF', country: 'SN', payment_method: 'card', provider: 'wave',
      });
    });

    test('Idempotency-Key: the same key and body get the stored answer; another body is 422; the key is required; keys are per merchant', async () => {
      const body = { transaction_id: 'tx_idem', amount: 700, currency: 'XOF' };
      const first = await refund('ana', body, 'order-42-refund');
      const r = created(first);
      assert.equal(first.headers['idempotent-replayed'], undefined);
      const again = await refund('ana', body, 'order-42-refund');
      assert.equal(again.statusCode, 201);
      assert.equal(again.body, first.body, 'the stored answer, byte for byte');
      assert.equal(again.headers['idempotent-replayed'], 'true');
      // The seed's path and spelling name the same request.
      const alias = await refund('ana', { txn_id: 'tx_idem', amount: 700, currency: 'XOF' }, 'order-42-refund', '/api/merchant/refund');
      assert.equal(alias.body, first.body);
      expectProblem(await refund('ana', { ...body, amount: 701 }, 'order-42-refund'), 422, 'idempotency_key_reused');
      expectProblem(await refund('bob', { ...body, reason: 'another' }, 'order-42-refund'), 422, 'idempotency_key_reused');
      const list = (await get('ana', '/api/merchant/refunds?transaction=tx_idem')).json().items;
      assert.deepEqual(list.map((x: Refund) => x.id), [r.id], 'one refund');
      expectProblem(await refund('ana', body, null), 400, 'idempotency_key_required');
      expectProblem(await refund('ana', body, 'with space'), 400, 'invalid_parameter');
      // Another merchant's key space: the same key is a new request there.
      const theirs = created(await refund('bea', { transaction_id: 'tx_b1', amount: 700, currency: 'XOF' }, 'order-42-refund'));
      assert.notEqual(theirs.id, r.id);
      // A refusal is an answer too: stored, and given again.
      const missing = await refund('ana', { transaction_id: 'tx_nope', amount: 1, currency: 'XOF' }, 'k-missing');
      expectProblem(missing, 404, 'not_found');
      const missingAgain = await refund('ana', { transaction_id: 'tx_nope', amount: 1, currency: 'XOF' }, 'k-missing');
      assert.equal(missingAgain.body, missing.body);
      assert.equal(missingAgain.headers['idempotent-replayed'], 'true');
      // With details, in their order.
      const over = await refund('ana', { transaction_id: 'tx_idem', amount: 1_000_000, currency: 'XOF' }, 'k-over');
      expectProblem(over, 422, 'refund_exceeds_captured');
      assert.deepEqual(Object.keys(over.json()).slice(-3), ['captured', 'refunded', 'available']);
      assert.equal((await refund('ana', { transaction_id: 'tx_idem', amount: 1_000_000, currency: 'XOF' }, 'k-over')).body, over.body);
    });

    test('a request whose key is still running is 409, until its claim lapses; a burst with one key refunds once', async () => {
      const body = { transaction_id: 'tx_burst', amount: 300, currency: 'XOF' };
      // Another attempt holds the key (its process is working, or died) — claimed as the route claims it.
      const held = await claimKey(t.platform.state, 'm_a', 'held-key', fingerprintOf(['tx_burst', 300, 'XOF', null]), clock);
      assert.ok('claimed' in held);
      expectProblem(await refund('ana', body, 'held-key'), 409, 'idempotency_key_in_use');
      expectProblem(await refund('ana', { ...body, amount: 301 }, 'held-key'), 422, 'idempotency_key_reused');
      clock += 61_000; // past RUNNING_LEASE_MS: the claim is abandoned, this attempt takes it over
      try {
        created(await refund('ana', body, 'held-key'));
      } finally {
        clock = NOW;
      }
      const burst = await Promise.all(Array.from({ length: 25 }, () => refund('ana', { ...body, reason: 'burst' }, 'burst-key')));
      const statuses = burst.map((r) => r.statusCode);
      assert.ok(statuses.every((s) => s === 201 || s === 409), String(statuses));
      for (const r of burst.filter((x) => x.statusCode === 409)) assert.equal(r.json().code, 'idempotency_key_in_use');
      const answers = new Set(burst.filter((x) => x.statusCode === 201).map((x) => x.body));
      assert.equal(answers.size, 1, 'every 201 is the one refund');
      const list = (await get('ana', '/api/merchant/refunds?transaction=tx_burst')).json().items;
      assert.equal(list.filter((x: Refund) => x.reason === 'burst').length, 1);
      const after = await refund('ana', { ...body, reason: 'burst' }, 'burst-key');
      assert.equal(after.body, [...answers][0], 'the stored answer from now on');
    });

    test('answers are kept 24 hours, then the key is free and purged', async () => {
      const body = { transaction_id: 'tx_ttl', amount: 100, currency: 'XOF' };
      const first = created(await refund('ana', body, 'ttl-key'));
      try {
        clock = NOW + DAY - 1;
        assert.equal((await refund('ana', body, 'ttl-key')).json().id, first.id, 'still the stored answer');
        assert.equal(await purgeExpiredKeys(t.platform.state, clock), 0);
        clock = NOW + DAY;
        const count = async () => (await t.platform.state.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM merchant_idempotency_keys WHERE merchant_id = 'm_a' AND key = 'ttl-key'`))[0].n;
        assert.equal(await count(), 1);
        assert.ok(await purgeExpiredKeys(t.platform.state, clock) >= 1);
        assert.equal(await count(), 0, 'purged');
        // Another body with the key: not idempotency_key_reused but a new request, which runs (and is refused on its merits).
        expectProblem(await refund('ana', { ...body, amount: 999_999 }, 'ttl-key'), 422, 'refund_exceeds_captured');
      } finally {
        clock = NOW;
      }
    });

    test('only the merchant\'s succeeded transactions, in their currency; another merchant\'s transaction or refund is 404 like a missing one', async () => {
      expectProblem(await refund('ana', { transaction_id: 'tx_pending', amount: 1, currency: 'XOF' }), 422, 'transaction_not_refundable');
      expectProblem(await refund('ana', { transaction_id: 'tx_failed', amount: 1, currency: 'XOF' }), 422, 'transaction_not_refundable');
      expectProblem(await refund('ana', { transaction_id: 'tx_auto', amount: 1, currency: 'EUR' }), 422, 'currency_mismatch');
      const theirs = await refund('ana', { transaction_id: 'tx_b1', amount: 1, currency: 'XOF' });
      const missing = await refund('ana', { transaction_id: 'tx_zz', amount: 1, currency: 'XOF' });
      assert.equal(theirs.statusCode, 404);
      for (const h of ['content-type', 'content-length']) assert.equal(theirs.headers[h], missing.headers[h], h);
      assert.equal(theirs.body, missing.body);
      const bRefund = created(await refund('bea', { transaction_id: 'tx_b1', amount: 5, currency: 'XOF' }));
      for (const [a, b] of [
        [await get('ana', `/api/merchant/refunds/${bRefund.id}`), await get('ana', '/api/merchant/refunds/rf_000000000000000000000000')],
        [await decide('bob', bRefund.id, 'approve'), await decide('bob', 'rf_000000000000000000000000', 'approve')],
        [await decide('bob', bRefund.id, 'reject'), await decide('bob', 'rf_000000000000000000000000', 'reject')],
      ]) {
        assert.equal(a.statusCode, 404);
        assert.equal(a.body, b.body);
        assert.equal(a.headers['content-length'], b.headers['content-length']);
      }
      assert.deepEqual((await get('ana', '/api/merchant/refunds?transaction=tx_b1')).json().items, []);
      expectProblem(await refund('ana', { transaction_id: 'tx_auto', txn_id: 'tx_auto', amount: 1, currency: 'XOF' }), 400, 'invalid_parameter');
      expectProblem(await refund('ana', { amount: 1, currency: 'XOF' }), 400, 'invalid_parameter');
      for (const amount of [0, -5, 1.5, 2 ** 53]) expectProblem(await refund('ana', { transaction_id: 'tx_auto', amount, currency: 'XOF' }), 400, 'invalid_parameter');
    });

    test('partial refunds up to the captured amount, the stream\'s refunds from elsewhere included, ours not twice', async () => {
      // tx_ext: 5000 captured, 1000 refunded by another system (its refund_created is in the stream).
      const over = await refund('ana', { transaction_id: 'tx_ext', amount: 4001, currency: 'XOF' });
      expectProblem(over, 422, 'refund_exceeds_captured');
      assert.deepEqual([over.json().captured, over.json().refunded, over.json().available], [5000, 1000, 4000]);
      created(await refund('ana', { transaction_id: 'tx_ext', amount: 2500, currency: 'XOF' }));
      await t.app.refundRelay.deliverNow(); // our 2500 is in the stream now too
      created(await refund('ana', { transaction_id: 'tx_ext', amount: 1500, currency: 'XOF' }));
      const full = await refund('ana', { transaction_id: 'tx_ext', amount: 1, currency: 'XOF' });
      expectProblem(full, 422, 'refund_exceeds_captured');
      assert.deepEqual([full.json().refunded, full.json().available], [5000, 0], 'our delivered refund counted once');
    });

    test('threshold per currency: at it approved, above it pending until another person approves; one pending per transaction', async () => {
      assert.equal(created(await refund('ana', { transaction_id: 'tx_big', amount: 100000, currency: 'XOF' })).status, 'approved', 'XOF at its threshold');
      const big = created(await refund('ana', { transaction_id: 'tx_big', amount: 100001, currency: 'XOF', reason: 'large order' }));
      assert.equal(big.status, 'pending_approval');
      const second = await refund('bob', { transaction_id: 'tx_big', amount: 10, currency: 'XOF' });
      expectProblem(second, 409, 'refund_pending');
      assert.equal(second.json().refund_id, big.id);
      expectProblem(await decide('ana', big.id, 'approve'), 403, 'four_eyes_required');
      const approved = await decide('bob', big.id, 'approve', 'checked the order');
      assert.equal(approved.statusCode, 200, approved.body);
      assert.deepEqual([approved.json().status, approved.json().decided_by, approved.json().decision_reason], ['approved', 'bob@m_a', 'checked the order']);
      expectProblem(await decide('ana', big.id, 'reject'), 409, 'refund_not_pending');
      created(await refund('bob', { transaction_id: 'tx_big', amount: 10, currency: 'XOF' }));

      // NGN: 5,000.00 is its threshold. The requester may withdraw (reject) its own request; the amount is free again.
      assert.equal(created(await refund('ana', { transaction_id: 'tx_ngn', amount: 500000, currency: 'NGN' })).status, 'approved');
      const ngn = created(await refund('ana', { transaction_id: 'tx_ngn', amount: 1500000, currency: 'NGN' }));
      assert.equal(ngn.status, 'pending_approval');
      assert.equal(ngn.amount_decimal, '15000.00');
      const withdrawn = await decide('ana', ngn.id, 'reject', 'typo');
      assert.deepEqual([withdrawn.json().status, withdrawn.json().decided_by], ['rejected', 'ana@m_a']);
      const rest = created(await refund('ana', { transaction_id: 'tx_ngn', amount: 1500000, currency: 'NGN' }));
      assert.equal(rest.status, 'pending_approval');
      // An operator acting for the merchant is another person: it may approve (audited as ops).
      assert.equal((await decide('ops', rest.id, 'approve')).json().status, 'approved');
      expectProblem(await refund('ana', { transaction_id: 'tx_ngn', amount: 1, currency: 'NGN' }), 422, 'refund_exceeds_captured');

      // EUR has no entry: `*` (100.00).
      assert.equal(created(await refund('ana', { transaction_id: 'tx_eur', amount: 10000, currency: 'EUR' })).status, 'approved');
      assert.equal(created(await refund('ana', { transaction_id: 'tx_eur', amount: 10001, currency: 'EUR' })).status, 'pending_approval');

      const log = (await get('ana', '/api/merchant/audit?limit=500')).json().items
        .filter((x: { object_id: string }) => x.object_id === big.id || x.object_id === ngn.id || x.object_id === rest.id)
        .map((x: { action: string; actor: string; actor_kind: string; object_id: string }) => [x.object_id, x.action, x.actor, x.actor_kind]);
      assert.deepEqual(log, [
        [rest.id, 'refund.approved', 'olu@ops', 'ops'], [rest.id, 'refund.requested', 'ana@m_a', 'merchant'],
        [ngn.id, 'refund.rejected', 'ana@m_a', 'merchant'], [ngn.id, 'refund.requested', 'ana@m_a', 'merchant'],
        [big.id, 'refund.approved', 'bob@m_a', 'merchant'], [big.id, 'refund.requested', 'ana@m_a', 'merchant'],
      ]);
      const pending = (await get('ana', '/api/merchant/refunds?status=pending_approval')).json().items;
      assert.ok(pending.every((x: Refund) => x.status === 'pending_approval') && pending.some((x: Refund) => x.transaction_id === 'tx_eur'));
      expectProblem(await get('ana', '/api/merchant/refunds?status=done'), 400, 'invalid_parameter');
    });

    test('an approved refund is counted once in the summary, a second delivery changes nothing; rejected and pending refunds never enter', async () => {
      const summary = async () => (await get('kim', '/api/merchant/summary?period=mtd&currency=XOF')).json().current;
      const auto = created(await refund('kim', { transaction_id: 'tx_k1', amount: 3000, currency: 'XOF' }));
      const rejected = created(await refund('kim', { transaction_id: 'tx_k2', amount: 150000, currency: 'XOF' }));
      assert.equal((await decide('kofi', rejected.id, 'reject')).json().status, 'rejected');
      const pending = created(await refund('kim', { transaction_id: 'tx_k3', amount: 120000, currency: 'XOF' }));
      const approvedLater = created(await refund('kim', { transaction_id: 'tx_k2', amount: 110000, currency: 'XOF' }));
      const before = await summary();
      assert.deepEqual([before.refund_count, before.refunds], [0, '0'], 'nothing before the relay delivers');
      assert.equal((await decide('kofi', approvedLater.id, 'approve')).statusCode, 200);
      await t.app.refundRelay.deliverNow();
      const once = await summary();
      assert.deepEqual([once.refund_count, once.refunds, once.sales], [2, '113000', '2100000']);
      // The relay delivers again (as after a crash between its send and its mark): a duplicate.
      const duplicates = t.platform.engine.stats.duplicates;
      await t.platform.state.query(`UPDATE merchant_refund_events SET status = 'pending', next_attempt_at = $1 WHERE merchant_id = 'm_k'`, [new Date(NOW)]);
      assert.equal(await t.app.refundRelay.deliverNow(), 2, 'both delivered again');
      assert.equal(t.platform.engine.stats.duplicates, duplicates + 2);
      assert.deepEqual(await summary(), once, 'unchanged');
      const raw = await t.inject({ url: '/api/v1/events?merchant_id=m_k&type=refund_created&from=2026-03-01T00:00:00Z&to=2026-03-11T00:00:00Z' });
      assert.deepEqual(raw.json().items.map((e: { refund_id: string; event_id: string }) => [e.refund_id, e.event_id]).sort(),
        [[auto.id, `refund:${auto.id}`], [approvedLater.id, `refund:${approvedLater.id}`]].sort());
      const rows = await t.platform.state.query<{ refund_id: string; status: string; delivered_via: string }>(
        `SELECT refund_id, status, delivered_via FROM merchant_refund_events WHERE merchant_id = 'm_k' ORDER BY refund_id`);
      assert.deepEqual(rows.map((r) => r.refund_id).sort(), [auto.id, approvedLater.id].sort(), `no event for ${rejected.id} nor ${pending.id}`);
      assert.ok(rows.every((r) => r.status === 'delivered' && r.delivered_via === 'engine'));
      const sent = await t.platform.state.query<{ event_type: string }>(
        `SELECT event_type FROM outbox WHERE dedupe_key LIKE $1`, [`refund:${rejected.id}:%`]);
      assert.equal(sent.length, 0, 'm_k has no webhook endpoint: nothing queued');
    });

    test('role × endpoint: allowed exactly as the roles say, 403 forbidden otherwise', async () => {
      const target = created(await refund('ana', { transaction_id: 'tx_roles', amount: 1, currency: 'XOF' }));
      type Endpoint = 'list' | 'get' | 'request' | 'request:alias' | 'approve' | 'reject';
      const ALL: Endpoint[] = ['list', 'get', 'request', 'request:alias', 'approve', 'reject'];
      const MATRIX: Array<{ who: string; roles: string[]; merchant?: string; header?: string; allowed: Endpoint[] }> = [
        { who: 'merchant_admin', roles: ['merchant_admin'], merchant: 'm_a', allowed: ALL },
        { who: 'merchant_accountant', roles: ['merchant_accountant'], merchant: 'm_a', allowed: ['list', 'get'] },
        { who: 'merchant_support', roles: ['merchant_support'], merchant: 'm_a', allowed: ['list', 'get'] },
        { who: 'ops naming m_a', roles: ['analytics:ops'], header: 'm_a', allowed: ALL },
        { who: 'a merchant token with analytics grants', roles: ['analytics:view', 'events:read', 'alerts:manage'], merchant: 'm_a', allowed: [] },
        { who: 'events:write', roles: ['events:write'], header: 'm_a', allowed: [] },
      ];
      for (const row of MATRIX) {
        const headers = { ...bearer(await mintToken({ sub: `matrix-${row.who.replaceAll(/[^a-z_]/g, '-')}`, roles: row.roles, merchantId: row.merchant })),
          ...(row.header ? { 'x-merchant-id': row.header } : {}) };
        for (const e of ALL) {
          // A decision on a refund this caller did not request: the handler answers 409 (already decided) when allowed.
          const res = e === 'list' ? await t.app.inject({ url: '/api/merchant/refunds', headers })
            : e === 'get' ? await t.app.inject({ url: `/api/merchant/refunds/${target.id}`, headers })
              : e === 'approve' || e === 'reject' ? await t.app.inject({ method: 'POST', url: `/api/merchant/refunds/${target.id}/${e}`, headers })
                : await t.app.inject({
                  method: 'POST', url: e === 'request' ? '/api/merchant/refunds' : '/api/merchant/refund',
                  headers: { ...headers, 'idempotency-key': freshKey() }, payload: { transaction_id: 'tx_roles', amount: 1, currency: 'XOF' },
                });
          const what = `${row.who} → ${e}: ${res.statusCode} ${res.body.slice(0, 160)}`;
          if (!row.allowed.includes(e)) expectProblem(res, 403, 'forbidden');
          else if (e === 'approve' || e === 'reject') expectProblem(res, 409, 'refund_not_pending');
          else assert.equal(res.statusCode, e.startsWith('request') ? 201 : 200, what);
        }
      }
    });

    test('molam_merchant_refund_requests_total counts requests by outcome', async () => {
      const text = (await t.inject({ url: '/metrics' })).body;
      const value = (outcome: string) => Number(new RegExp(`^molam_merchant_refund_requests_total\\{outcome="${outcome}"\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      for (const outcome of ['approved', 'pending_approval', 'refused', 'replayed', 'key_conflict']) assert.ok(value(outcome) >= 1, `${outcome}: ${value(outcome)}`);
      assert.match(text, /^molam_merchant_refund_events_total\{via="engine",outcome="delivered"\} \d+$/m);
    });
  });
}
