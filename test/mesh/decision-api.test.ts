// The decision side over HTTP, on a real app (PGlite state store): POST /api/mesh/route answers
// 503 until its snapshot is loaded, then, under 500 concurrent requests, the right version with
// no eliminated provider first except when exploring; kill switch engage/reset (refused without
// a static version); a canary that takes its share and rolls back by itself when its alert rule
// fires through the real alert evaluator — each change in the action log and the outbox.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { createKeyRing } from '../../src/mesh/signing-keys.ts';
import { savePrediction } from '../../src/mesh/predictions-store.ts';
import type { Route } from '../../src/mesh/model.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let clock = NOW;
let t: TempApp;
let router: Record<string, string>;
let ops: Record<string, string>;

const route = (method: string, minAmount: number, maxAmount: number | null, ...providers: string[]): Route => ({ method, minAmount, maxAmount, providers });

async function putVersion(region: string, currency: string, version: number, kind: 'static' | 'proposal', routes: Route[]) {
  await t.platform.state.query(
    `INSERT INTO mesh_routing_versions (region, currency, version, kind, routes, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, 'test')`,
    [region, currency, version, kind, JSON.stringify(routes), new Date(clock)]);
}

const decide = (payment: Record<string, unknown>, headers = router) => t.app.inject({
  method: 'POST', url: '/api/mesh/route', headers,
  payload: { currency: 'XOF', amount: 5000, country: 'SN', method: 'mobile_money', payment_id: 'pay_1', ...payment },
});

before(async () => {
  t = await openTempApp({ now: () => clock, env: { QUERY_MAX_CONCURRENCY: '2', QUERY_QUEUE_LENGTH: '0', MESH_SNAPSHOT_REFRESH_MS: '3600000', WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', ALERT_EVAL_INTERVAL: '3600' } });
  router = bearer(await mintToken({ sub: 'payments-svc', roles: ['mesh:route'] }));
  ops = bearer(await mintToken({ sub: 'ops.dakar', roles: ['mesh_ops'] }));
  // An ops webhook endpoint: mesh_action events are queued for it.
  assert.equal((await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'http://127.0.0.1:9/mesh' } })).statusCode, 201);
  await putVersion('ECOWAS', 'XOF', 1, 'static', [route('*', 0, null, 'ecobank', 'wave')]);
  await putVersion('ECOWAS', 'XOF', 2, 'proposal', [route('*', 0, 100_000, 'orange_money', 'wave', 'ecobank'), route('*', 100_000, null, 'ecobank')]);
  await putVersion('EU', 'EUR', 1, 'proposal', [route('card', 0, null, 'adyen_like')]);
  await putVersion('GLOBAL', 'XOF', 3, 'static', [route('*', 0, null, 'global_psp')]);
  // orange_money's verified health is poor in ECOWAS/XOF mobile money: eliminated.
  const ring = createKeyRing();
  const draft = { region: 'ECOWAS' as const, currency: 'XOF', method: 'mobile_money', confidence: 0.9, features: {}, windowFrom: clock - 3_600_000, windowTo: clock };
  await savePrediction(t.platform.state, ring, { ...draft, provider: 'orange_money', score: 12 }, clock, 3_600_000);
  await savePrediction(t.platform.state, ring, { ...draft, provider: 'wave', score: 95 }, clock, 3_600_000);
});
after(async () => { await t.close(); });

test('503 starting until the snapshot is loaded (the part mesh-routing), then decisions', async () => {
  const early = await decide({});
  assert.equal(early.statusCode, 503);
  assert.equal(early.json().code, 'starting');
  assert.ok(early.headers['retry-after']);
  await t.app.parts.start(['mesh-routing']);
  const res = await decide({});
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), {
    providers: ['wave', 'ecobank', 'orange_money'], region: 'ECOWAS', table_region: 'ECOWAS', version: 2,
    reason: 'exploitation', proposal_id: null, eliminated: ['orange_money'],
  });
});

