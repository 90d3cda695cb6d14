// The decision API's snapshot (src/mesh/routing-snapshot.ts): it sees what another connection
// (another replica) changed once it reads again — by refresh() and by its own timer — on the real
// PostgreSQL; predictions count once verified, a tampered one never, an expired one is dropped at
// the next read.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../../src/log.ts';
import { createRoutingSnapshot } from '../../src/mesh/routing-snapshot.ts';
import { scoreKey, tableKey } from '../../src/mesh/decide-route.ts';
import { createKeyRing } from '../../src/mesh/signing-keys.ts';
import { savePrediction } from '../../src/mesh/predictions-store.ts';
import type { Queryable } from '../../src/state-store/state-store.ts';
import { pgliteBackend, postgresBackend, postgresReachable } from '../support/state-backends.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');
const log = createLogger('silent');
const T0 = Date.parse('2026-11-20T12:00:00Z');
const pgBackend = postgresBackend();
const liteBackend = pgliteBackend();
after(async () => { await pgBackend.cleanup(); await liteBackend.cleanup(); });

const putVersion = (q: Queryable, version: number, kind: string, providers: string[]) => q.query(
  `INSERT INTO mesh_routing_versions (region, currency, version, kind, routes, created_at, created_by) VALUES ('ECOWAS', 'XOF', $1, $2, $3, $4, 'test')`,
  [version, kind, JSON.stringify([{ method: '*', minAmount: 0, maxAmount: null, providers }]), new Date(T0)]);

test('a change made through another connection is seen after a refresh, and by the timer', { skip: !pgUp && 'PostgreSQL unreachable' }, async () => {
  const mine = await pgBackend.open('shared');
  const other = await pgBackend.open('shared');
  const snapshot = createRoutingSnapshot({ state: mine, ring: createKeyRing(), now: () => T0, refreshMs: 3_600_000, log });
  const polled = createRoutingSnapshot({ state: mine, ring: createKeyRing(), now: () => T0, refreshMs: 50, log });
  try {
    await putVersion(other, 1, 'static', ['ecobank']);
    assert.equal(snapshot.current(), null, 'nothing before the first read');
    await snapshot.start();
    await polled.start();
    const key = tableKey('ECOWAS', 'XOF');
    assert.equal(snapshot.current()!.tables.get(key)!.version, 1);

    await putVersion(other, 2, 'proposal', ['wave', 'ecobank']);
    await other.query(`INSERT INTO mesh_kill_switches (region, currency, engaged_at, engaged_by, reason) VALUES ('ECOWAS', 'XOF', $1, 'ops', 'x')`, [new Date(T0)]);
    assert.equal(snapshot.current()!.tables.get(key)!.version, 1, 'not read again yet (no timer within this test)');
    await snapshot.refresh();
    const t = snapshot.current()!.tables.get(key)!;
    assert.deepEqual([t.version, t.staticVersion?.version, t.killSwitch?.engagedBy], [2, 1, 'ops']);

    // The one with a 50 ms timer gets there by itself.
    for (let i = 0; i < 400 && polled.current()!.tables.get(key)!.version !== 2; i++) await new Promise((r) => setTimeout(r, 25));
    assert.equal(polled.current()!.tables.get(key)!.killSwitch?.reason, 'x');
  } finally {
    await snapshot.stop();
    await polled.stop();
    await mine.close();
    await other.close();
  }
});

test('predictions: verified when read, a tampered one never counts, an expired one is dropped at the next read', async () => {
  const state = await liteBackend.open();
  let clock = T0;
  const ring = createKeyRing();
  const snapshot = createRoutingSnapshot({ state, ring, now: () => clock, refreshMs: 3_600_000, log });
  try {
    const draft = { region: 'ECOWAS' as const, currency: 'XOF', method: 'card', confidence: 0.8, features: {}, windowFrom: T0 - 3_600_000, windowTo: T0 };
    await savePrediction(state, ring, { ...draft, provider: 'wave', score: 91 }, T0, 60_000);
    const tampered = await savePrediction(state, ring, { ...draft, provider: 'orange_money', score: 15 }, T0, 600_000);
    await state.query('UPDATE mesh_predictions SET score = 99 WHERE id = $1', [tampered.id]);
    await snapshot.start();
    const scores = () => Object.fromEntries(snapshot.current()!.scores);
    assert.deepEqual(scores(), { [scoreKey('wave', 'ECOWAS', 'XOF', 'card')]: 91 });
    clock = T0 + 61_000;
    await snapshot.changed();
    assert.deepEqual(scores(), {}, 'wave\'s prediction expired');
    const fresh = await savePrediction(state, ring, { ...draft, provider: 'wave', score: 30 }, clock, 60_000);
    await snapshot.changed();
    assert.deepEqual(scores(), { [scoreKey('wave', 'ECOWAS', 'XOF', 'card')]: fresh.score }, 'the newest one');
  } finally {
    await snapshot.stop();
    await state.close();
  }
});
