// The alert API's scoping and guards: a merchant admin's rules, silences and webhooks are its
// own whatever it sends; another merchant's objects are 404; webhook targets pass the SSRF guard.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

let t: TempApp;
let a: string;
let b: string;
before(async () => {
  t = await openTempApp();
  a = await mintToken({ sub: 'a-admin', roles: ['merchant_admin'], merchantId: 'm_a' });
  b = await mintToken({ sub: 'b-admin', roles: ['merchant_admin'], merchantId: 'm_b' });
});
after(async () => { await t.close(); });

const call = (token: string, method: string, url: string, payload?: unknown) =>
  t.app.inject({ method: method as 'GET', url, headers: bearer(token), payload: payload as Record<string, unknown> });
const rule = { name: 'r', metric: 'refund_rate', window_minutes: 30, condition: { type: 'threshold', op: '>', value: 0.1 } };

test('a merchant\'s rule is confined to it; another merchant cannot see or change it', async () => {
  const created = await call(a, 'POST', '/api/analytics/alerts/rules', { ...rule, merchant_id: 'm_b' });
  assert.equal(created.statusCode, 201, created.body);
  assert.equal(created.json().merchant_id, 'm_a', 'merchant_id comes from the token');
  const id = created.json().id;
  assert.equal((await call(b, 'GET', `/api/analytics/alerts/rules/${id}`)).statusCode, 404);
  assert.equal((await call(b, 'PATCH', `/api/analytics/alerts/rules/${id}`, { enabled: false })).statusCode, 404);
  assert.equal((await call(b, 'DELETE', `/api/analytics/alerts/rules/${id}`)).statusCode, 404);
  assert.deepEqual((await call(b, 'GET', '/api/analytics/alerts/rules')).json().items, []);
  assert.equal((await call(a, 'GET', '/api/analytics/alerts/rules')).json().items.length, 1);
  const ops = await t.inject({ method: 'GET', url: '/api/analytics/alerts/rules' });
  assert.equal(ops.json().items.length, 1);
  const bad = await call(a, 'POST', '/api/analytics/alerts/rules', { ...rule, filters: { merchant_id: ['m_b'] } });
  assert.equal(bad.statusCode, 400);
  assert.equal((await call(a, 'GET', '/api/analytics/alerts?merchant_id=m_b')).statusCode, 403);
});

test('a rule change is audited, and validation errors are problem+json', async () => {
  const created = (await t.inject({ method: 'POST', url: '/api/analytics/alerts/rules', payload: rule })).json();
  const patched = await t.inject({ method: 'PATCH', url: `/api/analytics/alerts/rules/${created.id}`, payload: { severity: 'critical' } });
  assert.equal(patched.json().severity, 'critical');
  assert.equal(patched.json().version, 2);
  const audit = await t.platform.state.query<{ action: string }>(`SELECT action FROM audit_log WHERE object_id = $1 ORDER BY id`, [created.id]);
  assert.deepEqual(audit.map((r) => r.action), ['rule.created', 'rule.updated']);
  const bad = await t.inject({ method: 'POST', url: '/api/analytics/alerts/rules', payload: { ...rule, window_minutes: 0 } });
  assert.equal(bad.statusCode, 400);
  assert.match(String(bad.headers['content-type']), /problem\+json/);
});

test('webhook targets: private and odd targets refused through the API (private targets are off by default)', async () => {
  for (const url of ['http://169.254.169.254/latest/meta-data', 'http://127.1/', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/', 'http://10.0.0.5/', 'file:///etc/passwd']) {
    const res = await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url } });
    assert.equal(res.statusCode, 400, url);
  }
  const ok = await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'https://hooks.example.com/molam' } });
  assert.equal(ok.statusCode, 201);
  assert.match(ok.json().secret, /^whsec_/);
  const listed = (await t.inject({ method: 'GET', url: '/api/analytics/alerts/webhooks' })).json().items;
  assert.ok(!JSON.stringify(listed).includes('whsec_'), 'secrets are shown once, never listed');
  const rotated = (await t.inject({ method: 'POST', url: `/api/analytics/alerts/webhooks/${ok.json().id}/rotate`, payload: {} })).json();
  assert.equal(rotated.active_secrets, 2);
});

test('webhook host names are resolved at registration: a private answer is refused, no answer is a warning', async () => {
  // localhost resolves to loopback on every machine (/etc/hosts): no network needed.
  const loopback = await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'http://localhost:8080/hook' } });
  assert.equal(loopback.statusCode, 400, loopback.body);
  assert.equal(loopback.json().code, 'target_not_allowed');
  assert.match(loopback.json().detail, /resolves to .*(127\.0\.0\.1|::1).*not a public address/);
  // .invalid never resolves (RFC 2606): accepted, with a warning saying why deliveries will fail.
  const unresolvable = await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'https://hooks.molam.invalid/x' } });
  assert.equal(unresolvable.statusCode, 201, unresolvable.body);
  assert.deepEqual(unresolvable.json().warnings.map((w: { code: string }) => w.code), ['host_unresolvable']);
  assert.match(unresolvable.json().warnings[0].message, /hooks\.molam\.invalid/);
  const literal = await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'https://93.184.216.34/x' } });
  assert.equal(literal.statusCode, 201);
  assert.deepEqual(literal.json().warnings, [], 'an address literal needs no resolution');
});

test('with WEBHOOKS_ALLOW_PRIVATE_TARGETS a name resolving to loopback is accepted', async () => {
  const local = await openTempApp({ env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  try {
    const res = await local.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'http://localhost:9/hook' } });
    assert.equal(res.statusCode, 201, res.body);
    assert.deepEqual(res.json().warnings, []);
  } finally {
    await local.close();
  }
});

test('an alert says what it was judged on: observed value, and the rule\'s metric, threshold, window and filters', async () => {
  const at = new Date(Date.now() - 5 * 60_000).toISOString();
  const events = ['x1', 'x2', 'x3'].map((id) => ({
    event_id: `ctx_${id}`, type: 'wallet_txn_created', status: 'failed', occurred_at: at, txn_id: `ctx_${id}`,
    merchant_id: 'm_ctx', amount: '5.00', currency: 'USD', country: 'SN',
  }));
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: events })).statusCode, 200);
  const created = await t.inject({ method: 'POST', url: '/api/analytics/alerts/rules', payload: {
    name: 'ctx failures', metric: 'failed_count', filters: { merchant_id: ['m_ctx'] }, window_minutes: 30,
    condition: { type: 'threshold', op: '>', value: 2 },
  } });
  assert.equal(created.statusCode, 201, created.body);
  await t.app.alerting.evaluateNow();
  const listed = await t.inject({ method: 'GET', url: `/api/analytics/alerts?rule_id=${created.json().id}` });
  assert.equal(listed.statusCode, 200, listed.body);
  const [alert] = listed.json().items;
  assert.ok(alert, 'the rule opened an alert');
  assert.equal(alert.observed, 3);
  assert.equal(alert.rule_metric, 'failed_count');
  assert.deepEqual(alert.rule_condition, { type: 'threshold', op: '>', value: 2 });
  assert.equal(alert.rule_window_minutes, 30);
  assert.deepEqual(alert.rule_filters, { merchant_id: ['m_ctx'] });
  const one = (await t.inject({ method: 'GET', url: `/api/analytics/alerts/${alert.id}` })).json();
  assert.deepEqual(one.rule_condition, alert.rule_condition);
  assert.equal(one.rule_metric, 'failed_count');
});
