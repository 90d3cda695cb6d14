// Guards found in review: one rule's failure never stops the others; a merchant cannot silence,
// resolve or see ops alerts about itself; a manual resolve does not re-fire while the condition
// holds, and it notifies; actions go to ops endpoints only and need a merchant; filters are
// checked when a rule is saved; NUL text is a 400.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let clock = NOW;
let t: TempApp;
let hooks: Server;
const received: Array<{ path: string; type: string }> = [];
let merchant: string;

before(async () => {
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => { received.push({ path: String(req.url), type: JSON.parse(body).type }); res.end(); });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  t = await openTempApp({ now: () => clock, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', ALERT_EVAL_INTERVAL: '3600' } });
  merchant = await mintToken({ sub: 'b-admin', roles: ['merchant_admin'], merchantId: 'm_b' });
  const base = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}`;
  assert.equal((await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: `${base}/ops` } })).statusCode, 201);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', headers: bearer(merchant), payload: { url: `${base}/m_b` } })).statusCode, 201);
  const events = Array.from({ length: 40 }, (_, i) => ({
    event_id: `g_${i}`, type: 'wallet_txn_created', status: 'failed', txn_id: `g_${i}`, merchant_id: 'm_b',
    amount: '10', currency: 'USD', country: 'SN', occurred_at: new Date(NOW - (i % 10 + 1) * 60_000).toISOString(),
  }));
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: events })).statusCode, 200);
});
after(async () => {
  await t.close();
  hooks.close();
});

const opsRule = {
  name: 'failures per merchant', metric: 'failed_count', group_by: ['merchant_id'], window_minutes: 15,
  condition: { type: 'threshold', op: '>=', value: 10 }, auto_actions: ['pause_payouts'],
};

test('rules are checked when saved: unknown filters, channels that are not ids, actions without a merchant, NUL text', async () => {
  const post = (payload: unknown) => t.inject({ method: 'POST', url: '/api/analytics/alerts/rules', payload: payload as Record<string, unknown> });
  assert.equal((await post({ ...opsRule, filters: { region: ['Mars'] } })).statusCode, 400);
  assert.equal((await post({ ...opsRule, filters: { type: ['bogus'] } })).statusCode, 400);
  assert.equal((await post({ ...opsRule, channels: ['99999999999'] })).statusCode, 400);
  assert.equal((await post({ ...opsRule, group_by: [] })).statusCode, 400, 'pause_payouts of which merchant?');
  assert.equal((await post({ ...opsRule, name: 'a\u0000b' })).statusCode, 400);
});

test('an ops rule about a merchant: the merchant cannot silence it, see it or resolve it; actions go to ops only', async () => {
  const rule = (await t.inject({ method: 'POST', url: '/api/analytics/alerts/rules', payload: opsRule })).json();
  const silence = await t.app.inject({
    method: 'POST', url: '/api/analytics/alerts/silences', headers: bearer(merchant),
    payload: { matchers: { rule_id: rule.id }, ends_at: new Date(clock + 86_400_000).toISOString() },
  });
  assert.equal(silence.statusCode, 400, 'an ops rule is not the merchant\'s to name (test/alerts/references.test.ts)');
  const labelSilence = await t.app.inject({
    method: 'POST', url: '/api/analytics/alerts/silences', headers: bearer(merchant),
    payload: { matchers: { labels: { merchant_id: 'm_b' } }, ends_at: new Date(clock + 86_400_000).toISOString() },
  });
  assert.equal(labelSilence.statusCode, 201, 'a label silence is allowed, and covers the merchant\'s own rules only');
  await t.app.alerting.evaluateNow();
  assert.deepEqual(received.map((r) => `${r.path} ${r.type}`).sort(), ['/ops alert.firing', '/ops merchant.payouts.pause_requested']);
  const [alert] = (await t.inject({ method: 'GET', url: `/api/analytics/alerts?rule_id=${rule.id}` })).json().items;
  assert.equal(alert.merchant_id, 'm_b');
  assert.deepEqual((await t.app.inject({ method: 'GET', url: '/api/analytics/alerts', headers: bearer(merchant) })).json().items, []);
  const patch = await t.app.inject({ method: 'PATCH', url: `/api/analytics/alerts/${alert.id}`, headers: bearer(merchant), payload: { resolve: true } });
  assert.equal(patch.statusCode, 404);
  const peek = await t.app.inject({ method: 'GET', url: `/api/analytics/alerts/${alert.id}`, headers: bearer(merchant) });
  const missing = await t.app.inject({ method: 'GET', url: '/api/analytics/alerts/999999', headers: bearer(merchant) });
  assert.equal(peek.statusCode, 404);
  assert.equal(peek.body, missing.body, 'another merchant\'s alert answers like a missing one');

  // Ops: the alert with its comments and the history of changes.
  assert.equal((await t.inject({ method: 'PATCH', url: `/api/analytics/alerts/${alert.id}`, payload: { assignee: 'ops.lagos', comment: 'on it' } })).statusCode, 200);
  const detail = await t.inject({ method: 'GET', url: `/api/analytics/alerts/${alert.id}` });
  assert.equal(detail.statusCode, 200, detail.body);
  assert.equal(detail.json().assignee, 'ops.lagos');
  assert.equal(detail.json().rule_name, opsRule.name);
  assert.deepEqual(detail.json().comments.map((c: { body: string }) => c.body), ['on it']);
  assert.deepEqual(detail.json().history.map((h: { action: string; detail: Record<string, unknown> }) => [h.action, h.detail.assignee]), [['action.pause_payouts', undefined], ['alert.updated', 'ops.lagos']], 'the auto-action, then the change');
});

test('a manual resolve notifies once and does not re-fire while the condition holds', async () => {
  const [alert] = (await t.inject({ method: 'GET', url: '/api/analytics/alerts?status=firing' })).json().items;
  received.length = 0;
  assert.equal((await t.inject({ method: 'PATCH', url: `/api/analytics/alerts/${alert.id}`, payload: { resolve: true } })).statusCode, 200);
  clock += 60_000;
  await t.app.alerting.evaluateNow();
  await t.app.alerting.evaluateNow();
  assert.deepEqual(received.map((r) => r.type), ['alert.resolved']);
  const firing = (await t.inject({ method: 'GET', url: '/api/analytics/alerts?status=firing' })).json().items;
  assert.deepEqual(firing, []);
});

test('a comment on a pending alert does not break evaluation when it clears', async () => {
  const rule = (await t.inject({
    method: 'POST', url: '/api/analytics/alerts/rules',
    payload: { name: 'slow burn', metric: 'failed_count', window_minutes: 15, for_minutes: 60, condition: { type: 'threshold', op: '>=', value: 10 } },
  })).json();
  await t.app.alerting.evaluateNow();
  const [pending] = (await t.inject({ method: 'GET', url: `/api/analytics/alerts?rule_id=${rule.id}` })).json().items;
  assert.equal(pending.state, 'pending');
  assert.equal((await t.inject({ method: 'PATCH', url: `/api/analytics/alerts/${pending.id}`, payload: { comment: 'watching' } })).statusCode, 200);
  clock += 3 * 3_600_000; // the failures are out of the window: clear
  await t.app.alerting.evaluateNow();
  const rules = (await t.inject({ method: 'GET', url: '/api/analytics/alerts/rules' })).json().items;
  for (const r of rules) assert.equal(r.last_error, null, `${r.name}: ${r.last_error}`);
  assert.deepEqual((await t.inject({ method: 'GET', url: `/api/analytics/alerts?rule_id=${rule.id}` })).json().items, []);
});