test('the route needs mesh:route, and answers no_route (404) with what was looked for', async () => {
  assert.equal((await decide({}, bearer(await mintToken({ roles: ['mesh_ops'] })))).statusCode, 403);
  const none = await decide({ currency: 'EUR', country: 'FR', method: 'sepa' });
  assert.equal(none.statusCode, 404);
  assert.equal(none.json().code, 'no_route');
  assert.deepEqual(none.json().looked_in, ['EU', 'GLOBAL']);
  assert.equal((await decide({ amount: 1.5 })).statusCode, 400, 'minor units are integers');
  assert.equal((await decide({ country: 'sn' })).statusCode, 400);
});

test('500 concurrent decisions: the current version, never an eliminated provider first except when exploring', async () => {
  const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => decide({ payment_id: `pay_c${i}`, amount: (i * 997) % 150_000 })));
  const reasons = new Map<string, number>();
  for (const [i, res] of answers.entries()) {
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json();
    assert.equal(d.version, 2);
    reasons.set(d.reason, (reasons.get(d.reason) ?? 0) + 1);
    if (d.reason === 'exploration') assert.equal(d.providers[0], 'orange_money');
    else {
      assert.equal(d.reason, 'exploitation');
      assert.ok(!d.eliminated.includes(d.providers[0]), `payment ${i}: ${res.body}`);
    }
  }
  // 5 % exploration of the payments that have an eliminated provider (amounts below 100,000: 2/3 of them).
  assert.ok((reasons.get('exploration') ?? 0) > 0 && (reasons.get('exploration') ?? 0) < 60, JSON.stringify([...reasons]));
  const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /molam_mesh_routing_latency_seconds_count\{reason="exploitation"\} \d+/);
});

test('decisions never wait behind analytics queries: they are not in the query admission', async () => {
  const places = [await t.app.queryAdmission.enter(), await t.app.queryAdmission.enter()];
  try {
    const analytics = await t.inject({ method: 'GET', url: '/api/mesh/kill-switches', headers: ops });
    assert.equal(analytics.statusCode, 429, 'the gate is full');
    const d = await decide({ payment_id: 'pay_gate' });
    assert.equal(d.statusCode, 200, d.body);
  } finally {
    for (const leave of places) leave();
  }
});

test('a payment its region cannot route goes by the GLOBAL table, counted as cross-border', async () => {
  const res = await decide({ country: 'CM', method: 'card' });
  assert.deepEqual([res.json().region, res.json().table_region, res.json().providers, res.json().version], ['CEMAC', 'GLOBAL', ['global_psp'], 3]);
  const metrics = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /molam_mesh_crossborder_volume_total\{region="CEMAC",currency="XOF"\} 1\b/);
});

