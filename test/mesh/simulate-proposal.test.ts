// The simulation of a proposal (src/mesh/simulate-proposal.ts) against a recorded day: the
// table's current primary (wave) fails for six hours, orange_money carries a share of the traffic
// all day. Moving the segment to orange_money must predict the uplift the replay shows, computed
// here independently from the events ingested; over the last six hours only (wave healthy) the
// same move is a loss. Traffic of another currency and region, and before the window, is left out.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { simulateProposal } from '../../src/mesh/simulate-proposal.ts';
import type { Route } from '../../src/mesh/model.ts';
import { planProposal, simulateStoredProposal } from '../../src/mesh/proposal-inputs.ts';
import { savePrediction } from '../../src/mesh/predictions-store.ts';
import { createKeyRing } from '../../src/mesh/signing-keys.ts';
import type { SqlParam } from '../../src/state-store/state-store.ts';

const HOUR = 3_600_000;
const END = Date.parse('2026-11-03T00:00:00Z');
const START = END - 24 * HOUR;
let t: TempApp;

interface Made { provider: string; at: number; amount: number; fee: number; ok: boolean }
const made: Made[] = [];

function day(): unknown[] {
  const out: unknown[] = [];
  let n = 0;
  const pay = (provider: string, at: number, amount: number, ok: boolean, place = { currency: 'XOF', country: 'SN' }, track = true) => {
    const txn = `sim_${++n}`;
    const fee = ok ? Math.round(amount * (provider === 'wave' ? 0.01 : 0.02)) : 0;
    const base = { txn_id: txn, merchant_id: 'm_sim', amount: String(amount), ...place };
    out.push({ ...base, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', payment_method: 'wallet', provider, occurred_at: new Date(at).toISOString() });
    out.push(ok ? { ...base, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: String(fee), occurred_at: new Date(at + 15_000).toISOString() }
      : { ...base, event_id: `${txn}_f`, type: 'wallet_txn_failed', failure_reason: provider === 'wave' ? 'provider_unavailable' : 'insufficient_funds', occurred_at: new Date(at + 15_000).toISOString() });
    if (track) made.push({ provider, at, amount, fee, ok });
  };
  for (let h = 0; h < 24; h++) {
    const hour = START + h * HOUR;
    // wave: ten an hour; from 08:00 to 14:00 nine out of ten fail.
    for (let k = 0; k < 10; k++) pay('wave', hour + k * 6 * 60_000, 1000 + k * 100, !(h >= 8 && h < 14 && k !== 0));
    // orange_money: three an hour, one of them fails every fourth hour (the customer's funds).
    for (let k = 0; k < 3; k++) pay('orange_money', hour + k * 20 * 60_000 + 60_000, 2000 + k * 500, !(k === 2 && h % 4 === 0));
  }
  // Not the table's: another currency and region, and before the window.
  pay('wave', START + 3 * HOUR, 5000, false, { currency: 'XAF', country: 'CM' }, false);
  pay('wave', START - HOUR, 5000, false, undefined, false);
  return out;
}

before(async () => {
  t = await openTempApp({ now: () => END + 60_000 });
  const events = day();
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(events) });
  assert.equal(res.json().accepted, events.length, res.body);
});
after(async () => { await t.close(); });

const current: Route[] = [{ method: 'wallet', minAmount: 0, maxAmount: null, providers: ['wave', 'orange_money'] }];
const proposed: Route[] = [{ method: 'wallet', minAmount: 0, maxAmount: null, providers: ['orange_money', 'wave'] }];
const deps = () => ({ store: t.platform.store, dims: { regions: t.platform.regions, get dict() { return t.platform.engine.dict; } } });

/** The figures of one provider over [from, END), from the events as made. */
function observed(provider: string, from: number) {
  const mine = made.filter((m) => m.provider === provider && m.at >= from && m.at < END);
  const ok = mine.filter((m) => m.ok);
  const volume = mine.reduce((s, m) => s + m.amount, 0);
  const okVolume = ok.reduce((s, m) => s + m.amount, 0);
  return { attempts: mine.length, rate: ok.length / mine.length, volumeRate: okVolume / volume, feeRate: ok.reduce((s, m) => s + m.fee, 0) / okVolume, volume };
}

