// The role × route matrix, generated from the central access table and the app's own route
// table, checked over HTTP: every grant name, with and without a merchant, against every
// protected route — allowed exactly when the table says so, 403 otherwise; 401 without a token.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GRANTS, PERMISSIONS, permissionsFor } from '../../src/auth/access-table.ts';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

let t: TempApp;
before(async () => {
  t = await openTempApp();
  await t.app.ready();
});
after(async () => { await t.close(); });

const concrete = (url: string) => url.replace(/:[a-z_]+/g, 'x1');
const protectedRoutes = () => t.app.routeTable.filter((r) => r.permission !== null && r.method !== 'HEAD');

test('every route is public or needs a known permission; the API routes are all protected', () => {
  for (const r of t.app.routeTable) {
    if (r.permission === 'authenticated') assert.equal(r.url, '/api/v1/me', 'only who-am-I needs no permission');
    else if (r.permission !== null) assert.ok((PERMISSIONS as readonly string[]).includes(r.permission), `${r.method} ${r.url}`);
    if (r.url.startsWith('/api/') && !r.url.startsWith('/api/dev/')) assert.notEqual(r.permission, null, `${r.method} ${r.url} is public`);
  }
  assert.ok(protectedRoutes().length >= 15, `only ${protectedRoutes().length} protected routes`);
});

test('without a token every protected route answers 401', async () => {
  // Each from its own address: failed authentications are limited per address (60 a minute), and
  // there are more routes than that; the other tests' requests come from the default address.
  for (const [i, r] of protectedRoutes().entries()) {
    const res = await t.app.inject({ method: r.method as 'GET', url: concrete(r.url), remoteAddress: `10.9.${i >> 8}.${i & 255}` });
    assert.equal(res.statusCode, 401, `${r.method} ${r.url}`);
  }
});

test('role × route: allowed exactly as the access table says', async () => {
  let checked = 0;
  for (const name of Object.keys(GRANTS)) {
    for (const merchantId of [null, 'm_sn']) {
      // Just signed in: a step-up check (the payout schedule) passes, so only the table decides.
      const token = await mintToken({ sub: `matrix-${name}`, roles: [name], merchantId: merchantId ?? undefined, authTime: Math.floor(Date.now() / 1000) });
      const granted = permissionsFor([name], merchantId);
      for (const r of protectedRoutes()) {
        const res = await t.app.inject({ method: r.method as 'GET', url: concrete(r.url), headers: bearer(token) });
        const who = `${name}${merchantId ? ' (merchant)' : ''} → ${r.method} ${r.url}: ${res.statusCode} ${res.body.slice(0, 120)}`;
        if (r.permission === 'authenticated' || granted.has(r.permission!)) assert.ok(res.statusCode !== 401 && res.statusCode !== 403, who);
        else {
          assert.equal(res.statusCode, 403, who);
          assert.equal(res.json().code, 'forbidden', who);
        }
        checked++;
      }
    }
  }
  assert.ok(checked > 100);
});

test('merchant tokens never get ops permissions, whatever their claims say', () => {
  const all = permissionsFor(Object.keys(GRANTS), 'm_sn');
  assert.deepEqual([...all].sort(), [
    'alerts:manage', 'alerts:view', 'analytics:view', 'events:read', 'merchant:alerts', 'merchant:audit', 'merchant:disputes', 'merchant:exports', 'merchant:payout_schedule',
    'merchant:payouts', 'merchant:read_kpis', 'merchant:refunds', 'merchant:refunds_approve', 'merchant:refunds_read', 'merchant:settings', 'merchant:transactions',
    'merchant:webhooks',
  ]);
  assert.equal(permissionsFor(['merchant_admin'], null).size, 0, 'a merchant role without a merchant grants nothing');
  assert.equal(permissionsFor(['admin', 'root', '__proto__', 'constructor'], null).size, 0, 'unknown names grant nothing');
});

test('the permissions claim works like roles', async () => {
  const token = await mintToken({ permissions: ['analytics:view'] });
  const ok = await t.app.inject({ method: 'GET', url: '/api/analytics/kpis', headers: bearer(token) });
  assert.equal(ok.statusCode, 200);
  const ops = await t.app.inject({ method: 'GET', url: '/api/analytics/top/merchants', headers: bearer(token) });
  assert.equal(ops.statusCode, 403);
});
