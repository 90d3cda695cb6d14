// Predictions over HTTP (/api/mesh/predictions, /api/mesh/keys): generated from the events
// ingested, signed (each JWS verifies with the published JWK set, independently of our code),
// published to the outbox, reported by the confidence gauge; a tampered one is listed as refused,
// a stale one too; keys rotate and retire through the routes; the scheduled part is the
// evaluator's, and one replica at a time runs it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { importJWK, jwtVerify, type JWK } from 'jose';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { partsFor, startParts } from '../../src/start-parts.ts';
import { createMeshPredictions, MESH_PREDICTIONS_LOCK } from '../../src/mesh/generate-predictions.ts';
import { createKeyRing } from '../../src/mesh/signing-keys.ts';
import { createLogger } from '../../src/log.ts';
import { postgresBackend, postgresReachable } from '../support/state-backends.ts';

const MIN = 60_000;
const T = Date.parse('2026-11-02T12:00:30Z');
let clock = T;
let t: TempApp;
let ops: Record<string, string>;

/** SN (ECOWAS), XOF, wallet: wave succeeds 19 times out of 20, orange_money fails 12 times out of 20 (timeouts). */
function events(prefix: string, at: number) {
  const out: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    for (const provider of ['wave', 'orange_money']) {
      const txn = `${prefix}_${provider}_${i}`;
      const created = at - 50 * MIN + i * 2 * MIN;
      const base = { txn_id: txn, merchant_id: 'm_sn', amount: '1000', currency: 'XOF', country: 'SN' };
      out.push({ ...base, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', payment_method: 'wallet', provider, occurred_at: new Date(created).toISOString() });
      const fails = provider === 'wave' ? i === 0 : i < 12;
      out.push(fails
        ? { ...base, event_id: `${txn}_f`, type: 'wallet_txn_failed', failure_reason: 'timeout', occurred_at: new Date(created + 30_000).toISOString() }
        : { ...base, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: '15', occurred_at: new Date(created + 20_000).toISOString() });
    }
  }
  return out;
}

before(async () => {
  // Kafka brokers named (never contacted: no part sending to them starts) so events get their topic rows.
  t = await openTempApp({ now: () => clock, env: { KAFKA_BROKERS: '127.0.0.1:9', MESH_PREDICTION_TTL_SECONDS: '600' } });
  ops = bearer(await mintToken({ sub: 'mesh-operator', roles: ['mesh_ops'] }));
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(events('a', T)) });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().accepted, 80, res.body);
});
after(async () => { await t.close(); });

const generate = (body?: unknown) => t.app.inject({ method: 'POST', url: '/api/mesh/predictions/generate', headers: ops, ...(body ? { payload: body } : {}) });
const list = (query = '') => t.app.inject({ method: 'GET', url: `/api/mesh/predictions${query}`, headers: ops });

