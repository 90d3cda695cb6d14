// The mesh's answers against the OpenAPI document: for a success and the refusals of each mesh
// route, the status is documented, the body validates against its documented schema, and it is
// exactly what the handler returned (a field the response schema drops fails).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { OpenApiContract } from '../support/openapi-contract.ts';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { activeMember, caller, freshKey, people, route, type People } from './mesh-support.ts';
import { bearer, mintToken } from '../support/tokens.ts';

let t: TempApp;
let p: People;
const contract = new OpenApiContract();
const conforms = contract.conforms.bind(contract);

before(async () => {
  t = await openTempApp({
    beforeStart: contract.record,
  });
  p = await people();
  await contract.load((o) => t.inject(o));
});
after(async () => { await t.close(); });

test('every mesh route answers as documented', async () => {
  const call = caller(t);
  const member = (await call('POST', '/api/mesh/members', p.ana, { provider: 'wave', name: 'Wave', kind: 'psp', region: 'ECOWAS', currencies: ['XOF'] })).json().id;
  conforms(await call('POST', `/api/mesh/members/${member}/approve`, p.ana), 'POST', '/api/mesh/members/{id}/approve', 403);
  conforms(await call('POST', `/api/mesh/members/${member}/approve`, p.cea), 'POST', '/api/mesh/members/{id}/approve', 200);
  conforms(await call('POST', `/api/mesh/members/${member}/approve`, p.cea), 'POST', '/api/mesh/members/{id}/approve', 409);
  conforms(await call('POST', `/api/mesh/members/${member}/approve`, p.ben), 'POST', '/api/mesh/members/{id}/approve', 200);
  await activeMember(t, p, 'orange_money');
  conforms(await call('POST', '/api/mesh/members', p.ana, { provider: 'ecobank', name: 'Ecobank', kind: 'bank', region: 'ECOWAS', currencies: ['XOF'] }),
    'POST', '/api/mesh/members', 201);
  conforms(await call('GET', '/api/mesh/members?region=ECOWAS', p.viewer), 'GET', '/api/mesh/members', 200);
  conforms(await call('GET', '/api/mesh/regions', p.viewer), 'GET', '/api/mesh/regions', 200);
  await t.platform.state.query(
    "INSERT INTO mesh_liquidity_pools (id, region, currency, provider, balance_minor, updated_at) VALUES ('lp_1', 'ECOWAS', 'XOF', 'wave', 9007199254740993, now())");
  const pools = await call('GET', '/api/mesh/pools?region=ECOWAS', p.viewer);
  conforms(pools, 'GET', '/api/mesh/pools', 200);
  assert.equal(pools.json().items[0].balance_minor, '9007199254740993', 'a balance beyond 2^53 is exact');

  conforms(await call('POST', '/api/mesh/policies', p.ana, { region: 'ECOWAS', mode: 'approval_required', limits: { max_canary_percent: 10 } }),
    'POST', '/api/mesh/policies', 201);
  conforms(await call('GET', '/api/mesh/policies', p.viewer), 'GET', '/api/mesh/policies', 200);

  const table = (body: object, key = freshKey()) => call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana, body, key);
  conforms(await table({ base_version: 0, routes: [route('*', 0, null, 'ghost')] }), 'PUT', '/api/mesh/routing/{region}/{currency}', 422);
  conforms(await table({ base_version: 0, routes: [route('*', 0, null, 'wave')] }), 'PUT', '/api/mesh/routing/{region}/{currency}', 200);
  conforms(await table({ base_version: 0, routes: [route('*', 0, null, 'wave')] }), 'PUT', '/api/mesh/routing/{region}/{currency}', 409);
  const noKey = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana, { base_version: 1, routes: [] });
  conforms(noKey, 'PUT', '/api/mesh/routing/{region}/{currency}', 400);
  conforms(await call('GET', '/api/mesh/routing', p.viewer), 'GET', '/api/mesh/routing', 200);
  conforms(await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer), 'GET', '/api/mesh/routing/{region}/{currency}', 200);
  conforms(await call('GET', '/api/mesh/routing/EU/EUR', p.viewer), 'GET', '/api/mesh/routing/{region}/{currency}', 404);

  const made = await call('POST', '/api/mesh/proposals', p.ana, {
    region: 'ECOWAS', currency: 'XOF', base_version: 1, confidence: 0.7, routes: [route('*', 0, null, 'orange_money', 'wave')],
    rationale: [{ method: '*', min_amount: 0, max_amount: null, prediction_ids: ['pr_1'], note: 'wave degraded' }],
  });
  conforms(made, 'POST', '/api/mesh/proposals', 201);
  const id = made.json().proposal.id;
  conforms(await call('POST', '/api/mesh/proposals', p.ana, { region: 'ECOWAS', currency: 'XOF', base_version: 0, routes: [route('*', 0, null, 'wave')] }),
    'POST', '/api/mesh/proposals', 409);
  conforms(await call('POST', `/api/mesh/proposals/${id}/approve`, p.ana, undefined, freshKey()), 'POST', '/api/mesh/proposals/{id}/approve', 403);
  conforms(await call('POST', `/api/mesh/proposals/${id}/rollback`, p.ben), 'POST', '/api/mesh/proposals/{id}/rollback', 409);
  conforms(await call('POST', `/api/mesh/proposals/${id}/approve`, p.ben, { comment: 'ok' }, freshKey()), 'POST', '/api/mesh/proposals/{id}/approve', 200);
  conforms(await call('POST', `/api/mesh/proposals/${id}/reject`, p.ben), 'POST', '/api/mesh/proposals/{id}/reject', 409);
  conforms(await call('POST', `/api/mesh/proposals/${id}/rollback`, p.ben, { reason: 'test' }), 'POST', '/api/mesh/proposals/{id}/rollback', 200);
  conforms(await call('GET', `/api/mesh/proposals/${id}`, p.viewer), 'GET', '/api/mesh/proposals/{id}', 200);
  conforms(await call('GET', '/api/mesh/proposals/prop_none', p.viewer), 'GET', '/api/mesh/proposals/{id}', 404);
  conforms(await call('GET', '/api/mesh/proposals?status=rolled_back&limit=1', p.viewer), 'GET', '/api/mesh/proposals', 200);
  const second = (await call('POST', '/api/mesh/proposals', p.ana, { region: 'ECOWAS', currency: 'XOF', base_version: 3, routes: [route('*', 0, null, 'wave')] })).json();
  conforms(await call('POST', `/api/mesh/proposals/${second.proposal.id}/reject`, p.ana, { reason: 'withdrawn' }), 'POST', '/api/mesh/proposals/{id}/reject', 200);

  const actions = await call('GET', '/api/mesh/actions?limit=2', p.viewer);
  conforms(actions, 'GET', '/api/mesh/actions', 200);
  assert.ok(actions.json().next_cursor);
  conforms(await call('GET', '/api/mesh/actions?cursor=nope', p.viewer), 'GET', '/api/mesh/actions', 400);
});

