// The merchant's own webhooks and alerts, and the dispute deadline reminders, with the state store
// on PGlite and on the real PostgreSQL: endpoints added (secret shown once, targets checked),
// listed, read with their deliveries and deleted, each audited; the merchant's refund events
// delivered to them signed (verified by a local receiver with the secret), an event-type filter
// honoured; another merchant's endpoint 404 byte for byte like a missing one; the role matrix;
// a dispute due within 24 hours and not submitted reminded once (an alert and a
// merchant.dispute.due_soon webhook) by two schedulers at once and again after a restart (on
// PostgreSQL: two apps on one state store), never a submitted one, and its alert resolved once
// due_by passes; the merchant's alerts paged by cursor, nothing of another merchant; the seed
// metrics moved by the real paths.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { LightMyRequestResponse } from 'fastify';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { disputeEvent, txnEvents } from './merchant-events.ts';
import { verifyWebhook } from '../../src/alerts/webhooks/webhook-signature.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const NOW = Date.parse('2026-03-10T14:20:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const iso = (ms: number) => new Date(ms).toISOString();
const PDF = readFileSync(new URL('../files/fixtures/receipt.pdf', import.meta.url));
// DISPUTE_RESPONSE_DAYS 7: due_by = opened + 7 days.
const opened = (dueIn: number) => iso(NOW - 7 * DAY + dueIn);
const EVENTS = [
  ...txnEvents({ merchant: 'm_a', txn: 'tx_a1', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: '50000' }),
  ...txnEvents({ merchant: 'm_b', txn: 'tx_b1', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: '50000' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_soon', at: opened(12 * HOUR), amount: '4000' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_soon2', at: opened(20 * HOUR), amount: '300' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_submitted', at: opened(6 * HOUR), amount: '100' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_far', at: opened(3 * DAY), amount: '100' }),
  disputeEvent({ merchant: 'm_a', txn: 'tx_a1', dispute: 'dp_past', at: opened(-HOUR), amount: '100' }),
  disputeEvent({ merchant: 'm_b', txn: 'tx_b1', dispute: 'dp_b', at: opened(2 * HOUR), amount: '700' }),
];

interface Received { headers: IncomingHttpHeaders; body: string }

const schema = `t_${randomBytes(6).toString('hex')}`;
const backends = [
  { name: 'pglite', env: {} as Record<string, string> },
  { name: 'postgres', env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } },
];

function expectProblem(res: LightMyRequestResponse, status: number, code: string) {
  assert.equal(res.statusCode, status, res.body);
  assert.equal(res.json().code, code, res.body);
}

