// The state store going away: alert routes answer 503 state_unavailable with Retry-After (not a
// 500), and the same app answers again when it returns — no restart. PostgreSQL is the real
// server, reached through a TCP forwarder the test cuts and restores; PGlite is closed under the app.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTempApp } from '../support/temp-app.ts';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import { AppError } from '../../src/errors.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { startForwarder } from '../support/tcp-forwarder.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const rule = { name: 'refunds', metric: 'refund_rate', window_minutes: 30, condition: { type: 'threshold', op: '>', value: 0.1 } };

function assertUnavailable(res: { statusCode: number; headers: Record<string, unknown>; json(): { code: string } }, what: string) {
  assert.equal(res.statusCode, 503, what);
  assert.equal(res.json().code, 'state_unavailable', what);
  assert.match(String(res.headers['retry-after']), /^[1-9][0-9]*$/, `${what}: Retry-After`);
}

test('PostgreSQL cut and restored: 503 state_unavailable with Retry-After, then 200 again without a restart', { skip: !pgUp && 'PostgreSQL unreachable' }, async () => {
  const target = new URL(TEST_DATABASE_URL);
  const fwd = await startForwarder({ host: target.hostname, port: Number(target.port || 5432) });
  const via = new URL(TEST_DATABASE_URL);
  via.host = `127.0.0.1:${fwd.port}`;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const t = await openTempApp({ env: { DATABASE_URL: via.toString(), DATABASE_SCHEMA: schema } });
  after(async () => {
    await t.close();
    await fwd.close();
    await dropSchemas([schema]);
  });
  const list = () => t.inject({ method: 'GET', url: '/api/analytics/alerts/rules' });
  const create = () => t.inject({ method: 'POST', url: '/api/analytics/alerts/rules', payload: rule });
  assert.equal((await create()).statusCode, 201);
  assert.equal((await list()).statusCode, 200);

  await fwd.cut();
  assertUnavailable(await list(), 'a query');
  assertUnavailable(await create(), 'a transaction');
  assertUnavailable(await t.inject({ method: 'GET', url: '/api/analytics/alerts' }), 'the alert list');

  await fwd.restore();
  const again = await list();
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(again.json().items.length, 1);
  assert.equal((await create()).statusCode, 201, 'transactions work again too');
});

test('a connection lost in the middle of a transaction fails that transaction, and only it', { skip: !pgUp && 'PostgreSQL unreachable' }, async () => {
  const target = new URL(TEST_DATABASE_URL);
  const fwd = await startForwarder({ host: target.hostname, port: Number(target.port || 5432) });
  const via = new URL(TEST_DATABASE_URL);
  via.host = `127.0.0.1:${fwd.port}`;
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const store = await openStateStore({ databaseUrl: via.toString(), schema, dataDir: '' });
  try {
    let inside!: () => void;
    const entered = new Promise<void>((r) => { inside = r; });
    let proceed!: () => void;
    const cutDone = new Promise<void>((r) => { proceed = r; });
    const tx = store.transaction(async (q) => {
      await q.query('SELECT 1');
      inside();
      await cutDone; // the connection dies here, between two statements
      await q.query('SELECT 2');
    });
    await entered;
    await fwd.cut();
    await new Promise((r) => setTimeout(r, 50)); // let the client see its socket close
    proceed();
    await assert.rejects(tx, (err) => err instanceof AppError && err.code === 'state_unavailable');
    await fwd.restore();
    assert.deepEqual(await store.query('SELECT 1 AS one'), [{ one: 1 }]);
  } finally {
    await store.close();
    await fwd.close();
    await dropSchemas([schema]);
  }
});

test('PGlite closed under the app: 503 state_unavailable, not 500', async () => {
  const t = await openTempApp();
  try {
    await t.platform.state.close();
    assertUnavailable(await t.inject({ method: 'GET', url: '/api/analytics/alerts/rules' }), 'a query on a closed PGlite');
  } finally {
    await t.close();
  }
});