test('the decision side answers as documented: route, kill switches, canaries', async () => {
  const call = caller(t);
  const router = bearer(await mintToken({ sub: 'payments-svc', roles: ['mesh:route'] }));
  const decide = (payload: object) => t.app.inject({ method: 'POST', url: '/api/mesh/route', headers: router, payload });
  const payment = { currency: 'XOF', amount: 5000, country: 'SN', method: 'card', payment_id: 'pay_doc' };
  conforms(await decide(payment), 'POST', '/api/mesh/route', 503);
  await t.app.parts.start(['mesh-routing']);
  conforms(await decide(payment), 'POST', '/api/mesh/route', 200);
  conforms(await decide({ ...payment, currency: 'EUR', country: 'FR' }), 'POST', '/api/mesh/route', 404);

  conforms(await call('POST', '/api/mesh/kill-switch/EU/EUR', p.ana, { reason: 'incident' }), 'POST', '/api/mesh/kill-switch/{region}/{currency}', 409);
  conforms(await call('POST', '/api/mesh/kill-switch/ECOWAS/XOF', p.ana, { reason: 'incident' }), 'POST', '/api/mesh/kill-switch/{region}/{currency}', 201);
  conforms(await call('GET', '/api/mesh/kill-switches', p.viewer), 'GET', '/api/mesh/kill-switches', 200);
  conforms(await decide(payment), 'POST', '/api/mesh/route', 200);
  const reset = () => t.app.inject({ method: 'DELETE', url: '/api/mesh/kill-switch/ECOWAS/XOF', headers: p.ana });
  conforms(await reset(), 'DELETE', '/api/mesh/kill-switch/{region}/{currency}', 200);
  conforms(await reset(), 'DELETE', '/api/mesh/kill-switch/{region}/{currency}', 404);

  const rule = await t.inject({
    method: 'POST', url: '/api/analytics/alerts/rules',
    payload: { name: 'canary guard', metric: 'failed_count', window_minutes: 15, condition: { type: 'threshold', op: '>=', value: 10 } },
  });
  const version = (await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer)).json().current.version;
  const id = (await call('POST', '/api/mesh/proposals', p.ana, { region: 'ECOWAS', currency: 'XOF', base_version: version, routes: [route('*', 0, null, 'orange_money')] })).json().proposal.id;
  const canary = (percent: number) => call('POST', `/api/mesh/proposals/${id}/canary`, p.ana, { percent, alert_rule_id: Number(rule.json().id) });
  conforms(await canary(50), 'POST', '/api/mesh/proposals/{id}/canary', 422);
  conforms(await canary(10), 'POST', '/api/mesh/proposals/{id}/canary', 200);
  conforms(await canary(10), 'POST', '/api/mesh/proposals/{id}/canary', 409);
  conforms(await call('POST', `/api/mesh/proposals/${id}/canary/stop`, p.ana), 'POST', '/api/mesh/proposals/{id}/canary/stop', 200);
  conforms(await call('POST', `/api/mesh/proposals/${id}/canary/stop`, p.ana), 'POST', '/api/mesh/proposals/{id}/canary/stop', 409);
});
