// The decision API with the governance side, over HTTP: a static table set, a proposal approved,
// a canary approved as it is — each seen by the next decision at once (the change notifier, no
// timer: MESH_SNAPSHOT_REFRESH_MS is an hour here); a canary whose table moved on stops being
// routed by and is superseded; the policy's max_canary_percent caps a canary.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { activeMember, caller, freshKey, people, route, setTable, type People } from './mesh-support.ts';

let t: TempApp;
let p: People;
let call: ReturnType<typeof caller>;
let router: Record<string, string>;

before(async () => {
  t = await openTempApp({ env: { MESH_SNAPSHOT_REFRESH_MS: '3600000' }, parts: ['mesh-routing'] });
  p = await people();
  call = caller(t);
  router = bearer(await mintToken({ sub: 'payments-svc', roles: ['mesh:route'] }));
  for (const provider of ['wave', 'orange_money', 'ecobank']) await activeMember(t, p, provider);
});
after(async () => { await t.close(); });

const decide = async (paymentId: string) => {
  const res = await t.app.inject({
    method: 'POST', url: '/api/mesh/route', headers: router,
    payload: { currency: 'XOF', amount: 5000, country: 'SN', method: 'mobile_money', payment_id: paymentId },
  });
  assert.equal(res.statusCode, 200, res.body);
  return res.json() as { providers: string[]; version: number; reason: string; proposal_id: string | null };
};

async function propose(providers: string[], base: number): Promise<string> {
  const res = await call('POST', '/api/mesh/proposals', p.ana, { region: 'ECOWAS', currency: 'XOF', base_version: base, routes: [route('*', 0, null, ...providers)], confidence: 0.5 });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().proposal.id;
}

const ids = Array.from({ length: 400 }, (_, i) => `pay_g${i}`);

test('governance changes reach the decisions at once; an approved canary is applied; a stale one superseded', async () => {
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/mesh/route', headers: router, payload: { currency: 'XOF', amount: 1, country: 'SN', method: 'card', payment_id: 'x' } })).statusCode, 404);
  assert.equal(await setTable(t, p, [route('*', 0, null, 'wave', 'ecobank')], 0), 1);
  assert.deepEqual((await decide('pay_1')).providers, ['wave', 'ecobank'], 'the static table, without waiting for the timer');

  const first = await propose(['orange_money', 'wave'], 1);
  const canary = await t.app.inject({ method: 'POST', url: `/api/mesh/proposals/${first}/canary`, headers: p.ana, payload: { percent: 50, alert_rule_id: await ruleId() } });
  assert.equal(canary.statusCode, 200, canary.body);
  const split = await Promise.all(ids.map(decide));
  assert.ok(split.some((d) => d.reason === 'canary') && split.some((d) => d.reason === 'exploitation'));
  for (const d of split) assert.deepEqual(d.providers, d.reason === 'canary' ? ['orange_money', 'wave'] : ['wave', 'ecobank']);

  // Approved as it is (by another operator): applied for every payment, the canary over.
  const approved = await call('POST', `/api/mesh/proposals/${first}/approve`, p.ben, undefined, freshKey());
  assert.equal(approved.statusCode, 200, approved.body);
  assert.equal(approved.json().status, 'applied');
  for (const d of await Promise.all(ids.map(decide))) assert.deepEqual([d.version, d.reason, d.providers], [2, 'exploitation', ['orange_money', 'wave']]);

  // A canary whose table moves on under it is no longer routed by, then superseded by the watch.
  const second = await propose(['ecobank', 'orange_money'], 2);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/mesh/proposals/${second}/canary`, headers: p.ana, payload: { percent: 90, alert_rule_id: await ruleId() } })).statusCode, 200);
  assert.ok((await Promise.all(ids.map(decide))).some((d) => d.reason === 'canary'));
  assert.equal(await setTable(t, p, [route('*', 0, null, 'ecobank', 'wave')], 2), 3);
  for (const d of await Promise.all(ids.map(decide))) assert.deepEqual([d.version, d.reason], [3, 'exploitation']);
  assert.deepEqual(await t.app.meshCanaryWatch.checkNow(), [], 'nothing fired: nothing rolled back');
  const [row] = await t.platform.state.query<{ status: string; decided_by: string }>('SELECT status, decided_by FROM mesh_proposals WHERE id = $1', [second]);
  assert.deepEqual({ ...row }, { status: 'superseded', decided_by: 'system' });
  const actions = await t.platform.state.query<{ action: string }>(`SELECT action FROM mesh_actions WHERE target = $1 ORDER BY id`, [`proposal:${second}`]);
  assert.deepEqual(actions.map((a) => a.action), ['proposal.created', 'canary.started', 'canary.superseded']);
});

test('the table\'s policy caps a canary\'s percentage', async () => {
  const policy = await call('POST', '/api/mesh/policies', p.ana, { region: 'ECOWAS', currency: 'XOF', mode: 'approval_required', limits: { max_canary_percent: 20 } });
  assert.equal(policy.statusCode, 201, policy.body);
  const id = await propose(['wave', 'orange_money'], 3);
  const tooBig = await t.app.inject({ method: 'POST', url: `/api/mesh/proposals/${id}/canary`, headers: p.ana, payload: { percent: 21, alert_rule_id: await ruleId() } });
  assert.equal(tooBig.statusCode, 422);
  assert.deepEqual([tooBig.json().code, tooBig.json().max_canary_percent], ['canary_above_policy', 20]);
  assert.equal((await t.app.inject({ method: 'POST', url: `/api/mesh/proposals/${id}/canary`, headers: p.ana, payload: { percent: 20, alert_rule_id: await ruleId() } })).statusCode, 200);
});

let rule: number | null = null;
async function ruleId(): Promise<number> {
  if (rule !== null) return rule;
  const res = await t.inject({
    method: 'POST', url: '/api/analytics/alerts/rules',
    payload: { name: 'canary guard', metric: 'failed_count', window_minutes: 15, condition: { type: 'threshold', op: '>=', value: 10 } },
  });
  assert.equal(res.statusCode, 201, res.body);
  rule = Number(res.json().id);
  return rule;
}
