// /healthz, /ready and /health: public probes; /ready is 503 problem+json unless the store
// answers and its migrations are applied.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import type { TempApp } from '../support/temp-app.ts';

let t: TempApp;
const publicByRoute = new Map<string | undefined, unknown>();

before(async () => {
  t = await openTempApp({
    beforeStart: (app) => app.addHook('onRequest', async (req) => { publicByRoute.set(req.routeOptions.url, req.routeOptions.config.public); }),
  });
});
after(async () => { await t.close(); });

test('/healthz is a tiny liveness answer', async () => {
  const res = await t.app.inject({ url: '/healthz' });
  assert.equal(res.statusCode, 200);
  assert.deepEqual(res.json(), { status: 'ok' });
});

test('/ready is 200 over a migrated store', async () => {
  const res = await t.app.inject({ url: '/ready' });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().status, 'ready');
  assert.equal(res.json().schema_version, (await t.platform.store.schemaVersion()).expected);
});

test('/health, /healthz, /ready and /metrics are public routes', async () => {
  for (const url of ['/health', '/healthz', '/ready', '/metrics']) {
    await t.app.inject({ url });
    assert.equal(publicByRoute.get(url), true, url);
  }
});

test('/ready is 503 store_unavailable once the store is closed', async () => {
  const other = await openTempApp();
  try {
    await other.platform.store.close();
    const res = await other.app.inject({ url: '/ready' });
    assert.equal(res.statusCode, 503);
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().code, 'store_unavailable');
  } finally {
    await other.app.close();
    await other.platform.engine.close().catch(() => undefined);
  }
});
