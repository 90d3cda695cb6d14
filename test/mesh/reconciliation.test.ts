// Reconciliation of routing changes (src/mesh/reconciliation.ts): a proposal moves ECOWAS/XOF's
// wallet payments from wave (an ECOWAS member) to orange_money (a GLOBAL member). The money
// expected to move is the succeeded volume the moved traffic carried the day before — computed
// here from the events as made —, the liquidity pools move by it, and once the day after is over
// the item is matched when orange_money then carried that much, unmatched when it carried far
// less. Each version is recorded once, however many passes and replicas; a later version cuts
// the window short and the expectation with it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { activeMember, caller, freshKey, people, route, setTable, type People } from './mesh-support.ts';
import { matches, movesBetween } from '../../src/mesh/reconciliation.ts';
import { partsFor } from '../../src/start-parts.ts';

const HOUR = 3_600_000;
const T = Date.parse('2026-11-10T00:00:00Z');
let clock = T;
let t: TempApp;
let p: People;
let n = 0;

/** Payments of one provider, one an hour over [from, from + hours), all succeeded, in Senegal (ECOWAS), XOF wallet. */
function payments(provider: string, from: number, hours: number, amount: number, currency = 'XOF', country = 'SN'): { events: unknown[]; volume: number } {
  const events: unknown[] = [];
  for (let h = 0; h < hours; h++) {
    const at = from + h * HOUR + 60_000;
    const txn = `rec_${++n}`;
    const base = { txn_id: txn, merchant_id: 'm_rec', amount: String(amount), currency, country };
    events.push({ ...base, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', payment_method: 'wallet', provider, occurred_at: new Date(at).toISOString() });
    events.push({ ...base, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: '10', occurred_at: new Date(at + 10_000).toISOString() });
  }
  return { events, volume: hours * amount };
}

async function ingest(events: unknown[]) {
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(events) });
  assert.equal(res.json().accepted, events.length, res.body);
}

/** A proposal drafted by ana on top of `base`, approved by ben; returns the version it made. */
async function applied(routes: unknown[], base: number, table = 'ECOWAS/XOF'): Promise<number> {
  const call = caller(t);
  const [region, currency] = table.split('/');
  const made = await call('POST', '/api/mesh/proposals', p.ana, { region, currency, base_version: base, routes, confidence: 0.5 });
  assert.equal(made.statusCode, 201, made.body);
  const id = made.json().proposal.id;
  const ok = await call('POST', `/api/mesh/proposals/${id}/approve`, p.ben, {}, freshKey());
  assert.equal(ok.statusCode, 200, ok.body);
  return ok.json().applied_version;
}

const list = async (query = '') => (await caller(t)('GET', `/api/mesh/reconciliations${query}`, p.viewer)).json();

before(async () => {
  t = await openTempApp({ now: () => clock });
  p = await people();
  await activeMember(t, p, 'wave', 'ECOWAS', ['XOF']);
  await activeMember(t, p, 'orange_money', 'GLOBAL', ['XOF']);
});
after(async () => { await t.close(); });

test('the moves between two versions: per cell whose primary changed, all its succeeded volume, per provider pair', () => {
  const before = [{ method: 'wallet', minAmount: 0, maxAmount: null, providers: ['wave', 'orange_money'] },
    { method: 'card', minAmount: 0, maxAmount: null, providers: ['ecobank'] }];
  const after = [{ method: 'wallet', minAmount: 0, maxAmount: 5000, providers: ['orange_money', 'wave'] },
    { method: 'wallet', minAmount: 5000, maxAmount: null, providers: ['wave'] },
    { method: 'card', minAmount: 0, maxAmount: null, providers: ['ecobank'] }];
  const cell = (method: string, min: number, max: number | null, provider: string, v: number) =>
    ({ method, minAmount: min, maxAmount: max, provider, succeededVolumeMinor: BigInt(v) });
  const moves = movesBetween(before, after, [
    cell('wallet', 0, 5000, 'wave', 700), cell('wallet', 0, 5000, 'orange_money', 300), // moved: wave → orange_money, 1,000
    cell('wallet', 5000, null, 'wave', 9000), // wave stays primary
    cell('card', 0, null, 'ecobank', 4000), // unchanged
  ]);
  assert.deepEqual(moves, [{ from: 'wave', to: 'orange_money', cells: [{ method: 'wallet', minAmount: 0, maxAmount: 5000 }], expectedMinor: 1000n }]);
  assert.equal(matches(1000n, 1100n, 10), true);
  assert.equal(matches(1000n, 1101n, 10), false);
  assert.equal(matches(1000n, 900n, 10), true);
  assert.equal(matches(1000n, 899n, 0), false);
});

