// Start-up: a port already in use stops the real server (src/main.ts as a child process) in one
// line, before any store is opened; the bound port answers /healthz while the stores open; the
// state store opens in the background (alert routes 503 meanwhile) and an absent PostgreSQL is
// waited for. How long start-up takes is measured by bench/startup-run.ts, not here.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as httpServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { serveWhileStarting } from '../../src/http/while-starting.ts';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import { openPlatform } from '../../src/platform.ts';
import { TEST_SECRET, bearer, mintToken } from '../support/tokens.ts';
import { postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { startForwarder } from '../support/tcp-forwarder.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

function run(env: Record<string, string>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, HOST: '127.0.0.1', LOG_LEVEL: 'info', JWT_SECRET: TEST_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => { stdout += d; });
  child.stderr.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, stdout, stderr })));
}

test('a port in use: one line on stderr, a non-zero exit, and no store opened', async () => {
  const taken = createServer();
  await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
  const port = (taken.address() as AddressInfo).port;
  const parent = mkdtempSync(join(tmpdir(), 'molam-port-'));
  const dataDir = join(parent, 'data');
  try {
    const r = await run({ PORT: String(port), DATA_DIR: dataDir });
    assert.notEqual(r.code, 0);
    assert.equal(r.stderr, `port ${port} on 127.0.0.1 is in use (another molam-analytics?); set PORT\n`);
    assert.ok(!existsSync(dataDir) || readdirSync(dataDir).length === 0, `no store files: ${existsSync(dataDir) ? readdirSync(dataDir) : ''}`);
    assert.doesNotMatch(r.stdout, /ingest state rebuilt|retention applied/, 'nothing of the start ran');
  } finally {
    taken.close();
    rmSync(parent, { recursive: true, force: true });
  }
});

test('while starting, the bound port answers: /healthz 200, /ready and the rest 503 starting; then the app', async () => {
  const server = httpServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const starting = serveWhileStarting(server);
    assert.equal((await fetch(`${base}/healthz`)).status, 200);
    const ready = await fetch(`${base}/ready`);
    assert.equal(ready.status, 503);
    assert.match(String(ready.headers.get('content-type')), /^application\/problem\+json/);
    const body = await ready.json();
    assert.equal(body.code, 'starting');
    assert.deepEqual(Object.keys(body.parts), ['analytics', 'ingest', 'state']);
    const api = await fetch(`${base}/api/analytics/kpis`);
    assert.equal(api.status, 503);
    assert.equal(api.headers.get('retry-after'), '1');
    starting.handOver((_req, res) => res.end('the app'));
    assert.equal(await (await fetch(`${base}/ready`)).text(), 'the app');
  } finally {
    server.close();
  }
});

test('the state store opened in the background: alert routes are 503 (starting) meanwhile, PostgreSQL is retried until it answers', { skip: !pgUp && 'PostgreSQL unreachable', timeout: 120_000 }, async () => {
  const target = new URL(TEST_DATABASE_URL);
  const fwd = await startForwarder({ host: target.hostname, port: Number(target.port || 5432) });
  await fwd.cut(); // PostgreSQL is not there when the server starts
  const via = new URL(TEST_DATABASE_URL);
  via.host = `127.0.0.1:${fwd.port}`;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'molam-bg-'));
  let clock = Date.now();
  const now = () => clock;
  const config = loadConfig({ DATA_DIR: dir, LOG_LEVEL: 'silent', JWT_SECRET: TEST_SECRET, RATE_LIMIT_PER_MINUTE: '0', DATABASE_URL: via.toString(), DATABASE_SCHEMA: schema });
  const log = createLogger('silent');
  const platform = await openPlatform(config, log, now, { stateInBackground: true });
  const app = await buildApp({ config, engine: platform.engine, store: platform.store, state: platform.state, regions: platform.regions, log, now });
  const token = await mintToken({ sub: 'ops', roles: ['analytics:ops'] });
  const rules = () => app.inject({ method: 'GET', url: '/api/analytics/alerts/rules', headers: bearer(token) });
  try {
    const early = await rules();
    assert.equal(early.statusCode, 503);
    assert.equal(early.json().code, 'state_unavailable');
    assert.equal(early.json().state_store, 'starting');
    assert.ok(early.headers['retry-after']);
    const ready = await app.inject({ url: '/ready' });
    assert.equal(ready.statusCode, 503);
    assert.equal(ready.json().parts.state.status, 'starting');
    assert.equal(ready.json().parts.analytics.status, 'ready', 'analytics is served meanwhile');
    await fwd.restore();
    await platform.stateOpened;
    assert.equal((await rules()).statusCode, 200);
    clock += 10_000;
    assert.equal((await app.inject({ url: '/ready' })).statusCode, 200);
  } finally {
    await app.close();
    await platform.close();
    await fwd.close();
    rmSync(dir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
});
