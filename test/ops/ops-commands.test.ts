// The other operations commands (src/cli/ops-commands.ts) and their endpoints:
// - cache clear: POST /api/ops/cache/clear empties the query cache (the next identical query is a
//   miss again); analytics:ops only — a viewer's or a merchant's token is refused;
// - doctor: a healthy configuration exits 0; a planted problem (an unreachable state store, no
//   way to verify tokens) exits 1 and names the fix;
// - verify from the CLI over a stopped DATA_DIR: exit 0 when the rollups agree, 2 on bad usage
//   (the planted difference is test/store/rollup-verify.test.ts: only store tests write its SQL).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken, TEST_SECRET } from '../support/tokens.ts';

const run = promisify(execFile);
const RANGE = 'from=2026-11-20T00:00:00Z&to=2026-11-21T00:00:00Z';
let dir: string;
let t: TempApp;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'molam-ops-'));
  t = await openTempApp({ now: () => Date.parse('2026-11-21T12:00:00Z') });
});
after(async () => {
  await t.close();
  rmSync(dir, { recursive: true, force: true });
});

async function cli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  const { DATABASE_URL: _u, CONFIG_FILE: _c, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env: { ...inherited, LOG_LEVEL: 'warn', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const cacheCounts = async () => {
  const text = (await t.inject({ url: '/metrics' })).body;
  const n = (kind: string) => Number(new RegExp(`analytics_cache_${kind}_total\\{cache="query"\\} (\\d+)`).exec(text)?.[1] ?? 0);
  return { hits: n('hits'), misses: n('misses') };
};

test('cache clear empties the query cache: the same query misses again', async () => {
  assert.equal((await t.inject({ url: `/api/analytics/kpis?${RANGE}` })).statusCode, 200);
  const warm = await cacheCounts();
  await t.inject({ url: `/api/analytics/kpis?${RANGE}` });
  assert.equal((await cacheCounts()).hits, warm.hits + 1, 'served from the cache');
  const cleared = await t.inject({ method: 'POST', url: '/api/ops/cache/clear' });
  assert.equal(cleared.statusCode, 200, cleared.body);
  assert.ok(cleared.json().cleared_entries >= 1);
  const before = await cacheCounts();
  await t.inject({ url: `/api/analytics/kpis?${RANGE}` });
  const after = await cacheCounts();
  assert.equal(after.hits, before.hits, 'no hit after the clear');
  assert.ok(after.misses > before.misses, 'computed again after the clear');
});

test('the ops endpoints are analytics:ops only: a viewer\'s or a merchant\'s token is refused', async () => {
  const viewer = await mintToken({ sub: 'v', roles: ['analytics:view'] });
  const merchant = await mintToken({ sub: 'm', roles: ['merchant_admin'], merchantId: 'm_1' });
  for (const token of [viewer, merchant]) {
    for (const [method, url, payload] of [['POST', '/api/ops/cache/clear', undefined], ['POST', '/api/ops/backup', { name: 'x' }], ['GET', `/api/ops/verify?${RANGE}`, undefined]] as const) {
      const r = await t.app.inject({ method, url, headers: bearer(token), ...(payload ? { payload } : {}) });
      assert.equal(r.statusCode, 403, `${method} ${url}: ${r.body}`);
    }
  }
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/ops/cache/clear' })).statusCode, 401);
});

test('verify over HTTP agrees on a store that ingested, and refuses a reversed range', async () => {
  const events = [
    { event_id: 'a', type: 'wallet_txn_created', status: 'pending', txn_id: 't1', merchant_id: 'm', currency: 'XOF', country: 'SN', amount: '10', occurred_at: '2026-11-20T10:00:00Z' },
    { event_id: 'b', type: 'wallet_txn_succeeded', txn_id: 't1', merchant_id: 'm', currency: 'XOF', country: 'SN', amount: '10', occurred_at: '2026-11-20T11:30:00Z' },
  ];
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: events })).statusCode, 200);
  const r = await t.inject({ url: `/api/ops/verify?${RANGE}` });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().ok, true);
  assert.ok(r.json().tables.every((x: { cells: number }) => x.cells >= 1));
  assert.equal((await t.inject({ url: '/api/ops/verify?from=2026-11-21T00:00:00Z&to=2026-11-20T00:00:00Z' })).statusCode, 400);
});

test('doctor: a healthy configuration exits 0; a planted problem exits 1 with its fix', async () => {
  const env = { DATA_DIR: join(dir, 'data'), JWT_SECRET: TEST_SECRET };
  const ok = await cli(['doctor'], env);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /doctor: no problem/);

  const unreachable = await cli(['doctor'], { ...env, DATABASE_URL: 'postgres://127.0.0.1:1/test' });
  assert.equal(unreachable.code, 1, unreachable.stdout);
  assert.match(unreachable.stdout, /PROBLEM {2}state store: does not answer/);
  assert.match(unreachable.stdout, /fix: .*DATABASE_URL/);

  const noTokens = await cli(['doctor', '--json'], { DATA_DIR: join(dir, 'data'), JWT_SECRET: '' });
  assert.equal(noTokens.code, 1);
  const report = JSON.parse(noTokens.stdout) as { ok: boolean; checks: Array<{ name: string; status: string; fix?: string }> };
  assert.equal(report.ok, false);
  const config = report.checks.find((c) => c.name === 'configuration')!;
  assert.equal(config.status, 'problem');
  assert.match(config.fix!, /JWT_JWKS_URL/);

  // Bad usage is 2, apart from a problem found.
  const usage = await cli(['verify', '--from', 'yesterday'], env);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /usage: verify/);
});

test('verify from the CLI over a stopped DATA_DIR: exit 0 when the rollups agree', async () => {
  const data = join(dir, 'verify-data');
  const file = join(dir, 'events.ndjson');
  writeFileSync(file, [
    { event_id: 'c', type: 'wallet_txn_created', status: 'pending', txn_id: 't', merchant_id: 'm', currency: 'XOF', country: 'SN', amount: '7', occurred_at: new Date(Date.now() - 3_600_000).toISOString() },
    { event_id: 'r', type: 'refund_created', refund_id: 'r', txn_id: 't', merchant_id: 'm', currency: 'XOF', country: 'SN', amount: '2', occurred_at: new Date(Date.now() - 1_800_000).toISOString() },
  ].map((e) => JSON.stringify(e)).join('\n') + '\n');
  const ingested = await cli(['ingest', file], { DATA_DIR: data });
  assert.equal(ingested.code, 0, ingested.stderr);
  const from = new Date(Date.now() - 2 * 86_400_000).toISOString();
  const to = new Date(Date.now() + 86_400_000).toISOString();
  const r = await cli(['verify', '--from', from, '--to', to], { DATA_DIR: data });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /minute .* 2 cells, 0 differ/);
  assert.match(r.stdout, /the rollups agree/);
});
