// The health side's answers against the OpenAPI document (as mesh-openapi.test.ts does for the
// governance): for a success and the refusals of each route, the status is documented, the body
// validates against its documented schema, and it is exactly what the handler returned.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenApiContract } from '../support/openapi-contract.ts';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { activeMember, caller, people, route, setTable, type People } from './mesh-support.ts';

const T = Date.parse('2026-11-02T12:00:30Z');
let t: TempApp;
let p: People;
const contract = new OpenApiContract();
const conforms = contract.conforms.bind(contract);

before(async () => {
  t = await openTempApp({
    now: () => T,
    beforeStart: contract.record,
  });
  p = await people();
  await contract.load((o) => t.inject(o));
  const events: unknown[] = [];
  for (let i = 0; i < 12; i++) {
    for (const [provider, amount] of [['wave', '900'], ['orange_money', '5000']] as const) {
      const txn = `oa_${provider}_${i}`;
      const at = T - 40 * 60_000 + i * 3 * 60_000;
      const base = { txn_id: txn, merchant_id: 'm_sn', amount, currency: 'XOF', country: 'SN' };
      events.push({ ...base, event_id: `${txn}_c`, type: 'wallet_txn_created', status: 'pending', payment_method: 'wallet', provider, occurred_at: new Date(at).toISOString() });
      events.push(i % 4 === 0 && provider === 'orange_money'
        ? { ...base, event_id: `${txn}_f`, type: 'wallet_txn_failed', failure_reason: 'timeout', occurred_at: new Date(at + 9000).toISOString() }
        : { ...base, event_id: `${txn}_s`, type: 'wallet_txn_succeeded', fee: '9', occurred_at: new Date(at + 9000).toISOString() });
    }
  }
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/x-ndjson' }, payload: ndjson(events) })).json().accepted, 48);
  await activeMember(t, p, 'wave');
  await activeMember(t, p, 'orange_money');
  await setTable(t, p, [route('wallet', 0, null, 'orange_money', 'wave')], 0);
});
after(async () => { await t.close(); });

test('every health route answers as documented', async () => {
  const call = caller(t);
  conforms(await call('POST', '/api/mesh/predictions/generate', p.ana), 'POST', '/api/mesh/predictions/generate', 201);
  conforms(await call('POST', '/api/mesh/predictions/generate', p.ana, { region: 'ECOWAS', currency: 'XOF', method: 'wallet', provider: 'wave' }),
    'POST', '/api/mesh/predictions/generate', 201);
  conforms(await call('POST', '/api/mesh/predictions/generate', p.ana, { region: 'NOWHERE' }), 'POST', '/api/mesh/predictions/generate', 400);
  conforms(await call('POST', '/api/mesh/predictions/generate', p.cea), 'POST', '/api/mesh/predictions/generate', 403);
  const [one] = await t.platform.state.query<{ id: string }>("SELECT id FROM mesh_predictions WHERE provider = 'orange_money' LIMIT 1");
  await t.platform.state.query('UPDATE mesh_predictions SET confidence = 1 WHERE id = $1', [one.id]);
  const listed = await call('GET', '/api/mesh/predictions?region=ECOWAS', p.viewer);
  conforms(listed, 'GET', '/api/mesh/predictions', 200);
  assert.equal(listed.json().refused.length, 1);
  conforms(await call('GET', '/api/mesh/predictions?currency=xof', p.viewer), 'GET', '/api/mesh/predictions', 400);
  conforms(await call('GET', '/api/mesh/keys', p.viewer), 'GET', '/api/mesh/keys', 200);
  const rotated = await call('POST', '/api/mesh/keys/rotate', p.ana);
  conforms(rotated, 'POST', '/api/mesh/keys/rotate', 201);
  conforms(await call('POST', '/api/mesh/keys/mk_nope/retire', p.ana), 'POST', '/api/mesh/keys/{kid}/retire', 404);
  conforms(await call('POST', `/api/mesh/keys/${rotated.json().kid}/retire`, p.ana), 'POST', '/api/mesh/keys/{kid}/retire', 200);

  await call('POST', '/api/mesh/predictions/generate', p.ana);
  // A band only orange_money's payments reach: wave (the proposed primary's rival) carried none of it.
  const gen = await call('POST', '/api/mesh/proposals/generate', p.ana, { region: 'ECOWAS', currency: 'XOF', min_amount: 1000, max_amount: null });
  conforms(gen, 'POST', '/api/mesh/proposals/generate', 201);
  conforms(await call('POST', '/api/mesh/proposals/generate', p.ana, { region: 'US', currency: 'USD' }), 'POST', '/api/mesh/proposals/generate', 200);
  conforms(await call('POST', '/api/mesh/proposals/generate', p.ana, { region: 'ECOWAS' }), 'POST', '/api/mesh/proposals/generate', 400);
  const id = gen.json().proposal.id;
  const sim = await call('POST', `/api/mesh/proposals/${id}/simulate?hours=2`, p.ana);
  conforms(sim, 'POST', '/api/mesh/proposals/{id}/simulate', 200);
  assert.equal(sim.json().segments[0].attempts, 12);
  conforms(await call('POST', '/api/mesh/proposals/prop_nope/simulate', p.ana), 'POST', '/api/mesh/proposals/{id}/simulate', 404);
  conforms(await call('POST', `/api/mesh/proposals/${id}/simulate?hours=0`, p.ana), 'POST', '/api/mesh/proposals/{id}/simulate', 400);
  conforms(await call('GET', `/api/mesh/proposals/${id}`, p.viewer), 'GET', '/api/mesh/proposals/{id}', 200);
});