test('a change recorded once, pools moved, then matched once the day after shows the new primary carried it', async () => {
  const day = payments('wave', T - 24 * HOUR, 24, 2500);
  const earlier = payments('wave', T - 30 * HOUR, 6, 2500); // before the window: not expected
  await ingest([...day.events, ...earlier.events]);
  const v1 = await setTable(t, p, [route('wallet', 0, null, 'wave', 'orange_money')], 0);
  const v2 = await applied([route('wallet', 0, null, 'orange_money', 'wave')], v1);
  assert.equal(v2, 2);

  // Twice, as two evaluator passes (or replicas) would: one item.
  assert.deepEqual(await t.app.meshReconciler.runNow(), { recorded: 1, settled: 0 });
  assert.deepEqual(await t.app.meshReconciler.runNow(), { recorded: 0, settled: 0 });
  let page = await list();
  assert.equal(page.items.length, 1);
  const [item] = page.items;
  assert.equal(item.status, 'pending');
  assert.deepEqual([item.from_provider, item.to_provider, item.from_region, item.to_region, item.cross_region], ['wave', 'orange_money', 'ECOWAS', 'GLOBAL', true]);
  assert.equal(item.expected_minor, String(day.volume));
  assert.equal(item.version, 2);
  assert.ok(item.proposal_id);
  assert.deepEqual(item.cells, [{ method: 'wallet', min_amount: 0, max_amount: null }]);
  const pools = (await caller(t)('GET', '/api/mesh/pools?currency=XOF', p.viewer)).json().items;
  assert.deepEqual(pools.map((x: { region: string; provider: string; balance_minor: string }) => [x.region, x.provider, x.balance_minor]),
    [['ECOWAS', 'wave', String(-day.volume)], ['GLOBAL', 'orange_money', String(day.volume)]]);
  const actions = (await caller(t)('GET', '/api/mesh/actions?action=reconciliation.recorded', p.viewer)).json().items;
  assert.equal(actions.length, 1);

  // The day after: orange_money carries the traffic (a little more), wave a bit of it.
  clock = T + 25 * HOUR;
  const carried = payments('orange_money', T, 24, 2600);
  await ingest([...carried.events, ...payments('wave', T, 2, 2500).events]);
  assert.deepEqual(await t.app.meshReconciler.runNow(), { recorded: 0, settled: 1 });
  page = await list('?status=matched');
  assert.equal(page.items.length, 1);
  assert.equal(page.items[0].observed_minor, String(carried.volume));
  assert.equal(page.items[0].expected_window_minor, String(day.volume));
  assert.deepEqual(page.counts, { pending: 0, matched: 1, unmatched: 0 });
  assert.deepEqual(await t.app.meshReconciler.runNow(), { recorded: 0, settled: 0 });
});

test('the new primary carried far less than expected: unmatched; a later version cuts the window and the expectation', async () => {
  // Another table: CEMAC/XAF in Cameroon.
  await activeMember(t, p, 'mtn_momo', 'CEMAC', ['XAF']);
  await activeMember(t, p, 'airtel', 'CEMAC', ['XAF']);
  const start = clock;
  const day = payments('mtn_momo', start - 24 * HOUR, 24, 1000, 'XAF', 'CM');
  await ingest(day.events);
  const v1 = await setTable(t, p, [route('wallet', 0, null, 'mtn_momo', 'airtel')], 0, 'CEMAC/XAF');
  const v2 = await applied([route('wallet', 0, null, 'airtel', 'mtn_momo')], v1, 'CEMAC/XAF');
  assert.equal((await t.app.meshReconciler.runNow()).recorded, 1);
  // Twelve hours later the table changes again: the window ends there, half the day is expected.
  clock = start + 12 * HOUR;
  await ingest(payments('airtel', start, 12, 200, 'XAF', 'CM').events);
  const v3 = await applied([route('wallet', 0, null, 'mtn_momo', 'airtel')], v2, 'CEMAC/XAF');
  assert.equal(v3, 3);
  clock += 60_000;
  const r = await t.app.meshReconciler.runNow();
  assert.deepEqual(r, { recorded: 1, settled: 1 });
  const items = (await list('?region=CEMAC')).items;
  const first = items.find((i: { version: number }) => i.version === 2);
  assert.equal(first.status, 'unmatched');
  assert.equal(first.cross_region, false);
  assert.equal(first.expected_window_minor, String(day.volume / 2));
  assert.equal(first.observed_minor, String(12 * 200));
  assert.equal(first.window_to, new Date(start + 12 * HOUR).toISOString());
  // The change back moves what the traffic carried in the day before it, whoever carried it:
  // mtn_momo's last twelve hours before v2, then airtel's twelve.
  const second = items.find((i: { version: number }) => i.version === 3);
  assert.deepEqual([second.from_provider, second.to_provider, second.status, second.expected_minor], ['airtel', 'mtn_momo', 'pending', String(12 * 1000 + 12 * 200)]);
});

test('the reconciler runs in the evaluator role (and ROLE=all) only', () => {
  const base = { DEMO: false, KAFKA_BROKERS: '' };
  assert.ok(partsFor({ ...base, ROLE: 'evaluator' }).includes('mesh-reconcile'));
  assert.ok(partsFor({ ...base, ROLE: 'all' }).includes('mesh-reconcile'));
  assert.ok(!partsFor({ ...base, ROLE: 'api' }).includes('mesh-reconcile'));
  assert.ok(!partsFor({ ...base, ROLE: 'consumer' }).includes('mesh-reconcile'));
});
