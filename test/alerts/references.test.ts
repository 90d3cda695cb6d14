// Objects naming other objects by id: a rule's channels (webhook endpoints) and a silence's
// rule_id. Another merchant's object is refused exactly like a missing one — same status, code
// and message — and ops cannot point a rule at endpoints that would never receive it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

let t: TempApp;
let a: string;
let b: string;
const ids = { opsHook: '', aHook: '', bHook: '', aRule: '', bRule: '' };
const MISSING = '999999';

const call = (token: string | null, method: string, url: string, payload?: unknown) => (token
  ? t.app.inject({ method: method as 'GET', url, headers: bearer(token), payload: payload as Record<string, unknown> })
  : t.inject({ method: method as 'GET', url, payload: payload as Record<string, unknown> }));
const rule = { name: 'r', metric: 'refund_rate', window_minutes: 30, condition: { type: 'threshold', op: '>', value: 0.1 } };

before(async () => {
  t = await openTempApp({ env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  a = await mintToken({ sub: 'a-admin', roles: ['merchant_admin'], merchantId: 'm_a' });
  b = await mintToken({ sub: 'b-admin', roles: ['merchant_admin'], merchantId: 'm_b' });
  const hook = async (token: string | null) => (await call(token, 'POST', '/api/analytics/alerts/webhooks', { url: 'http://127.0.0.1:9/hook' })).json().id as string;
  ids.opsHook = String(await hook(null));
  ids.aHook = String(await hook(a));
  ids.bHook = String(await hook(b));
  ids.aRule = (await call(a, 'POST', '/api/analytics/alerts/rules', rule)).json().id;
  ids.bRule = (await call(b, 'POST', '/api/analytics/alerts/rules', rule)).json().id;
});
after(async () => { await t.close(); });

/** The answer with `id` replaced by a placeholder, to compare a foreign id's refusal with a missing one's. */
function shape(res: LightMyRequestResponse, id: string) {
  return { status: res.statusCode, body: JSON.parse(res.body.replaceAll(id, 'ID')) };
}

test('a merchant\'s rule cannot name another merchant\'s webhook; it looks exactly like a missing one', async () => {
  const foreign = await call(a, 'POST', '/api/analytics/alerts/rules', { ...rule, channels: [ids.bHook] });
  const missing = await call(a, 'POST', '/api/analytics/alerts/rules', { ...rule, channels: [MISSING] });
  assert.equal(foreign.statusCode, 400, foreign.body);
  assert.equal(foreign.json().code, 'invalid_parameter');
  assert.deepEqual(shape(foreign, ids.bHook), shape(missing, MISSING));
  const opsHook = await call(a, 'POST', '/api/analytics/alerts/rules', { ...rule, channels: [ids.opsHook] });
  assert.deepEqual(shape(opsHook, ids.opsHook), shape(missing, MISSING), 'ops-wide endpoints are invisible to a merchant too');
  const patched = await call(a, 'PATCH', `/api/analytics/alerts/rules/${ids.aRule}`, { channels: [ids.bHook] });
  assert.deepEqual(shape(patched, ids.bHook), shape(missing, MISSING), 'a change is checked like a creation');
  const own = await call(a, 'POST', '/api/analytics/alerts/rules', { ...rule, channels: [ids.aHook] });
  assert.equal(own.statusCode, 201, own.body);
  assert.deepEqual(own.json().channels, [ids.aHook]);
});

test('ops cannot aim a rule at endpoints that would never receive its alerts', async () => {
  const otherMerchant = await call(null, 'POST', '/api/analytics/alerts/rules', { ...rule, merchant_id: 'm_a', channels: [ids.bHook] });
  assert.equal(otherMerchant.statusCode, 400, otherMerchant.body);
  assert.match(otherMerchant.json().detail, /merchant m_b's/);
  const opsRuleToMerchant = await call(null, 'POST', '/api/analytics/alerts/rules', { ...rule, channels: [ids.aHook] });
  assert.equal(opsRuleToMerchant.statusCode, 400, 'an ops rule notifies ops-wide endpoints only');
  assert.equal((await call(null, 'POST', '/api/analytics/alerts/rules', { ...rule, channels: [ids.opsHook] })).statusCode, 201);
  assert.equal((await call(null, 'POST', '/api/analytics/alerts/rules', { ...rule, merchant_id: 'm_a', channels: [ids.aHook, ids.opsHook] })).statusCode, 201);
  assert.equal((await call(null, 'POST', '/api/analytics/alerts/rules', { ...rule, channels: [MISSING] })).statusCode, 400);
});

test('a silence names only a rule its author can see; another merchant\'s looks missing', async () => {
  const ends_at = new Date(Date.now() + 3_600_000).toISOString();
  const foreign = await call(a, 'POST', '/api/analytics/alerts/silences', { matchers: { rule_id: ids.bRule }, ends_at });
  const missing = await call(a, 'POST', '/api/analytics/alerts/silences', { matchers: { rule_id: MISSING }, ends_at });
  assert.equal(foreign.statusCode, 400, foreign.body);
  assert.deepEqual(shape(foreign, ids.bRule), shape(missing, MISSING));
  assert.equal((await call(a, 'POST', '/api/analytics/alerts/silences', { matchers: { rule_id: ids.aRule }, ends_at })).statusCode, 201);
  assert.equal((await call(null, 'POST', '/api/analytics/alerts/silences', { matchers: { rule_id: ids.bRule }, ends_at })).statusCode, 201, 'ops sees every rule');
  await call(b, 'DELETE', `/api/analytics/alerts/rules/${ids.bRule}`);
  const deleted = await call(null, 'POST', '/api/analytics/alerts/silences', { matchers: { rule_id: ids.bRule }, ends_at });
  assert.equal(deleted.statusCode, 400, 'a deleted rule is a missing one');
});
