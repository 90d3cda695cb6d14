// The merchant portal's access rules over HTTP, with the state store on PGlite and on the real
// PostgreSQL: the role × endpoint matrix as the issue states it; a merchant sees only itself —
// another merchant's transaction is the same 404, byte for byte, as a missing one; an ops token
// acts for a merchant only by naming it, and every such call lands in that merchant's audit log
// with who, when and from where — or does not run at all when the log cannot be written (the
// real PostgreSQL cut through a TCP forwarder); settings changes are audited; the portal's
// request counter.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { startForwarder } from '../support/tcp-forwarder.ts';
import { disputeEvent, payoutEvent, refundEvent, txnEvents } from './merchant-events.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const NOW = Date.parse('2026-03-10T14:20:00Z');
const EVENTS = [
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a1', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: '5000', fee: '50' }),
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a2', at: '2026-03-09T11:00:00Z', status: 'failed', amount: '700' }),
  refundEvent({ merchant: 'm_a', txn: 'tx_a1', refund: 'rf_a1', at: '2026-03-09T12:00:00Z', amount: '1000' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_a1', at: '2026-03-09T13:00:00Z', amount: '4000' }),
  ...txnEvents({ merchant: 'm_b', txn: 'tx_b1', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: '9000', fee: '90' }),
  payoutEvent({ merchant: 'm_a', payout: 'po_a1', at: '2026-03-09T15:00:00Z', amount: '3000' }),
  payoutEvent({ merchant: 'm_b', payout: 'po_b1', at: '2026-03-09T15:00:00Z', amount: '3000' }),
];

type Endpoint = 'summary' | 'transactions' | 'transaction' | 'audit' | 'settings' | 'settings:put' | 'disputes' | 'dispute'
  | 'payouts' | 'payout' | 'schedule' | 'schedule:put';
const ENDPOINTS: Record<Endpoint, { method: 'GET' | 'PUT'; url: string; payload?: unknown }> = {
  summary: { method: 'GET', url: '/api/merchant/summary?period=today' },
  transactions: { method: 'GET', url: '/api/merchant/transactions' },
  transaction: { method: 'GET', url: '/api/merchant/transactions/tx_a1' },
  audit: { method: 'GET', url: '/api/merchant/audit' },
  settings: { method: 'GET', url: '/api/merchant/settings' },
  'settings:put': { method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: 'Africa/Dakar' } },
  disputes: { method: 'GET', url: '/api/merchant/disputes' },
  dispute: { method: 'GET', url: '/api/merchant/disputes/dp_a1' },
  payouts: { method: 'GET', url: '/api/merchant/payouts' },
  payout: { method: 'GET', url: '/api/merchant/payouts/po_a1' },
  schedule: { method: 'GET', url: '/api/merchant/settings/payout-schedule' },
  'schedule:put': { method: 'PUT', url: '/api/merchant/settings/payout-schedule', payload: { interval: 'daily' } },
};
const ALL = Object.keys(ENDPOINTS) as Endpoint[];
/** The payout schedule change is the merchant administrator's alone: ops does not hold it. */
const OPS = ALL.filter((e) => e !== 'schedule:put');

/** The issue's roles, written out here rather than read from the access table. */
const MATRIX: Array<{ who: string; roles: string[]; merchant?: string; header?: string; allowed: Endpoint[] }> = [
  { who: 'merchant_admin', roles: ['merchant_admin'], merchant: 'm_a', allowed: ALL },
  { who: 'merchant_accountant', roles: ['merchant_accountant'], merchant: 'm_a', allowed: ['summary', 'transactions', 'transaction', 'payouts', 'payout', 'schedule'] },
  { who: 'merchant_support', roles: ['merchant_support'], merchant: 'm_a', allowed: ['transactions', 'transaction', 'disputes', 'dispute'] },
  { who: 'ops naming m_a', roles: ['analytics:ops'], header: 'm_a', allowed: OPS },
  { who: 'a merchant token with analytics:view', roles: ['analytics:view', 'events:read', 'alerts:manage'], merchant: 'm_a', allowed: [] },
  { who: 'merchant_admin without a merchant', roles: ['merchant_admin'], allowed: [] },
  { who: 'analytics:view without a merchant', roles: ['analytics:view'], header: 'm_a', allowed: [] },
  { who: 'events:write', roles: ['events:write'], header: 'm_a', allowed: [] },
];

const schema = `t_${randomBytes(6).toString('hex')}`;
const backends = [
  { name: 'pglite', env: {} as Record<string, string> },
  { name: 'postgres', env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } },
];