test('generate: one signed prediction per segment, each verifying with the published keys, published to the outbox and the gauges', async () => {
  const lastMade = async () => /^molam_mesh_prediction_last_made_timestamp_seconds (\S+)$/m.exec((await t.app.inject({ method: 'GET', url: '/metrics' })).body)?.[1];
  assert.equal(await lastMade(), '0', 'none made yet');
  const res = await generate();
  assert.equal(res.statusCode, 201, res.body);
  const body = res.json();
  assert.equal(body.window_to, '2026-11-02T12:00:00.000Z');
  assert.equal(body.window_from, '2026-11-02T11:00:00.000Z');
  const byProvider = Object.fromEntries(body.items.map((p: { provider: string }) => [p.provider, p]));
  assert.deepEqual(Object.keys(byProvider).sort(), ['orange_money', 'wave']);
  const wave = byProvider.wave;
  const orange = byProvider.orange_money;
  assert.deepEqual([wave.region, wave.currency, wave.method], ['ECOWAS', 'XOF', 'wallet']);
  assert.equal(wave.features.succeeded, 19);
  assert.equal(orange.features.technical_failures, 12);
  assert.ok(wave.score > 80 && orange.score < 40, `${wave.score} ${orange.score}`);
  // Each JWS verifies with the JWK set alone.
  const keys = (await t.app.inject({ method: 'GET', url: '/api/mesh/keys', headers: ops })).json();
  assert.equal(keys.keys.length, 1);
  for (const p of body.items) {
    const jwk = keys.keys.find((k: JWK) => k.kid === p.kid);
    const { payload } = await jwtVerify(p.jws, await importJWK(jwk, 'EdDSA'), { currentDate: new Date(clock) });
    assert.equal(payload.pid, p.id);
    assert.equal(payload.score, p.score);
  }
  const topics = await t.platform.state.query<{ topic: string; event_type: string; payload: { id: string; jws: string } }>(
    "SELECT topic, event_type, payload FROM kafka_outbox WHERE topic = 'mesh.predictions' ORDER BY id");
  assert.deepEqual(topics.map((r) => [r.topic, r.event_type]), [['mesh.predictions', 'mesh.prediction.generated'], ['mesh.predictions', 'mesh.prediction.generated']]);
  assert.deepEqual(topics.map((r) => r.payload.jws).sort(), body.items.map((p: { jws: string }) => p.jws).sort());
  const metrics = await t.app.inject({ method: 'GET', url: '/metrics' });
  assert.match(metrics.body, new RegExp(`molam_mesh_prediction_confidence\\{provider="wave",region="ECOWAS",currency="XOF",method="wallet"\\} ${wave.confidence}\\n`));
  assert.equal(await lastMade(), String(T / 1000), 'the staleness alert\'s input: when the newest prediction was made');
  // Filters: another region predicts nothing.
  assert.deepEqual((await generate({ region: 'EU' })).json().items, []);
  assert.equal((await generate({ region: 'MARS' })).statusCode, 400);
});

test('GET /predictions: the newest verified per segment; a tampered one is refused with its code', async () => {
  const res = await list('?region=ECOWAS&currency=XOF');
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json().items.map((p: { provider: string }) => p.provider).sort(), ['orange_money', 'wave']);
  assert.deepEqual(res.json().refused, []);
  const orange = res.json().items.find((p: { provider: string }) => p.provider === 'orange_money');
  await t.platform.state.query('UPDATE mesh_predictions SET score = 95 WHERE id = $1', [orange.id]);
  const after = (await list()).json();
  assert.deepEqual(after.items.map((p: { provider: string }) => p.provider), ['wave']);
  assert.deepEqual(after.refused.map((r: { id: string; code: string }) => [r.id, r.code]), [[orange.id, 'prediction_signature_invalid']]);
  assert.deepEqual((await list('?provider=wave')).json().refused, []);
  // Read-only roles read; they cannot generate.
  const compliance = bearer(await mintToken({ roles: ['mesh_compliance'] }));
  assert.equal((await t.app.inject({ method: 'GET', url: '/api/mesh/predictions', headers: compliance })).statusCode, 200);
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/mesh/predictions/generate', headers: compliance })).statusCode, 403);
});

