// A merchant's webhook endpoints follow one rule whichever route adds them: POST
// /api/merchant/webhooks (the portal) and POST /api/analytics/alerts/webhooks with a merchant
// token both go through createMerchantWebhook — at most MAX_MERCHANT_ENDPOINTS enabled, counted
// across both routes, and each creation written to the merchant's audit log. Ops-wide endpoints
// (an ops token on the alerts route) belong to no merchant and count towards no cap.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { MAX_MERCHANT_ENDPOINTS } from '../../src/merchant/merchant-webhooks.ts';

let t: TempApp;
let cy: Record<string, string>;
const URL_ = 'http://127.0.0.1:9/hook';

const portal = () => t.app.inject({ method: 'POST', url: '/api/merchant/webhooks', headers: cy, payload: { url: URL_ } });
const alerts = (headers = cy) => t.app.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', headers, payload: { url: URL_ } });

describe('a merchant\'s webhook endpoints: one cap and one audit, whichever route adds them', () => {
  before(async () => {
    t = await openTempApp({ env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
    cy = bearer(await mintToken({ sub: 'cy@m_c', roles: ['merchant_admin'], merchantId: 'm_c' }));
  });
  after(async () => t.close());

  test('the cap counts both routes\' endpoints and refuses on both; every creation is in the merchant\'s audit log', async () => {
    for (let i = 0; i < MAX_MERCHANT_ENDPOINTS - 1; i++) assert.equal((await portal()).statusCode, 201);
    const viaAlerts = await alerts();
    assert.equal(viaAlerts.statusCode, 201, viaAlerts.body);
    assert.equal(viaAlerts.json().merchant_id, 'm_c');
    assert.match(viaAlerts.json().secret, /^whsec_/);

    for (const res of [await alerts(), await portal()]) {
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().code, 'invalid_parameter');
      assert.match(res.json().detail, new RegExp(`at most ${MAX_MERCHANT_ENDPOINTS} enabled`));
    }
    const listed = (await t.app.inject({ url: '/api/merchant/webhooks', headers: cy })).json().items;
    assert.equal(listed.length, MAX_MERCHANT_ENDPOINTS);

    const audit = (await t.app.inject({ url: '/api/merchant/audit?action=webhook.created&limit=100', headers: cy })).json().items;
    assert.equal(audit.length, MAX_MERCHANT_ENDPOINTS);
    const entry = audit.find((a: { object_id: string }) => a.object_id === String(viaAlerts.json().id));
    assert.ok(entry, 'the endpoint added under /api/analytics/alerts/webhooks is audited');
    assert.deepEqual([entry.actor, entry.actor_kind, entry.object_type, entry.detail], ['cy@m_c', 'merchant', 'webhook_endpoint', { url: URL_, event_types: null }]);

    // A deleted endpoint frees a place, for either route.
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/merchant/webhooks/${listed[0].id}`, headers: cy })).statusCode, 204);
    assert.equal((await alerts()).statusCode, 201);
    assert.equal((await alerts()).statusCode, 400);
  });

  test('ops-wide endpoints belong to no merchant: no cap, no merchant audit', async () => {
    const ops = await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: URL_ } });
    assert.equal(ops.statusCode, 201, ops.body);
    assert.equal(ops.json().merchant_id, null);
  });
});