test('kill switch: refused without a static version; engaged → the last static version; reset → the current one', async () => {
  const url = '/api/mesh/kill-switch/ECOWAS/XOF';
  assert.equal((await t.app.inject({ method: 'POST', url, headers: router, payload: { reason: 'x' } })).statusCode, 403, 'mesh:route cannot');
  const noStatic = await t.app.inject({ method: 'POST', url: '/api/mesh/kill-switch/EU/EUR', headers: ops, payload: { reason: 'incident' } });
  assert.equal(noStatic.statusCode, 409);
  assert.equal(noStatic.json().code, 'no_static_version');
  assert.equal((await t.app.inject({ method: 'POST', url: '/api/mesh/kill-switch/CEMAC/XAF', headers: ops, payload: { reason: 'incident' } })).json().code, 'no_static_version');

  const engaged = await t.app.inject({ method: 'POST', url, headers: ops, payload: { reason: 'orange outage' } });
  assert.equal(engaged.statusCode, 201, engaged.body);
  assert.deepEqual({ ...engaged.json<Record<string, unknown>>(), engaged_at: null }, { region: 'ECOWAS', currency: 'XOF', engaged_at: null, engaged_by: 'ops.dakar', reason: 'orange outage', static_version: 1 });
  assert.equal((await t.app.inject({ method: 'POST', url, headers: ops, payload: { reason: 'again' } })).json().code, 'kill_switch_engaged');
  for (let i = 0; i < 50; i++) {
    const d = (await decide({ payment_id: `pay_k${i}` })).json();
    assert.deepEqual([d.providers, d.version, d.reason], [['ecobank', 'wave'], 1, 'fallback']);
  }
  const list = await t.app.inject({ method: 'GET', url: '/api/mesh/kill-switches', headers: ops });
  assert.deepEqual(list.json().items.map((k: { region: string; currency: string }) => `${k.region}/${k.currency}`), ['ECOWAS/XOF']);

  const reset = await t.app.inject({ method: 'DELETE', url, headers: ops });
  assert.equal(reset.statusCode, 200, reset.body);
  assert.equal((await decide({})).json().version, 2);
  assert.equal((await t.app.inject({ method: 'DELETE', url, headers: ops })).statusCode, 404);
  assert.deepEqual((await t.app.inject({ method: 'GET', url: '/api/mesh/kill-switches', headers: ops })).json().items, []);

  const actions = await t.platform.state.query<{ actor: string; action: string; target: string }>(
    `SELECT actor, action, target FROM mesh_actions WHERE action LIKE 'kill_switch.%' ORDER BY id`);
  assert.deepEqual(actions.map((a) => ({ ...a })), [
    { actor: 'ops.dakar', action: 'kill_switch.engaged', target: 'routing:ECOWAS/XOF' },
    { actor: 'ops.dakar', action: 'kill_switch.reset', target: 'routing:ECOWAS/XOF' },
  ]);
  const events = await t.platform.state.query<{ event_type: string }>(`SELECT event_type FROM outbox WHERE event_type LIKE 'mesh.action.kill_switch.%' ORDER BY id`);
  assert.deepEqual(events.map((e) => e.event_type), ['mesh.action.kill_switch.engaged', 'mesh.action.kill_switch.reset']);
});

