// From the store to a governed proposal, over HTTP: events ingested → predictions generated →
// POST /api/mesh/proposals/generate orders the table's providers by them (through createProposal:
// stored, the policy applied) → POST /api/mesh/proposals/{id}/simulate replays the traffic against
// it and keeps the result, the uplift the events show; each operator action in the action log.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { activeMember, caller, people, route, setTable, type People } from './mesh-support.ts';

const MIN = 60_000;
const T = Date.parse('2026-11-02T12:00:30Z');
let t: TempApp;
let p: People;

/** SN/XOF wallet over the last hour: wave succeeds 19 times out of 20, orange_money 8 out of 20 (the rest time out). */
function events() {
  const out: unknown[] = [];
  for (let i = 0; i < 20; i++) {
    for (const provider of ['wave', 'orange_money']) {
      const txn = `ph_${provider}_${i}`;
      const created = T - 50 * MIN + i * 2 * MIN;
      const base = { txn_id: txn, merchant_id: 'm_sn', amount: '1000', currency: 'XOF', country: 'SN' };
      out.push({ ...base, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', payment_method: 'wallet', provider, occurred_at: new Date(created).toISOString() });
      const fails = provider === 'wave' ? i === 0 : i < 12;
      out.push(fails
        ? { ...base, event_id: `${txn}_f`, type: 'wallet_txn_failed', failure_reason: 'timeout', occurred_at: new Date(created + 30_000).toISOString() }
        : { ...base, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: provider === 'wave' ? '10' : '20', occurred_at: new Date(created + 20_000).toISOString() });
    }
  }
  return out;
}

before(async () => {
  t = await openTempApp({ now: () => T });
  p = await people();
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(events()) });
  assert.equal(res.json().accepted, 80, res.body);
  await activeMember(t, p, 'wave');
  await activeMember(t, p, 'orange_money');
  await setTable(t, p, [route('wallet', 0, null, 'orange_money', 'wave')], 0);
});
after(async () => { await t.close(); });

test('predictions → a generated proposal → its simulation, each action logged', async () => {
  const call = caller(t);
  const made = await call('POST', '/api/mesh/predictions/generate', p.ana, { region: 'ECOWAS' });
  assert.equal(made.statusCode, 201, made.body);
  const ids = Object.fromEntries(made.json().items.map((x: { provider: string; id: string }) => [x.provider, x.id]));

  const gen = await call('POST', '/api/mesh/proposals/generate', p.ana, { region: 'ECOWAS', currency: 'XOF' });
  assert.equal(gen.statusCode, 201, gen.body);
  const proposal = gen.json().proposal;
  assert.equal(proposal.base_version, 1);
  // orange_money scores under 40: eliminated, not kept as a fallback.
  assert.deepEqual(proposal.routes, [route('wallet', 0, null, 'wave')]);
  assert.match(proposal.rationale[0].note, /eliminated under 40: orange_money/);
  assert.deepEqual(proposal.rationale[0].prediction_ids.sort(), [ids.wave, ids.orange_money].sort());
  assert.ok(proposal.confidence > 0 && proposal.confidence < 1);
  assert.equal(gen.json().policy.outcome, 'pending_approval');

  const sim = await call('POST', `/api/mesh/proposals/${proposal.id}/simulate?hours=1`, p.ana);
  assert.equal(sim.statusCode, 200, sim.body);
  const seg = sim.json().segments[0];
  assert.deepEqual([seg.current_primary, seg.proposed_primary, seg.attempts, seg.volume_minor], ['orange_money', 'wave', 40, '40000']);
  // Had all 40 gone to wave (19/20) instead of orange_money (8/20): 22 more succeeded; fees 1% vs 2% of what succeeded.
  assert.equal(seg.change.succeeded, 22);
  assert.equal(seg.change.succeeded_volume_minor, 22_000);
  assert.equal(seg.change.fees_minor, Math.round(38_000 * 0.01) - Math.round(16_000 * 0.02));
  const [kept] = await t.platform.state.query<{ simulation: { segments: Array<{ change: { succeeded: number } }> } }>(
    'SELECT simulation FROM mesh_proposals WHERE id = $1', [proposal.id]);
  assert.equal(kept.simulation.segments[0].change.succeeded, 22);
  assert.equal((await call('POST', '/api/mesh/proposals/prop_nope/simulate', p.ana)).statusCode, 404);
  assert.equal((await call('POST', `/api/mesh/proposals/${proposal.id}/simulate`, p.cea)).statusCode, 403);

  const rotated = await call('POST', '/api/mesh/keys/rotate', p.ana);
  assert.equal(rotated.statusCode, 201);
  const actions = (await call('GET', '/api/mesh/actions?limit=20', p.ana)).json().items.map((a: { action: string; actor: string }) => `${a.action}/${a.actor}`);
  for (const a of ['predictions.generated/ana', 'proposal.created/ana', 'proposal.simulated/ana', 'key.rotated/ana']) assert.ok(actions.includes(a), `${a} in ${actions}`);
});

test('nothing to propose: no verified prediction, or the predicted order is the current one', async () => {
  const call = caller(t);
  const none = await call('POST', '/api/mesh/proposals/generate', p.ana, { region: 'EU', currency: 'EUR' });
  assert.deepEqual([none.statusCode, none.json().proposal, none.json().reason], [200, null, 'no verified prediction for this table']);
  const band = await call('POST', '/api/mesh/proposals/generate', p.ana, { region: 'ECOWAS', currency: 'XOF', min_amount: 5000, max_amount: 1000 });
  assert.equal(band.statusCode, 400);
  await setTable(t, p, [route('wallet', 0, null, 'wave')], 1);
  const same = await call('POST', '/api/mesh/proposals/generate', p.ana, { region: 'ECOWAS', currency: 'XOF' });
  assert.equal(same.statusCode, 200, same.body);
  assert.deepEqual([same.json().proposal, same.json().unchanged], [null, [route('wallet', 0, null, 'wave')]]);
});
