// GET /api/v1/me answers any verified token with what it is and may do — computed by the same
// access table as every other check — and 401 without one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

let t: TempApp;
before(async () => { t = await openTempApp(); });
after(async () => { await t.close(); });

test('who am I: subject, merchant and effective permissions; 401 without a token', async () => {
  const noToken = await t.app.inject({ url: '/api/v1/me' });
  assert.equal(noToken.statusCode, 401);

  const ops = await t.app.inject({ url: '/api/v1/me', headers: bearer(await mintToken({ sub: 'ops-1', roles: ['analytics:ops'] })) });
  assert.equal(ops.statusCode, 200, ops.body);
  // Ops holds the merchant portal's permissions too: it uses them only by naming a merchant.
  assert.deepEqual(ops.json().permissions, ['analytics:view', 'analytics:ops', 'events:read', 'alerts:view', 'alerts:manage', 'events:define', 'events:track',
    'merchant:read_kpis', 'merchant:transactions', 'merchant:audit', 'merchant:settings',
    'merchant:refunds_read', 'merchant:refunds', 'merchant:refunds_approve', 'merchant:disputes', 'merchant:webhooks', 'merchant:alerts', 'merchant:payouts',
    'merchant:exports', 'mesh:view']);
  assert.equal(ops.json().merchant_id, null);
  assert.equal(ops.json().sub, 'ops-1');

  const support = await t.app.inject({ url: '/api/v1/me', headers: bearer(await mintToken({ sub: 's-1', roles: ['merchant_support'], merchantId: 'm_1' })) });
  assert.equal(support.statusCode, 200, support.body);
  assert.deepEqual(support.json().permissions, ['events:read', 'alerts:view', 'merchant:transactions', 'merchant:refunds_read', 'merchant:disputes']);
  assert.equal(support.json().merchant_id, 'm_1');

  // A merchant role without a merchant grants nothing: still answered, with nothing in it.
  const empty = await t.app.inject({ url: '/api/v1/me', headers: bearer(await mintToken({ sub: 'x-1', roles: ['merchant_admin'] })) });
  assert.equal(empty.statusCode, 200, empty.body);
  assert.deepEqual(empty.json().permissions, []);
});