for (const backend of backends) {
  describe(`merchant portal access, state store on ${backend.name}`, { skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    let t: TempApp;
    let admin: string;
    let ops: string;
    before(async () => {
      t = await openTempApp({ now: () => NOW, env: backend.env });
      const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
      assert.equal(res.json().accepted, EVENTS.length, res.body);
      admin = await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a' });
      ops = await mintToken({ sub: 'olu@ops', roles: ['analytics:ops'] });
    });
    after(async () => {
      await t.close();
      if (backend.name === 'postgres') await dropSchemas([schema]);
    });

    const call = (token: string, e: Endpoint, headers: Record<string, string> = {}) => {
      const { method, url, payload } = ENDPOINTS[e];
      return t.app.inject({ method, url, payload: payload as object | undefined, headers: { ...bearer(token), ...headers } });
    };

    test('role × endpoint: allowed exactly as the roles say, 403 forbidden otherwise', async () => {
      for (const row of MATRIX) {
        // Just signed in: the schedule change's step-up passes, so only the roles decide.
        const token = await mintToken({ sub: `matrix-${row.who.replaceAll(/[^a-z_]/g, '-')}`, roles: row.roles, merchantId: row.merchant, authTime: NOW / 1000 });
        for (const e of ALL) {
          const res = await call(token, e, row.header ? { 'x-merchant-id': row.header } : {});
          const what = `${row.who} → ${e}: ${res.statusCode} ${res.body.slice(0, 160)}`;
          if (row.allowed.includes(e)) assert.equal(res.statusCode, 200, what);
          else {
            assert.equal(res.statusCode, 403, what);
            assert.equal(res.json().code, 'forbidden', what);
          }
        }
      }
      for (const e of ALL) assert.equal((await t.app.inject({ method: ENDPOINTS[e].method, url: ENDPOINTS[e].url })).statusCode, 401, e);
    });

    test('another merchant\'s transaction is 404 byte for byte like a missing one', async () => {
      const own = await call(admin, 'transaction');
      assert.equal(own.statusCode, 200, own.body);
      const theirs = await t.app.inject({ url: '/api/merchant/transactions/tx_b1', headers: bearer(admin) });
      const missing = await t.app.inject({ url: '/api/merchant/transactions/tx_zz', headers: bearer(admin) });
      assert.equal(theirs.statusCode, 404);
      assert.equal(theirs.body, missing.body);
      assert.equal(theirs.headers['content-type'], missing.headers['content-type']);
      assert.equal(theirs.headers['content-length'], missing.headers['content-length']);
      // Its refund and dispute name it too: still nothing.
      const list = await t.app.inject({ url: '/api/merchant/transactions?search=tx_b1', headers: bearer(admin) });
      assert.deepEqual(list.json().items, []);
      const all = await t.app.inject({ url: '/api/merchant/transactions', headers: bearer(admin) });
      assert.deepEqual(all.json().items.map((x: { txn_id: string }) => x.txn_id).sort(), ['tx_a1', 'tx_a2']);
    });

    test('a merchant token cannot name another merchant; naming its own is fine', async () => {
      const other = await call(admin, 'summary', { 'x-merchant-id': 'm_b' });
      assert.equal(other.statusCode, 403);
      assert.equal(other.json().code, 'forbidden_merchant');
      assert.equal((await call(admin, 'summary', { 'x-merchant-id': 'm_a' })).statusCode, 200);
    });

    test('ops without naming a merchant is refused with merchant_required; a malformed name is a bad parameter', async () => {
      for (const e of OPS) {
        const res = await call(ops, e);
        assert.equal(res.statusCode, 400, `${e}: ${res.body}`);
        assert.equal(res.json().code, 'merchant_required');
      }
      const bad = await call(ops, 'summary', { 'x-merchant-id': 'm a' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'invalid_parameter');
    });

    test('every ops call for a merchant is in its audit log: who, what, when, from where; its own users\' reads are not', async () => {
      const before = (await t.app.inject({ url: '/api/merchant/audit?limit=500', headers: bearer(admin) })).json().items.length;
      const read = await t.app.inject({
        url: '/api/merchant/transactions/tx_a1', remoteAddress: '203.0.113.9',
        headers: { ...bearer(ops), 'x-merchant-id': 'm_a', 'user-agent': 'ops-console/1.0', 'x-request-id': 'req-ops-read-1' },
      });
      assert.equal(read.statusCode, 200, read.body);
      assert.equal(read.json().transaction.txn_id, 'tx_a1');
      // A refused ops call (another merchant's id: 404) is audited as well: it was made.
      const missing = await t.app.inject({ url: '/api/merchant/transactions/tx_b1', headers: { ...bearer(ops), 'x-merchant-id': 'm_a' } });
      assert.equal(missing.statusCode, 404);
      await call(admin, 'transactions');
      const log = (await t.app.inject({ url: '/api/merchant/audit?limit=500', headers: bearer(admin) })).json().items;
      assert.equal(log.length, before + 2, 'the two ops calls, not the merchant\'s own read');
      const [second, first] = log;
      assert.deepEqual({ ...first, id: undefined, at: undefined }, {
        id: undefined, at: undefined, actor: 'olu@ops', actor_kind: 'ops', action: 'ops.request', object_type: 'route',
        object_id: 'GET /api/merchant/transactions/:id', ip: '203.0.113.9', user_agent: 'ops-console/1.0', request_id: 'req-ops-read-1',
        detail: { params: { id: 'tx_a1' }, query: {} },
      });
      assert.equal(first.at, new Date(NOW).toISOString());
      assert.equal(second.detail.params.id, 'tx_b1');
      // Nothing of it in the other merchant's log.
      const theirs = await t.app.inject({ url: '/api/merchant/audit?limit=500', headers: { ...bearer(ops), 'x-merchant-id': 'm_b' } });
      assert.ok(theirs.json().items.every((x: { object_id: string }) => x.object_id === 'GET /api/merchant/audit'), theirs.body);
    });

    test('the audit log pages by cursor and filters by actor and action', async () => {
      for (let i = 0; i < 5; i++) await call(ops, 'summary', { 'x-merchant-id': 'm_a' });
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Array<{ id: string; actor: string }>; next_cursor: string | null } = (await t.app.inject({
          url: `/api/merchant/audit?limit=2&actor=olu%40ops${cursor ? `&cursor=${cursor}` : ''}`, headers: bearer(admin),
        })).json();
        assert.ok(page.items.every((x) => x.actor === 'olu@ops'));
        seen.push(...page.items.map((x) => x.id));
        cursor = page.next_cursor;
      } while (cursor);
      assert.deepEqual(seen, [...seen].sort((a, b) => Number(b) - Number(a)), 'newest first');
      assert.equal(new Set(seen).size, seen.length, 'each entry once');
      assert.ok(seen.length >= 7);
      const none = await t.app.inject({ url: '/api/merchant/audit?action=settings.time_zone_changed', headers: bearer(admin) });
      assert.equal(none.statusCode, 200);
      assert.equal((await t.app.inject({ url: '/api/merchant/audit?cursor=abc', headers: bearer(admin) })).statusCode, 400);
    });

    test('a settings change is audited with its previous value, by its own users and by ops', async () => {
      const put = (token: string, tz: string, headers: Record<string, string> = {}) =>
        t.app.inject({ method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: tz }, headers: { ...bearer(token), ...headers } });
      const set = await put(admin, 'Africa/Lagos');
      assert.equal(set.statusCode, 200, set.body);
      assert.deepEqual(set.json(), { merchant_id: 'm_a', time_zone: 'Africa/Lagos', updated_at: new Date(NOW).toISOString(), updated_by: 'ana@m_a' });
      assert.equal((await put(ops, 'Africa/Abidjan', { 'x-merchant-id': 'm_a' })).statusCode, 200);
      assert.equal((await put(admin, 'Mars/Olympus')).json().code, 'invalid_time_zone');
      const changes = (await t.app.inject({ url: '/api/merchant/audit?action=settings.time_zone_changed', headers: bearer(admin) })).json().items;
      const ours = changes.filter((c: { actor: string }) => !c.actor.startsWith('matrix-'));
      assert.deepEqual(ours.map((c: { actor: string; actor_kind: string; detail: unknown }) => [c.actor, c.actor_kind, c.detail]), [
        ['olu@ops', 'ops', { from: 'Africa/Lagos', to: 'Africa/Abidjan' }],
        ['ana@m_a', 'merchant', { from: 'Africa/Dakar', to: 'Africa/Lagos' }],
      ]);
      const got = await t.app.inject({ url: '/api/merchant/settings', headers: { ...bearer(ops), 'x-merchant-id': 'm_b' } });
      assert.deepEqual(got.json(), { merchant_id: 'm_b', time_zone: 'Africa/Dakar', updated_at: null, updated_by: null });
      assert.equal((await put(admin, 'Africa/Dakar')).statusCode, 200);
    });

    test('molam_merchant_dashboard_requests_total counts portal requests by endpoint, caller and status', async () => {
      const text = (await t.app.inject({ url: '/metrics' })).body;
      const value = (labels: string) => Number(new RegExp(`^molam_merchant_dashboard_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      assert.ok(value('endpoint="/transactions/:id",caller="ops",status_code="200"') >= 1, text.slice(0, 200));
      assert.ok(value('endpoint="/summary",caller="ops",status_code="400"') >= 1, 'merchant_required');
      assert.ok(value('endpoint="/summary",caller="merchant",status_code="403"') >= 1, 'forbidden_merchant');
      assert.ok(value('endpoint="/audit",caller="none",status_code="401"') >= 1);
    });
  });
}

test('an ops call whose audit entry cannot be written is refused, never answered unaudited', { skip: !pgUp && 'PostgreSQL unreachable' }, async () => {
  const target = new URL(TEST_DATABASE_URL);
  const fwd = await startForwarder({ host: target.hostname, port: Number(target.port || 5432) });
  const via = new URL(TEST_DATABASE_URL);
  via.host = `127.0.0.1:${fwd.port}`;
  const cutSchema = `t_${randomBytes(6).toString('hex')}`;
  const t = await openTempApp({ now: () => NOW, env: { DATABASE_URL: via.toString(), DATABASE_SCHEMA: cutSchema } });
  try {
    assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS })).statusCode, 200);
    const ops = { ...bearer(await mintToken({ sub: 'olu@ops', roles: ['analytics:ops'] })), 'x-merchant-id': 'm_a' };
    const merchant = bearer(await mintToken({ sub: 'ana@m_a', roles: ['merchant_admin'], merchantId: 'm_a' }));
    await fwd.cut();
    const refused = await t.app.inject({ url: '/api/merchant/transactions/tx_a1', headers: ops });
    assert.equal(refused.statusCode, 503, refused.body);
    assert.equal(refused.json().code, 'state_unavailable');
    assert.ok(!refused.body.includes('tx_a1'), 'nothing of the answer');
    // The merchant's own read needs no audit entry (nor the state store).
    assert.equal((await t.app.inject({ url: '/api/merchant/transactions/tx_a1', headers: merchant })).statusCode, 200);
    await fwd.restore();
    assert.equal((await t.app.inject({ url: '/api/merchant/transactions/tx_a1', headers: ops })).statusCode, 200);
    const log = (await t.app.inject({ url: '/api/merchant/audit', headers: merchant })).json().items;
    assert.deepEqual(log.map((x: { object_id: string; detail: { params: unknown } }) => [x.object_id, x.detail.params]),
      [['GET /api/merchant/transactions/:id', { id: 'tx_a1' }]], 'only the call that was answered');
  } finally {
    await t.close();
    await fwd.close();
    await dropSchemas([cutSchema]);
  }
});