test('a canary takes its share, and rolls back by itself when its alert rule fires', async () => {
  const proposalRoutes = [route('*', 0, 100_000, 'wave', 'ecobank')];
  const insertProposal = (id: string, base: number) => t.platform.state.query(
    `INSERT INTO mesh_proposals (id, region, currency, base_version, routes, rationale, confidence, status, created_at, created_by)
     VALUES ($1, 'ECOWAS', 'XOF', $2, $3, '[]', 0.9, 'pending_approval', $4, 'mesh-health')`, [id, base, JSON.stringify(proposalRoutes), new Date(clock)]);
  await insertProposal('mp_canary', 2);
  await insertProposal('mp_other', 2);
  await insertProposal('mp_stale', 1);
  const rule = await t.inject({
    method: 'POST', url: '/api/analytics/alerts/rules',
    payload: { name: 'failures during the canary', metric: 'failed_count', window_minutes: 15, condition: { type: 'threshold', op: '>=', value: 10 } },
  });
  assert.equal(rule.statusCode, 201, rule.body);
  const ruleId = Number(rule.json().id);
  const canary = (id: string, percent: number, alertRuleId = ruleId) => t.app.inject({
    method: 'POST', url: `/api/mesh/proposals/${id}/canary`, headers: ops, payload: { percent, alert_rule_id: alertRuleId },
  });
  assert.equal((await canary('mp_stale', 30)).json().code, 'canary_not_allowed', 'based on a version that is no longer current');
  assert.equal((await canary('mp_nope', 30)).statusCode, 404);
  assert.equal((await canary('mp_canary', 30, 999_999)).statusCode, 400, 'an alert rule that does not exist');
  assert.equal((await canary('mp_canary', 100)).statusCode, 400, 'percent 1–99');
  const started = await canary('mp_canary', 30);
  assert.equal(started.statusCode, 200, started.body);
  assert.deepEqual([started.json().status, started.json().canary_percent, started.json().canary_alert_rule_id], ['canary', 30, ruleId]);
  assert.equal((await canary('mp_other', 10)).json().code, 'canary_exists');

  // Its share of payments, by the hash of their id (±4σ of 1,000 × 0.3).
  const answers = await Promise.all(Array.from({ length: 1000 }, (_, i) => decide({ payment_id: `pay_s${i}`, method: 'card' })));
  const inCanary = answers.filter((r) => r.json().reason === 'canary');
  const canaryPayment = `pay_s${answers.findIndex((r) => r.json().reason === 'canary')}`;
  assert.ok(Math.abs(inCanary.length - 300) <= 4 * Math.sqrt(1000 * 0.3 * 0.7), `${inCanary.length} of 1000 in the canary`);
  for (const r of inCanary) assert.deepEqual([r.json().providers, r.json().proposal_id, r.json().version], [['wave', 'ecobank'], 'mp_canary', 2]);

  // Stopped by hand and started again (back to pending_approval in between).
  const stopped = await t.app.inject({ method: 'POST', url: '/api/mesh/proposals/mp_canary/canary/stop', headers: ops });
  assert.equal(stopped.json().status, 'pending_approval');
  assert.equal((await decide({ payment_id: canaryPayment, method: 'card' })).json().reason, 'exploitation');
  const again = await t.app.inject({ method: 'POST', url: '/api/mesh/proposals/mp_canary/canary/stop', headers: ops });
  assert.equal(again.json().code, 'canary_not_running', again.body);
  assert.equal((await canary('mp_canary', 30)).statusCode, 200);

  // Nothing fired yet: the watch leaves it alone.
  assert.deepEqual(await t.app.meshCanaryWatch.checkNow(), []);
  clock += 60_000;
  const events = Array.from({ length: 12 }, (_, i) => ({
    event_id: `cf_${i}`, type: 'wallet_txn_created', status: 'failed', txn_id: `cf_${i}`, merchant_id: 'm_c',
    amount: '10', currency: 'XOF', country: 'SN', occurred_at: new Date(clock - (i % 5 + 1) * 60_000).toISOString(),
  }));
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: events })).statusCode, 200);
  await t.app.alerting.evaluateNow();
  const [alert] = (await t.inject({ method: 'GET', url: `/api/analytics/alerts?rule_id=${ruleId}` })).json().items;
  assert.equal(alert.state, 'firing');

  assert.deepEqual(await t.app.meshCanaryWatch.checkNow(), ['mp_canary']);
  assert.deepEqual(await t.app.meshCanaryWatch.checkNow(), [], 'once');
  const [p] = await t.platform.state.query<{ status: string; decided_by: string }>(`SELECT status, decided_by FROM mesh_proposals WHERE id = 'mp_canary'`);
  assert.deepEqual({ ...p }, { status: 'rolled_back', decided_by: 'system' });
  const after = await Promise.all(Array.from({ length: 200 }, (_, i) => decide({ payment_id: `pay_s${i}`, method: 'card' })));
  assert.ok(after.every((r) => r.json().reason !== 'canary'), 'the decision API no longer routes by it');
  const [action] = await t.platform.state.query<{ actor: string; target: string; result: { alert_id: number } }>(
    `SELECT actor, target, result FROM mesh_actions WHERE action = 'canary.rolled_back'`);
  assert.deepEqual([action.actor, action.target, action.result.alert_id], ['system', 'proposal:mp_canary', alert.id]);
  const outbox = await t.platform.state.query<{ payload: { action: { action: string } } }>(`SELECT payload FROM outbox WHERE event_type = 'mesh.action.canary.rolled_back'`);
  assert.equal(outbox.length, 1);
  assert.equal(outbox[0].payload.action.action, 'canary.rolled_back');
  const proposalEvents = await t.platform.state.query<{ payload: { proposal: { id: string; status: string } } }>(`SELECT payload FROM outbox WHERE event_type = 'mesh.proposal.rolled_back'`);
  assert.deepEqual(proposalEvents.map((e) => [e.payload.proposal.id, e.payload.proposal.status]), [['mp_canary', 'rolled_back']]);

  // A rule already firing before a canary starts does not roll it back.
  clock += 60_000;
  assert.equal((await canary('mp_other', 10)).statusCode, 200);
  await t.app.alerting.evaluateNow();
  assert.deepEqual(await t.app.meshCanaryWatch.checkNow(), []);
});