test('keys through the routes: rotate, sign with the new key, retire the old one; a stale prediction is refused', async () => {
  const before = (await t.app.inject({ method: 'GET', url: '/api/mesh/keys', headers: ops })).json();
  const oldKid = before.keys[0].kid;
  clock = T + 60_000;
  const rotated = await t.app.inject({ method: 'POST', url: '/api/mesh/keys/rotate', headers: ops });
  assert.equal(rotated.statusCode, 201, rotated.body);
  const newKid = rotated.json().kid;
  const keys = (await t.app.inject({ method: 'GET', url: '/api/mesh/keys', headers: ops })).json();
  assert.deepEqual(keys.keys.map((k: JWK) => k.kid), [newKid, oldKid]);
  assert.ok(keys.keys.every((k: JWK) => !('d' in k)), 'no private part is published');
  const made = (await generate()).json().items;
  assert.ok(made.length === 2 && made.every((p: { kid: string }) => p.kid === newKid));
  const retired = await t.app.inject({ method: 'POST', url: `/api/mesh/keys/${oldKid}/retire`, headers: ops });
  assert.deepEqual([retired.statusCode, retired.json()], [200, { kid: oldKid, retired: true }]);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/mesh/keys/${oldKid}/retire`, headers: ops })).statusCode, 404);
  const history = (await t.app.inject({ method: 'GET', url: '/api/mesh/keys', headers: ops })).json();
  assert.deepEqual(history.keys.map((k: JWK) => k.kid), [newKid]);
  assert.deepEqual(history.history.map((k: { kid: string; retired_at: string | null }) => [k.kid, k.retired_at !== null]), [[newKid, false], [oldKid, true]]);
  // The newest (new key) verify; past their TTL they are refused as stale.
  assert.equal((await list()).json().items.length, 2);
  clock = T + 60_000 + 601_000;
  const stale = (await list()).json();
  assert.deepEqual(stale.items, []);
  assert.deepEqual(stale.refused.map((r: { code: string }) => r.code), ['prediction_stale', 'prediction_stale']);
  const viewer = bearer(await mintToken({ roles: ['mesh_compliance'] }));
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/mesh/keys/rotate', headers: viewer })).statusCode, 403);
  clock = T;
});

test('a failing provider recovers through exploration: a later window of a few successes raises its score, at a low confidence', async () => {
  clock = T;
  const failing = (await generate({ provider: 'orange_money' })).json().items[0];
  // Two hours later, routing sent orange_money only exploration traffic: six payments, all succeeded.
  clock = T + 2 * 3_600_000;
  const explore = Array.from({ length: 6 }, (_, i) => {
    const txn = `x_orange_${i}`;
    const at = new Date(clock - 40 * MIN + i * 5 * MIN).toISOString();
    const base = { txn_id: txn, merchant_id: 'm_sn', amount: '1000', currency: 'XOF', country: 'SN', occurred_at: at };
    return [{ ...base, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', payment_method: 'wallet', provider: 'orange_money' },
      { ...base, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: '15' }];
  }).flat();
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(explore) })).json().accepted, 12);
  const recovered = (await generate({ provider: 'orange_money' })).json().items[0];
  assert.ok(recovered.score > failing.score + 30, `${failing.score} → ${recovered.score}`);
  assert.ok(recovered.confidence < failing.confidence && recovered.confidence < 0.25, `${failing.confidence} → ${recovered.confidence}`);
  assert.equal(recovered.features.attempts, 6);
  clock = T;
});

test('the scheduled part: the evaluator role runs it (and ROLE=all); the api and consumer roles do not', () => {
  const base = { DEMO: false, KAFKA_BROKERS: '' };
  assert.ok(partsFor({ ...base, ROLE: 'evaluator' }).includes('mesh-predictions'));
  assert.ok(partsFor({ ...base, ROLE: 'all' }).includes('mesh-predictions'));
  assert.ok(!partsFor({ ...base, ROLE: 'api' }).includes('mesh-predictions'));
  assert.ok(!partsFor({ ...base, ROLE: 'consumer' }).includes('mesh-predictions'));
});

test('the scheduled part, started, predicts at once', async () => {
  const app = await openTempApp({ now: () => T });
  try {
    const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(events('b', T)) });
    assert.equal(res.json().accepted, 80);
    const count = async () => (await app.platform.state.query<{ n: number }>('SELECT count(*)::int AS n FROM mesh_predictions'))[0].n;
    assert.equal(await count(), 0);
    await startParts(app.app, ['mesh-predictions']);
    // Its first run starts with it, in the background: wait for its rows (not for a duration).
    for (let i = 0; i < 600 && (await count()) < 2; i++) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await count(), 2);
  } finally {
    await app.close();
  }
});

test('one replica at a time: while another holds the lock, a run does nothing', { skip: !(await postgresReachable()) && 'no PostgreSQL at 127.0.0.1:5432' }, async () => {
  const backend = postgresBackend();
  const [a, b] = [await backend.open('lock'), await backend.open('lock')];
  try {
    assert.equal(await a.tryLock(MESH_PREDICTIONS_LOCK), true);
    const scheduled = createMeshPredictions({
      store: t.platform.store, state: b, dims: { regions: t.platform.regions, get dict() { return t.platform.engine!.dict; } }, ring: createKeyRing(),
      now: () => T, eventTopics: null, windowMinutes: 60, ttlSeconds: 600, minAttempts: 5, everyMs: 60_000, log: createLogger('silent'),
    });
    assert.equal(await scheduled.runNow(), null);
    await a.unlock(MESH_PREDICTIONS_LOCK);
    assert.equal(await scheduled.runNow(), 2);
    await scheduled.stop();
  } finally {
    await a.close();
    await b.close();
    await backend.cleanup();
  }
});