for (const backend of backends) {
  describe(`merchant webhooks, alerts and dispute deadlines, state store on ${backend.name}`, { skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    let t: TempApp;
    let clock = NOW;
    let receiver: Server;
    let base: string;
    const received: Received[] = [];
    const env = { ...backend.env, WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', DISPUTE_RESPONSE_DAYS: '7', REFUND_APPROVAL_THRESHOLD: '*:1000000' };
    const tokens: Record<string, Record<string, string>> = {};
    const as = (who: string, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: unknown, headers: Record<string, string> = {}) =>
      t.app.inject({ method, url, headers: { ...tokens[who], ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
    const openApp = async () => {
      const app = await openTempApp({ now: () => clock, env });
      const res = await app.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
      assert.equal(res.json().accepted, EVENTS.length, res.body);
      return app;
    };
    /** One delivery pass of the alert scheduler (evaluation finds no rule). */
    const deliver = () => t.app.alerting.evaluateNow();
    const metric = async (pattern: RegExp) => {
      const text = (await t.inject({ url: '/metrics' })).body;
      return Number(pattern.exec(text)?.[1] ?? 0);
    };

    before(async () => {
      receiver = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          res.writeHead(204).end();
        });
      });
      await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
      const addr = receiver.address();
      base = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
      t = await openApp();
      const token = async (sub: string, roles: string[], merchantId?: string) => bearer(await mintToken({ sub, roles, merchantId }));
      tokens.ana = await token('ana@m_a', ['merchant_admin'], 'm_a');
      tokens.acc = await token('acc@m_a', ['merchant_accountant'], 'm_a');
      tokens.sup = await token('sup@m_a', ['merchant_support'], 'm_a');
      tokens.bea = await token('bea@m_b', ['merchant_admin'], 'm_b');
      tokens.ops = { ...(await token('olu@ops', ['analytics:ops'])), 'x-merchant-id': 'm_a' };
    });
    after(async () => {
      await t.close();
      await new Promise((r) => receiver.close(r));
      if (backend.name === 'postgres') await dropSchemas([schema]);
    });

    let all: { id: number; secret: string };
    let disputesOnly: { id: number; secret: string };
    let bEndpoint: { id: number };

    test('add, list, read and delete endpoints: the secret shown once, targets checked, each change audited', async () => {
      const created = await as('ana', 'POST', '/api/merchant/webhooks', { url: `${base}/all` });
      assert.equal(created.statusCode, 201, created.body);
      all = created.json();
      assert.match(all.secret, /^whsec_/);
      assert.deepEqual({ ...(created.json() as object), id: 0, secret: '', created_at: '' }, {
        id: 0, url: `${base}/all`, event_types: null, enabled: true, disabled_reason: null, created_by: 'ana@m_a', created_at: '',
        active_secrets: 1, secret: '', warnings: [],
      });
      const filtered = await as('ana', 'POST', '/api/merchant/webhooks', { url: `${base}/disputes`, event_types: ['merchant.dispute.due_soon'] });
      assert.equal(filtered.statusCode, 201, filtered.body);
      disputesOnly = filtered.json();
      bEndpoint = (await as('bea', 'POST', '/api/merchant/webhooks', { url: `${base}/b` })).json();

      const list = await as('ana', 'GET', '/api/merchant/webhooks');
      assert.equal(list.statusCode, 200, list.body);
      assert.deepEqual(list.json().items.map((e: { id: number; event_types: unknown }) => [e.id, e.event_types]),
        [[all.id, null], [disputesOnly.id, ['merchant.dispute.due_soon']]], 'its own endpoints, not m_b\'s');
      assert.ok(!list.body.includes('whsec_'), 'the secret is never shown again');
      const one = await as('ana', 'GET', `/api/merchant/webhooks/${all.id}`);
      assert.equal(one.statusCode, 200, one.body);
      assert.deepEqual(one.json().deliveries, []);
      assert.ok(!one.body.includes('whsec_'));

      for (const url of ['ftp://example.com/hook', 'http://user:pw@example.com/hook', 'not a url']) {
        expectProblem(await as('ana', 'POST', '/api/merchant/webhooks', { url }), 400, 'target_not_allowed');
      }
      expectProblem(await as('ana', 'POST', '/api/merchant/webhooks', { url: `${base}/x`, event_types: ['merchant.unknown'] }), 400, 'invalid_parameter');
      expectProblem(await as('ana', 'POST', '/api/merchant/webhooks', { url: `${base}/x`, secret: 'mine' }), 400, 'invalid_parameter');

      const extra = (await as('ana', 'POST', '/api/merchant/webhooks', { url: `${base}/extra` })).json();
      const deleted = await as('ana', 'DELETE', `/api/merchant/webhooks/${extra.id}`);
      assert.equal(deleted.statusCode, 204, deleted.body);
      assert.equal((await as('ana', 'DELETE', `/api/merchant/webhooks/${extra.id}`)).statusCode, 204, 'deleting again: the same answer');
      const gone = (await as('ana', 'GET', `/api/merchant/webhooks/${extra.id}`)).json();
      assert.equal(gone.enabled, false);
      assert.equal(gone.disabled_reason, 'deleted by ana@m_a');
      const audit = (await as('ana', 'GET', '/api/merchant/audit?action=webhook.deleted')).json().items;
      assert.deepEqual(audit.map((a: { object_id: string; actor: string }) => [a.object_id, a.actor]), [[String(extra.id), 'ana@m_a']]);
      const createdAudit = (await as('ana', 'GET', '/api/merchant/audit?action=webhook.created')).json().items;
      assert.equal(createdAudit.length, 3);
    });

    test('another merchant\'s endpoint is 404 byte for byte like a missing one, on every route', async () => {
      for (const method of ['GET', 'DELETE'] as const) {
        const theirs = await as('ana', method, `/api/merchant/webhooks/${bEndpoint.id}`);
        for (const missingId of ['999999', 'abc']) {
          const missing = await as('ana', method, `/api/merchant/webhooks/${missingId}`);
          assert.equal(theirs.statusCode, 404, theirs.body);
          assert.equal(theirs.body, missing.body);
          for (const h of ['content-type', 'content-length']) assert.equal(theirs.headers[h], missing.headers[h], h);
        }
      }
      assert.equal((await as('bea', 'GET', `/api/merchant/webhooks/${bEndpoint.id}`)).json().enabled, true, 'm_a\'s DELETE changed nothing');
    });

    test('who may: the administrator and ops acting for the merchant; not its accountant or support', async () => {
      for (const url of ['/api/merchant/webhooks', '/api/merchant/alerts']) {
        assert.equal((await as('ana', 'GET', url)).statusCode, 200, url);
        assert.equal((await as('ops', 'GET', url)).statusCode, 200, url);
        expectProblem(await as('acc', 'GET', url), 403, 'forbidden');
        expectProblem(await as('sup', 'GET', url), 403, 'forbidden');
      }
      expectProblem(await as('sup', 'POST', '/api/merchant/webhooks', { url: `${base}/x` }), 403, 'forbidden');
      const opsList = (await as('ops', 'GET', '/api/merchant/webhooks')).json().items;
      assert.deepEqual(opsList.map((e: { id: number }) => e.id).slice(0, 2), [all.id, disputesOnly.id]);
    });

    test('the merchant\'s refund events reach its endpoints signed; a filtered endpoint gets only its types', async () => {
      const before = await metric(/^molam_merchant_webhook_delivery_duration_seconds_count\{event_type="merchant.refund.created",outcome="delivered"\} (\d+)$/m);
      const refund = await as('ana', 'POST', '/api/merchant/refunds', { transaction_id: 'tx_a1', amount: 1000, currency: 'XOF' }, { 'idempotency-key': `k-${backend.name}` });
      assert.equal(refund.statusCode, 201, refund.body);
      received.length = 0;
      await deliver();
      const mine = received.filter((r) => r.headers.host && JSON.parse(r.body).merchant_id === 'm_a');
      assert.deepEqual(mine.map((r) => JSON.parse(r.body).type).sort(), ['merchant.refund.approved', 'merchant.refund.created']);
      for (const r of mine) {
        assert.deepEqual(verifyWebhook(all.secret, r.headers, r.body, { now: clock }).ok, true, 'signed with the endpoint\'s secret');
        assert.equal(verifyWebhook(disputesOnly.secret, r.headers, r.body, { now: clock }).ok, false, 'not with another endpoint\'s');
        assert.equal(JSON.parse(r.body).refund.id, refund.json().id);
      }
      const detail = (await as('ana', 'GET', `/api/merchant/webhooks/${all.id}`)).json();
      assert.deepEqual(detail.deliveries.map((d: { outcome: string; status_code: number }) => [d.outcome, d.status_code]), [['delivered', 204], ['delivered', 204]]);
      assert.deepEqual((await as('ana', 'GET', `/api/merchant/webhooks/${disputesOnly.id}`)).json().deliveries, [], 'the filtered endpoint got no refund event');
      assert.equal(await metric(/^molam_merchant_webhook_delivery_duration_seconds_count\{event_type="merchant.refund.created",outcome="delivered"\} (\d+)$/m), before + 1);
    });

    test('a dispute due within 24 hours and not submitted: reminded once, with two schedulers at once and after a restart', async () => {
      // dp_submitted: its evidence submitted before any scheduler runs.
      const boundary = '----molam-hooks-boundary';
      const payload = Buffer.concat([
        Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="r.pdf"\r\nContent-Type: application/pdf\r\n\r\n`),
        PDF, Buffer.from(`\r\n--${boundary}--\r\n`),
      ]);
      const up = await t.app.inject({
        method: 'POST', url: '/api/merchant/disputes/dp_submitted/evidence', payload,
        headers: { ...tokens.ana, 'content-type': `multipart/form-data; boundary=${boundary}` },
      });
      assert.equal(up.statusCode, 201, up.body);
      assert.equal((await as('ana', 'POST', '/api/merchant/disputes/dp_submitted/submit')).statusCode, 200);

      // Two schedulers: on PostgreSQL a second app (another process's) on the same state store; on PGlite two passes at once.
      const second = backend.name === 'postgres' ? await openApp() : t;
      try {
        const counts = await Promise.all([t.app.disputeDeadlines.remindNow(), second.app.disputeDeadlines.remindNow()]);
        assert.equal(counts[0] + counts[1], 3, `dp_soon, dp_soon2 and dp_b, once each: ${counts}`);
      } finally {
        if (second !== t) await second.close();
      }
      // A restart: a scheduler that never ran before finds every claim taken.
      const restarted = backend.name === 'postgres' ? await openApp() : t;
      try {
        assert.equal(await restarted.app.disputeDeadlines.remindNow(), 0);
      } finally {
        if (restarted !== t) await restarted.close();
      }
      assert.equal(await t.app.disputeDeadlines.remindNow(), 0);

      received.length = 0;
      await deliver();
      const dueSoon = received.filter((r) => JSON.parse(r.body).type === 'merchant.dispute.due_soon').map((r) => ({ url: r.headers.host, body: JSON.parse(r.body) }));
      const byDispute = (m: string) => dueSoon.filter((r) => r.body.merchant_id === m).map((r) => r.body.dispute.dispute_id).sort();
      // m_a's two endpoints (all, disputes only) each get dp_soon and dp_soon2 once; m_b's its dp_b.
      assert.deepEqual(byDispute('m_a'), ['dp_soon', 'dp_soon', 'dp_soon2', 'dp_soon2']);
      assert.deepEqual(byDispute('m_b'), ['dp_b']);
      const soon = dueSoon.find((r) => r.body.dispute.dispute_id === 'dp_soon')!.body;
      assert.deepEqual(soon.dispute, {
        dispute_id: 'dp_soon', txn_id: 'tx_a1', reason: 'fraud', amount: '4000', currency: 'XOF', created_at: opened(12 * HOUR), due_by: iso(NOW + 12 * HOUR),
      });
      await deliver();
      assert.equal(received.filter((r) => JSON.parse(r.body).type === 'merchant.dispute.due_soon').length, 5, 'nothing sent twice');
    });

    test('the merchant\'s alerts: its dispute reminders, paged by cursor, nothing of another merchant; resolved once due_by passes', async () => {
      const page1 = await as('ana', 'GET', '/api/merchant/alerts?limit=1');
      assert.equal(page1.statusCode, 200, page1.body);
      assert.equal(page1.json().items.length, 1);
      assert.ok(page1.json().next_cursor);
      const page2 = (await as('ana', 'GET', `/api/merchant/alerts?limit=1&cursor=${page1.json().next_cursor}`)).json();
      assert.equal(page2.next_cursor, null);
      const items = [...page1.json().items, ...page2.items];
      assert.deepEqual(items.map((a: { kind: string; labels: { dispute_id: string }; state: string; severity: string }) => [a.kind, a.labels.dispute_id, a.state, a.severity]).sort(), [
        ['dispute_due_soon', 'dp_soon', 'firing', 'warn'], ['dispute_due_soon', 'dp_soon2', 'firing', 'warn'],
      ]);
      const theirs = (await as('bea', 'GET', '/api/merchant/alerts')).json().items;
      assert.deepEqual(theirs.map((a: { labels: { dispute_id: string } }) => a.labels.dispute_id), ['dp_b']);
      expectProblem(await as('ana', 'GET', '/api/merchant/alerts?cursor=x1'), 400, 'invalid_parameter');

      clock = NOW + 13 * HOUR; // dp_soon's due_by passed, dp_soon2's not
      assert.equal(await t.app.disputeDeadlines.remindNow(), 0);
      const states = (await as('ana', 'GET', '/api/merchant/alerts')).json().items.map((a: { labels: { dispute_id: string }; state: string }) => [a.labels.dispute_id, a.state]).sort();
      assert.deepEqual(states, [['dp_soon', 'resolved'], ['dp_soon2', 'firing']]);
      assert.deepEqual((await as('ana', 'GET', '/api/merchant/alerts?state=firing')).json().items.length, 1);
      clock = NOW;
    });

    test('the seed metrics: KPI updates by kind from committed batches, portal requests by endpoint', async () => {
      const kpi = (kind: string) => metric(new RegExp(`^molam_merchant_kpi_updates_total\\{kind="${kind}"\\} (\\d+)$`, 'm'));
      assert.ok(await kpi('dispute') >= 6, 'the disputes ingested updated dispute cells');
      const before = await kpi('payment_succeeded');
      const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: txnEvents({ merchant: 'm_c', txn: 'tx_c1', at: '2026-03-10T10:00:00Z', status: 'succeeded', amount: '100' }) });
      assert.equal(res.statusCode, 200, res.body);
      assert.ok(await kpi('payment_succeeded') > before, 'a succeeded payment updated its merchant\'s cells');
      const requests = await metric(/^molam_merchant_dashboard_requests_total\{endpoint="\/webhooks\/:id",caller="merchant",status_code="404"\} (\d+)$/m);
      assert.ok(requests >= 4, `404s on /webhooks/:id counted: ${requests}`);
    });
  });
}