test('a day where the primary fails for six hours: moving to the other provider predicts the uplift the replay shows', async () => {
  const sim = await simulateProposal(deps(), { table: { region: 'ECOWAS', currency: 'XOF' }, current, proposed, now: END });
  assert.equal(sim.hours, 24);
  assert.equal(sim.segments.length, 1);
  const seg = sim.segments[0];
  const wave = observed('wave', START);
  const orange = observed('orange_money', START);
  const attempts = wave.attempts + orange.attempts;
  const volume = wave.volume + orange.volume;
  assert.equal(seg.attempts, attempts);
  assert.equal(attempts, 24 * 13);
  assert.equal(seg.volumeMinor, String(volume));
  assert.deepEqual([seg.currentPrimary, seg.proposedPrimary], ['wave', 'orange_money']);
  // wave: 240 payments, 54 failed (nine an hour for six hours); orange_money: 72, 6 failed.
  assert.equal(wave.rate, 186 / 240);
  assert.equal(orange.rate, 66 / 72);
  assert.ok(Math.abs(seg.current!.successRate - wave.rate) < 1e-6);
  assert.ok(Math.abs(seg.proposed!.successRate - orange.rate) < 1e-6);
  const uplift = attempts * (orange.rate - wave.rate);
  assert.ok(Math.abs(seg.change!.succeeded - uplift) < 0.01, `${seg.change!.succeeded} vs ${uplift}`);
  assert.ok(Math.abs(seg.change!.succeededVolumeMinor - (Math.round(volume * orange.volumeRate) - Math.round(volume * wave.volumeRate))) <= 1);
  const fees = Math.round(Math.round(volume * orange.volumeRate) * orange.feeRate) - Math.round(Math.round(volume * wave.volumeRate) * wave.feeRate);
  assert.ok(Math.abs(seg.change!.feesMinor - fees) <= 1, `${seg.change!.feesMinor} vs ${fees}`);
  assert.ok(Math.abs(seg.observedSuccessRate! - (186 + 66) / attempts) < 1e-6);
  assert.ok(seg.change!.successRate > 0);
});

test('over the last six hours only (the primary healthy), the same move is a loss', async () => {
  const sim = await simulateProposal(deps(), { table: { region: 'ECOWAS', currency: 'XOF' }, current, proposed, now: END, hours: 6 });
  const seg = sim.segments[0];
  const from = END - 6 * HOUR;
  assert.equal(seg.attempts, 6 * 13);
  const expected = seg.attempts * (observed('orange_money', from).rate - observed('wave', from).rate);
  assert.ok(Math.abs(seg.change!.succeeded - expected) < 0.01);
  assert.ok(seg.change!.succeeded < 0);
});

test('bands: a proposal for the upper band sees only its traffic; a primary that carried none is unmeasured', async () => {
  const banded: Route[] = [{ method: 'wallet', minAmount: 2000, maxAmount: null, providers: ['orange_money'] }];
  const sim = await simulateProposal(deps(), { table: { region: 'ECOWAS', currency: 'XOF' }, current, proposed: banded, now: END });
  const seg = sim.segments[0];
  // orange_money's are all ≥ 2000; wave's never reach it (1000–1900).
  assert.equal(seg.attempts, 72);
  assert.deepEqual(seg.providers.map((p) => p.provider), ['orange_money']);
  assert.equal(seg.current, null, 'wave carried nothing in this band');
  assert.equal(seg.change, null);
  const other = await simulateProposal(deps(), { table: { region: 'CEMAC', currency: 'XOF' }, current, proposed, now: END });
  assert.equal(other.segments[0].attempts, 0);
});

test('a stored proposal: simulated against its table\'s current version, the result kept with it; planned from verified predictions', async () => {
  const state = t.platform.state;
  await state.query(
    `INSERT INTO mesh_routing_versions (region, currency, version, kind, routes, created_at, created_by) VALUES ('ECOWAS', 'XOF', 1, 'static', $1, $2, 'test')`,
    [current as unknown as SqlParam, new Date(END)]);
  await state.query(
    `INSERT INTO mesh_proposals (id, region, currency, base_version, routes, rationale, confidence, status, created_at, created_by)
     VALUES ('prop_sim', 'ECOWAS', 'XOF', 1, $1, '[]', 0.9, 'pending_approval', $2, 'test')`,
    [proposed as unknown as SqlParam, new Date(END)]);
  const depsWithState = { ...deps(), state, now: () => END, eventTopics: null };
  const sim = await simulateStoredProposal(depsWithState, 'prop_sim', 24, 'ana');
  assert.ok(sim && sim.segments[0].change!.succeeded > 0);
  const [kept] = await state.query<{ simulation: { segments: Array<{ change: { succeeded: number }; current_primary: string }> } }>(
    'SELECT simulation FROM mesh_proposals WHERE id = $1', ['prop_sim']);
  assert.equal(kept.simulation.segments[0].change.succeeded, sim.segments[0].change!.succeeded);
  assert.equal(kept.simulation.segments[0].current_primary, 'wave');
  assert.equal(await simulateStoredProposal(depsWithState, 'prop_none', 24, 'ana'), null);
  // The plan: from the predictions that verify; a tampered one is not used.
  const ring = createKeyRing();
  const draft = (provider: string, score: number) => ({ provider, region: 'ECOWAS' as const, currency: 'XOF', method: 'wallet', score, confidence: 0.8, features: {}, windowFrom: START, windowTo: END });
  const good = await savePrediction(state, ring, draft('orange_money', 90), END, 600_000);
  const bad = await savePrediction(state, ring, draft('wave', 50), END, 600_000);
  await state.query('UPDATE mesh_predictions SET score = 99 WHERE id = $1', [bad.id]);
  const plan = await planProposal({ state, ring, now: () => END + 1000 }, { region: 'ECOWAS', currency: 'XOF' });
  assert.equal(plan.baseVersion, 1);
  assert.deepEqual(plan.routes, [{ method: 'wallet', minAmount: 0, maxAmount: null, providers: ['orange_money', 'wave'] }]);
  assert.deepEqual(plan.rationale[0].predictionIds, [good.id]);
  assert.match(plan.rationale[0].note, /without a prediction, kept after the predicted: wave/);
});
