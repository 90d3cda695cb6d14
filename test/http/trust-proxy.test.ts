// TRUST_PROXY: behind a trusted proxy, req.ip is the client from X-Forwarded-For, so the
// failed-authentication limiter counts each client apart; without it (the default), or from a
// peer that is not a trusted proxy, forwarded headers are ignored. Bad settings are refused at boot.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { loadConfig, ConfigError } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { openTempApp, type TempApp } from '../support/temp-app.ts';

const PROXY = '10.0.0.7';
let t: TempApp;
let proxied: FastifyInstance;
before(async () => {
  t = await openTempApp(); // TRUST_PROXY unset
  const p = t.platform;
  proxied = await buildApp({
    config: { ...t.config, TRUST_PROXY: `${PROXY}, 192.168.0.0/16` }, engine: p.engine, store: p.store, state: p.state,
    regions: p.regions, log: createLogger('silent'),
  });
});
after(async () => {
  await proxied.close();
  await t.close();
});

/** A request with a bad token from `peer` (the socket's address), claiming to forward for `client`. */
const guess = (app: FastifyInstance, peer: string, client: string) => app.inject({
  method: 'GET', url: '/api/analytics/kpis', remoteAddress: peer,
  headers: { authorization: 'Bearer nope.nope.nope', 'x-forwarded-for': client },
});

async function exhaust(app: FastifyInstance, peer: string, client: string): Promise<void> {
  for (let i = 0; i < 60; i++) assert.equal((await guess(app, peer, client)).statusCode, 401);
  assert.equal((await guess(app, peer, client)).statusCode, 429, `${client} via ${peer} is limited`);
}

test('behind a trusted proxy, two clients are limited apart', async () => {
  await exhaust(proxied, PROXY, '203.0.113.1');
  const other = await guess(proxied, PROXY, '203.0.113.2');
  assert.equal(other.statusCode, 401, 'another client behind the same proxy is not blocked');
  assert.equal((await guess(proxied, '192.168.4.4', '203.0.113.3')).statusCode, 401, 'a CIDR entry is trusted too');
});

test('a peer that is not a trusted proxy cannot choose its address with X-Forwarded-For', async () => {
  await exhaust(proxied, '198.51.100.9', '203.0.113.10');
  assert.equal((await guess(proxied, '198.51.100.9', '203.0.113.11')).statusCode, 429);
});

test('without TRUST_PROXY forwarded headers are ignored: everyone behind the proxy shares one budget', async () => {
  await exhaust(t.app, PROXY, '203.0.113.1');
  assert.equal((await guess(t.app, PROXY, '203.0.113.2')).statusCode, 429);
});

test('a TRUST_PROXY that is not addresses or CIDR blocks is refused at boot', () => {
  for (const bad of ['true', '2', '10.0.0.0/33', 'proxy.internal', '10.0.0.1/8/1']) {
    assert.throws(() => loadConfig({ TRUST_PROXY: bad }), (err) => err instanceof ConfigError && /TRUST_PROXY/.test(err.message), bad);
  }
  assert.deepEqual(loadConfig({ TRUST_PROXY: ' 10.0.0.7 , loopback,fd00::/8' }).TRUST_PROXY, ' 10.0.0.7 , loopback,fd00::/8');
});
