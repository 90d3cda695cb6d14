// The OpenAPI document describes the real routes, and the status page is served at /.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';

let t: TempApp;
before(async () => { t = await openTempApp(); });
after(async () => { await t.close(); });

test('GET /docs/json is an OpenAPI document listing the API routes', async () => {
  const res = await t.inject({ url: '/docs/json' });
  assert.equal(res.statusCode, 200);
  const doc = res.json();
  assert.match(doc.openapi, /^3\./);
  for (const path of ['/api/v1/events', '/api/v1/metrics', '/api/v1/metrics/registry', '/api/v1/dead-letters',
    '/api/v1/dead-letters/replay', '/api/v1/fx-rates', '/health']) {
    assert.ok(doc.paths[path], `documents ${path}`);
  }
  assert.ok(doc.paths['/api/v1/metrics'].get.parameters.some((p: { name: string }) => p.name === 'tz'));
});

test('GET / serves a page (the dashboard, or the status page without a build)', async () => {
  const res = await t.inject({ url: '/' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/html/);
  assert.match(res.body, /Molam Analytics/);
});
