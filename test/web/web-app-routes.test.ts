// The dashboard's routes over a small fake build: index.html at / and for browser navigations,
// hashed assets cached for a year, API and server paths still 404, every route public; without
// a build, the status page.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { registerRouteGuard } from '../../src/http/auth-hook.ts';
import { sendProblem } from '../../src/http/problem.ts';
import { webAppRoutes } from '../../src/http/routes/web-app.ts';

const INDEX = '<!doctype html><title>Molam Analytics</title><script type="module" src="/assets/index-abc123.js"></script>';
let dir: string;

async function appOver(root: string): Promise<FastifyInstance> {
  const app = Fastify();
  const routes = registerRouteGuard(app); // throws at registration for a route neither public nor permissioned
  app.decorate('routeTable', routes);
  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, 'not_found', `no route ${req.method} ${req.url}`));
  webAppRoutes(app, { dir: root });
  await app.ready();
  return app;
}

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'molam-web-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('/ and browser navigations get index.html, not cached; assets are cached for a year', async () => {
  const app = await appOver(dir);
  try {
    const root = await app.inject({ url: '/' });
    assert.equal(root.statusCode, 200);
    assert.match(String(root.headers['content-type']), /text\/html/);
    assert.equal(root.body, INDEX);
    assert.equal(root.headers['cache-control'], 'no-cache');

    const deep = await app.inject({ url: '/overview?range=7d', headers: { accept: 'text/html,application/xhtml+xml' } });
    assert.equal(deep.statusCode, 200);
    assert.equal(deep.body, INDEX);

    const js = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.match(String(js.headers['content-type']), /javascript/);
    assert.match(String(js.headers['cache-control']), /max-age=31536000/);
    assert.match(String(js.headers['cache-control']), /immutable/);

    assert.equal((await app.inject({ url: '/favicon.svg' })).statusCode, 200);
  } finally {
    await app.close();
  }
});

test('unknown assets, API and server paths and non-HTML requests stay 404; no escape from the build', async () => {
  const app = await appOver(dir);
  try {
    const html = { accept: 'text/html' };
    for (const [url, headers] of [
      ['/assets/missing.js', {}], ['/api/nope', html], ['/api', html], ['/docs/nope', html], ['/socket.io/x', html],
      ['/nope.json', { accept: 'application/json' }], ['/assets/../../../etc/passwd', {}], ['/assets/%2e%2e/%2e%2e/etc/passwd', {}],
    ] as const) {
      const res = await app.inject({ url, headers });
      assert.ok(res.statusCode === 404 || res.statusCode === 403, `${url}: ${res.statusCode}`);
      assert.doesNotMatch(res.body, /root:/, url);
    }
    const api = await app.inject({ url: '/api/nope', headers: html });
    assert.equal(api.json().code, 'not_found');
    for (const r of app.routeTable) assert.equal(r.permission, null, `${r.method} ${r.url} is public`);
  } finally {
    await app.close();
  }
});

test('without a build, / is the status page', async () => {
  const app = await appOver(join(dir, 'not-built'));
  try {
    const res = await app.inject({ url: '/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /ingest status/);
  } finally {
    await app.close();
  }
});
