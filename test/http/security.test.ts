// Per-subject rate limits (429 problem+json with Retry-After), security headers, the CORS
// allowlist, and the dev sign-in endpoint existing only in dev mode.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

let t: TempApp;
before(async () => {
  t = await openTempApp({ env: { RATE_LIMIT_PER_MINUTE: '3', CORS_ORIGINS: 'https://dash.molam.test' } });
});
after(async () => { await t.close(); });

test('rate limit per token subject: the 4th request in a minute is 429 with Retry-After; others are unaffected', async () => {
  const a = await mintToken({ sub: 'alice', roles: ['analytics:view'] });
  const b = await mintToken({ sub: 'bob', roles: ['analytics:view'] });
  const call = (token: string) => t.app.inject({ method: 'GET', url: '/api/v1/metrics/registry', headers: bearer(token) });
  for (let i = 0; i < 3; i++) assert.equal((await call(a)).statusCode, 200);
  const limited = await call(a);
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.json().code, 'rate_limited');
  assert.match(String(limited.headers['content-type']), /problem\+json/);
  assert.ok(Number(limited.headers['retry-after']) > 0);
  assert.equal((await call(b)).statusCode, 200);
  // Probes are never limited.
  for (let i = 0; i < 5; i++) assert.equal((await t.app.inject({ method: 'GET', url: '/health' })).statusCode, 200);
});

test('security headers on every answer', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/health' });
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
  assert.match(String(res.headers['content-security-policy']), /frame-ancestors 'none'/);
  assert.ok(res.headers['strict-transport-security']);
  assert.equal(res.headers['x-powered-by'], undefined);
});

test('CORS: the allowlisted origin is allowed, any other is not', async () => {
  const pre = (origin: string) => t.app.inject({
    method: 'OPTIONS', url: '/api/analytics/kpis',
    headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
  });
  const ok = await pre('https://dash.molam.test');
  assert.equal(ok.headers['access-control-allow-origin'], 'https://dash.molam.test');
  const evil = await pre('https://evil.test');
  assert.equal(evil.headers['access-control-allow-origin'], undefined);
  // An ops console names the merchant it acts for in the portal.
  const portal = await t.app.inject({
    method: 'OPTIONS', url: '/api/merchant/summary',
    headers: { origin: 'https://dash.molam.test', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization,x-merchant-id' },
  });
  assert.match(String(portal.headers['access-control-allow-headers']), /X-Merchant-Id/);
  // A refund request from the browser carries its Idempotency-Key, and may read whether the answer was replayed.
  const refund = await t.app.inject({
    method: 'OPTIONS', url: '/api/merchant/refunds',
    headers: { origin: 'https://dash.molam.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,idempotency-key' },
  });
  assert.match(String(refund.headers['access-control-allow-headers']), /Idempotency-Key/);
  const replayed = await t.app.inject({ url: '/api/merchant/refunds', headers: { origin: 'https://dash.molam.test' } });
  assert.match(String(replayed.headers['access-control-expose-headers']), /Idempotent-Replayed/);
});

test('the dev sign-in endpoint exists only in dev mode', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/api/dev/token', payload: { role: 'analytics:ops' } });
  assert.equal(res.statusCode, 404);
  const dev = await openTempApp({ env: { DEV_MODE: 'true', JWT_SECRET: '' } });
  try {
    const issued = await dev.app.inject({ method: 'POST', url: '/api/dev/token', payload: { role: 'merchant_admin', merchant_id: 'm_sn' } });
    assert.equal(issued.statusCode, 200, issued.body);
    const { token } = issued.json();
    const kpis = await dev.app.inject({ method: 'GET', url: '/api/analytics/kpis', headers: bearer(token) });
    assert.equal(kpis.statusCode, 200);
    const top = await dev.app.inject({ method: 'GET', url: '/api/analytics/top/merchants', headers: bearer(token) });
    assert.equal(top.statusCode, 403);
    // A sign-in: its auth_time is now, so a step-up operation (the payout schedule) accepts it.
    const payload = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
    assert.ok(Math.abs(payload.auth_time * 1000 - Date.now()) < 60_000, `auth_time ${payload.auth_time}`);
    const schedule = await dev.app.inject({ method: 'PUT', url: '/api/merchant/settings/payout-schedule', payload: { interval: 'weekly' }, headers: bearer(token) });
    assert.equal(schedule.statusCode, 200, schedule.body);
    // A token signed with another secret (the test one) is refused by the dev server.
    const foreign = await dev.app.inject({ method: 'GET', url: '/api/analytics/kpis', headers: bearer(t.adminToken) });
    assert.equal(foreign.statusCode, 401);
  } finally {
    await dev.close();
  }
});

test('refusals carry the security and CORS headers too (a browser can read token_expired)', async () => {
  const res = await t.app.inject({ method: 'GET', url: '/api/analytics/kpis', headers: { origin: 'https://dash.molam.test' } });
  assert.equal(res.statusCode, 401);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
  assert.match(String(res.headers['content-security-policy']), /default-src 'self'/);
  assert.equal(res.headers['access-control-allow-origin'], 'https://dash.molam.test');
  assert.ok(res.headers['x-request-id']);
});

test('token guessing: past 60 failed authentications a minute from one address, 429', async () => {
  const other = await openTempApp();
  try {
    const bad = () => other.app.inject({ method: 'GET', url: '/api/analytics/kpis', headers: { authorization: 'Bearer nope.nope.nope' } });
    for (let i = 0; i < 60; i++) assert.equal((await bad()).statusCode, 401);
    const blocked = await bad();
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().code, 'rate_limited');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
  } finally {
    await other.close();
  }
});

test('the dev sign-in endpoint answers loopback host names only', async () => {
  const dev = await openTempApp({ env: { DEV_MODE: 'true', JWT_SECRET: '' } });
  try {
    const res = await dev.app.inject({ method: 'POST', url: '/api/dev/token', headers: { host: 'attacker.example:8080' }, payload: { role: 'analytics:ops' } });
    assert.equal(res.statusCode, 403);
  } finally {
    await dev.close();
  }
});
