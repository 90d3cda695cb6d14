// The mesh's governance over HTTP, on the embedded state store: members need two approvals from
// two other people; policies replace one another; a static table is set once per key on its base
// version; a proposal applies all its routes or none, on its base version only, by another
// person than its author; its policy applies it at once or lets it wait; a rollback restores the
// exact previous table within 24 hours; every change is in the action log and the outbox.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { activeMember, caller, freshKey, people, route, setTable, type People } from './mesh-support.ts';

const START = Date.parse('2026-12-01T10:00:00Z');
const HOUR = 3_600_000;

let t: TempApp;
let p: People;
let clock = START;
let call: ReturnType<typeof caller>;

before(async () => {
  t = await openTempApp({ now: () => clock, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true' } });
  p = await people();
  call = caller(t);
  // An ops-wide webhook endpoint: the mesh's events are queued for it.
  const hook = await t.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'http://127.0.0.1:9/hook' } });
  assert.equal(hook.statusCode, 201, hook.body);
  for (const provider of ['wave', 'orange_money', 'ecobank']) await activeMember(t, p, provider);
  await activeMember(t, p, 'global_psp', 'GLOBAL', ['XOF', 'EUR']);
});
after(async () => { await t.close(); });

const draft = (routes: unknown[], base: number, extra: object = {}, table = { region: 'ECOWAS', currency: 'XOF' }) =>
  ({ ...table, base_version: base, routes, ...extra });

async function currentVersion(table = 'ECOWAS/XOF'): Promise<number> {
  const res = await call('GET', `/api/mesh/routing/${table}`, p.viewer);
  return res.statusCode === 404 ? 0 : res.json().current.version;
}

async function propose(routes: unknown[], extra: object = {}, who = p.ana, table = 'ECOWAS/XOF') {
  const [region, currency] = table.split('/');
  const res = await call('POST', '/api/mesh/proposals', who, draft(routes, await currentVersion(table), extra, { region, currency }));
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { proposal: { id: string; status: string; applied_version: number | null }; policy: { outcome: string; reason: string } };
}

describe('members', () => {
  test('a member needs compliance\'s and ops\'s approvals, from two people other than its requester', async () => {
    const made = await call('POST', '/api/mesh/members', p.ana, { provider: 'mtn_momo', name: 'MTN MoMo', kind: 'rail', region: 'ECOWAS', currencies: ['XOF'] });
    assert.equal(made.statusCode, 201);
    assert.equal(made.json().status, 'pending_approval');
    const id = made.json().id;
    const approve = (who: Record<string, string>, body?: object) => call('POST', `/api/mesh/members/${id}/approve`, who, body);

    const own = await approve(p.ana);
    assert.equal(own.statusCode, 403);
    assert.equal(own.json().code, 'four_eyes_required');
    const viewer = await approve(p.viewer);
    assert.equal(viewer.statusCode, 403);
    assert.equal(viewer.json().code, 'approver_role_required', 'mesh:view alone gives no approval');
    const compliance = await approve(p.cea);
    assert.equal(compliance.statusCode, 200);
    assert.deepEqual(compliance.json().approvals.map((a: { role: string }) => a.role), ['compliance']);
    assert.equal(compliance.json().status, 'pending_approval', 'one approval is not enough');
    const again = await approve(p.cea);
    assert.equal(again.json().code, 'approval_exists', 'compliance cannot give the ops approval too');
    const ops = await approve(p.ben);
    assert.equal(ops.json().status, 'active');
    assert.deepEqual(ops.json().approvals.map((a: { role: string; approved_by: string }) => `${a.role}:${a.approved_by}`), ['compliance:cea', 'ops:ben']);
    assert.equal((await approve(p.ben)).json().code, 'member_not_pending');
    const twice = await call('POST', '/api/mesh/members', p.ben, { provider: 'mtn_momo', name: 'MTN', kind: 'rail', region: 'ECOWAS', currencies: ['XOF'] });
    assert.equal(twice.statusCode, 400);
    assert.equal(twice.json().member_id, id, 'one member per provider and region');
  });

  test('one person cannot give both approvals, even holding both roles', async () => {
    const both = bearer(await mintToken({ sub: 'dan', roles: ['mesh_ops', 'mesh_compliance'] }));
    const made = await call('POST', '/api/mesh/members', p.ana, { provider: 'free_money', name: 'Free Money', kind: 'rail', region: 'ECOWAS', currencies: ['XOF'] });
    const id = made.json().id;
    const undecided = await call('POST', `/api/mesh/members/${id}/approve`, both);
    assert.equal(undecided.statusCode, 400, 'holding both, it must say which');
    assert.equal((await call('POST', `/api/mesh/members/${id}/approve`, both, { as: 'compliance' })).statusCode, 200);
    const second = await call('POST', `/api/mesh/members/${id}/approve`, both, { as: 'ops' });
    assert.equal(second.statusCode, 403);
    assert.equal(second.json().code, 'four_eyes_required');
    const opsAsCompliance = await call('POST', `/api/mesh/members/${id}/approve`, p.ben, { as: 'compliance' });
    assert.equal(opsAsCompliance.json().code, 'approver_role_required', 'mesh_ops cannot approve as compliance');
  });

  test('members are listed by region, and counted per region', async () => {
    const ecowas = (await call('GET', '/api/mesh/members?region=ECOWAS', p.viewer)).json().items;
    assert.ok(ecowas.every((m: { region: string }) => m.region === 'ECOWAS'));
    assert.ok(ecowas.some((m: { provider: string }) => m.provider === 'wave'));
    const regions = (await call('GET', '/api/mesh/regions', p.viewer)).json().items;
    assert.deepEqual(regions.map((r: { region: string }) => r.region), ['ECOWAS', 'CEMAC', 'EAC', 'EU', 'US', 'GLOBAL']);
    const ecowasCount = regions[0].members;
    assert.equal(ecowasCount.active + ecowasCount.pending_approval, ecowas.length);
    assert.equal(regions[0].name.fr, 'CEDEAO (Afrique de l\'Ouest)');
  });

  test('mesh_compliance may not request members, nor touch routing', async () => {
    assert.equal((await call('POST', '/api/mesh/members', p.cea, { provider: 'x', name: 'X', kind: 'bank', region: 'EU', currencies: ['EUR'] })).statusCode, 403);
    assert.equal((await call('PUT', '/api/mesh/routing/EU/EUR', p.cea, { base_version: 0, routes: [] }, freshKey())).statusCode, 403);
    assert.equal((await call('POST', '/api/mesh/proposals/prop_x/approve', p.cea, undefined, freshKey())).statusCode, 403);
  });
});

describe('static routing tables', () => {
  test('set on its base version once per key; a stale base is 409; a non-member is 422 naming the route', async () => {
    const base = await currentVersion();
    const key = freshKey();
    const body = { base_version: base, routes: [route('*', 0, null, 'wave', 'orange_money'), route('card', 0, 100_000, 'ecobank', 'global_psp')] };
    const first = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana, body, key);
    assert.equal(first.statusCode, 200, first.body);
    assert.equal(first.json().version, base + 1);
    assert.equal(first.json().kind, 'static');
    const replay = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana, body, key);
    assert.equal(replay.statusCode, 200);
    assert.equal(replay.headers['idempotent-replayed'], 'true');
    assert.deepEqual(replay.json(), first.json());
    assert.equal(await currentVersion(), base + 1, 'the replay wrote nothing');

    const stale = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana, body, freshKey());
    assert.equal(stale.statusCode, 409);
    assert.equal(stale.json().code, 'stale_version');
    const stranger = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana,
      { base_version: base + 1, routes: [route('*', 0, null, 'wave'), route('card', 0, null, 'ecobank', 'not_a_member')] }, freshKey());
    assert.equal(stranger.statusCode, 422);
    assert.equal(stranger.json().code, 'invalid_route');
    assert.equal(stranger.json().route_index, 1);
    const overlap = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana,
      { base_version: base + 1, routes: [route('card', 0, 5000, 'wave'), route('card', 4000, null, 'ecobank')] }, freshKey());
    assert.equal(overlap.json().code, 'invalid_route');
    const empty = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana,
      { base_version: base + 1, routes: [route('card', 5000, 5000, 'wave')] }, freshKey());
    assert.equal(empty.json().code, 'invalid_route');
    const none = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana,
      { base_version: base + 1, routes: [route('*', 0, null, 'wave'), route('card', 0, null)] }, freshKey());
    assert.equal(none.json().code, 'invalid_route');
    assert.equal(none.json().route_index, 1);
    const twice = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana,
      { base_version: base + 1, routes: [route('card', 0, null, 'wave', 'wave')] }, freshKey());
    assert.equal(twice.json().code, 'invalid_route');
    assert.equal(await currentVersion(), base + 1, 'no refused table was written');
    const other = await call('PUT', '/api/mesh/routing/ECOWAS/XOF', p.ana, { ...body, base_version: base + 1 }, key);
    assert.equal(other.statusCode, 422);
    assert.equal(other.json().code, 'idempotency_key_reused');
  });

  test('the routing list shows each table at its current version', async () => {
    const items = (await call('GET', '/api/mesh/routing', p.viewer)).json().items;
    const ecowas = items.find((v: { region: string; currency: string }) => v.region === 'ECOWAS' && v.currency === 'XOF');
    assert.equal(ecowas.version, await currentVersion());
    assert.equal((await call('GET', '/api/mesh/routing/EU/EUR', p.viewer)).statusCode, 404);
  });

  test('a table\'s history, newest first, a page at a time', async () => {
    await setTable(t, p, [route('*', 0, null, 'wave', 'ecobank'), route('card', 0, 100_000, 'ecobank', 'global_psp')], await currentVersion());
    const current = await currentVersion();
    assert.ok(current >= 2);
    const seen: number[] = [];
    let before: number | null = null;
    do {
      const res = await call('GET', `/api/mesh/routing/ECOWAS/XOF?limit=1${before ? `&before=${before}` : ''}`, p.viewer);
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.json().current.version, current);
      seen.push(...res.json().versions.map((v: { version: number }) => v.version));
      before = res.json().next_before;
    } while (before);
    assert.deepEqual(seen, Array.from({ length: current }, (_, i) => current - i));
  });
});

describe('proposals', () => {
  test('approve applies every route at once, by another operator than the author', async () => {
    const before = await currentVersion();
    const { proposal, policy } = await propose([route('*', 0, null, 'orange_money', 'wave')], { confidence: 0.99 });
    assert.equal(policy.outcome, 'pending_approval', 'no policy: approval required');
    const own = await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ana, undefined, freshKey());
    assert.equal(own.statusCode, 403);
    assert.equal(own.json().code, 'four_eyes_required');
    const ok = await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ben, { comment: 'wave degraded' }, freshKey());
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().status, 'applied');
    assert.equal(ok.json().applied_version, before + 1);
    const table = (await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer)).json().current;
    assert.equal(table.kind, 'proposal');
    assert.deepEqual(table.routes.find((r: { method: string }) => r.method === '*').providers, ['orange_money', 'wave']);
    assert.ok(table.routes.some((r: { method: string }) => r.method === 'card'), 'the routes it did not name stay');
  });

  test('one invalid route: 422, nothing applied, the version unchanged, the proposal still pending', async () => {
    const before = (await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer)).json().current;
    const { proposal } = await propose([route('*', 0, null, 'wave', 'ecobank'), route('mobile_money', 0, null, 'wave', 'ghost_bank')]);
    const res = await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ben, undefined, freshKey());
    assert.equal(res.statusCode, 422);
    assert.equal(res.json().code, 'invalid_route');
    assert.equal(res.json().route_index, 1);
    assert.deepEqual((await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer)).json().current, before);
    assert.equal((await call('GET', `/api/mesh/proposals/${proposal.id}`, p.viewer)).json().status, 'pending_approval');
  });

  test('a stale base version: 409 stale_version, and the proposal is superseded', async () => {
    const { proposal } = await propose([route('*', 0, null, 'ecobank')]);
    await setTable(t, p, [route('*', 0, null, 'wave')], await currentVersion());
    const res = await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ben, undefined, freshKey());
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'stale_version');
    assert.equal((await call('GET', `/api/mesh/proposals/${proposal.id}`, p.viewer)).json().status, 'superseded');
    const late = await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ben, undefined, freshKey());
    assert.equal(late.json().code, 'proposal_not_pending', late.body);
  });

  test('rollback restores the exact previous table as a new version; refused once the table moved on', async () => {
    const previous = (await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer)).json().current;
    const { proposal } = await propose([route('*', 0, null, 'global_psp', 'wave'), route('card', 100_000, null, 'ecobank')]);
    const applied = await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ben, undefined, freshKey());
    assert.equal(applied.statusCode, 200, applied.body);
    clock += 23 * HOUR;
    const back = await call('POST', `/api/mesh/proposals/${proposal.id}/rollback`, p.ben, { reason: 'worse' });
    assert.equal(back.statusCode, 200, back.body);
    assert.equal(back.json().status, 'rolled_back');
    const table = (await call('GET', '/api/mesh/routing/ECOWAS/XOF', p.viewer)).json();
    assert.equal(table.current.kind, 'rollback');
    assert.equal(table.current.version, applied.json().applied_version + 1);
    assert.equal(table.current.restored_version, previous.version);
    assert.deepEqual(table.current.routes, previous.routes, 'the exact previous routes');
    assert.equal((await call('POST', `/api/mesh/proposals/${proposal.id}/rollback`, p.ben)).json().code, 'proposal_not_applied');

    const { proposal: second } = await propose([route('*', 0, null, 'ecobank', 'wave')]);
    await call('POST', `/api/mesh/proposals/${second.id}/approve`, p.ben, undefined, freshKey());
    await setTable(t, p, [route('*', 0, null, 'wave')], await currentVersion());
    const moved = await call('POST', `/api/mesh/proposals/${second.id}/rollback`, p.ben);
    assert.equal(moved.statusCode, 409);
    assert.equal(moved.json().code, 'stale_version');
  });

  test('rollback is refused more than 24 hours after the application', async () => {
    const { proposal } = await propose([route('*', 0, null, 'orange_money')]);
    assert.equal((await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ben, undefined, freshKey())).statusCode, 200);
    const version = await currentVersion();
    clock += 24 * HOUR + 1;
    const res = await call('POST', `/api/mesh/proposals/${proposal.id}/rollback`, p.ben);
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().code, 'rollback_window_passed');
    assert.equal(await currentVersion(), version);
  });

  test('reject: the proposal is final', async () => {
    const { proposal } = await propose([route('*', 0, null, 'ecobank')]);
    const res = await call('POST', `/api/mesh/proposals/${proposal.id}/reject`, p.ben, { reason: 'no' });
    assert.equal(res.json().status, 'rejected');
    assert.equal(res.json().decided_by, 'ben');
    assert.equal((await call('POST', `/api/mesh/proposals/${proposal.id}/approve`, p.ben, undefined, freshKey())).json().code, 'proposal_not_pending');
  });

  test('listed newest first, by status and table, a page at a time', async () => {
    const all = (await call('GET', '/api/mesh/proposals?limit=200', p.viewer)).json().items;
    assert.equal(all.length, 7, 'the proposals of the tests above');
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res = await call('GET', `/api/mesh/proposals?limit=3${cursor ? `&cursor=${cursor}` : ''}`, p.viewer);
      assert.equal(res.statusCode, 200, res.body);
      seen.push(...res.json().items.map((x: { id: string }) => x.id));
      cursor = res.json().next_cursor;
    } while (cursor);
    assert.deepEqual(seen, all.map((x: { id: string }) => x.id));
    const applied = (await call('GET', '/api/mesh/proposals?status=applied,rolled_back&region=ECOWAS&currency=XOF', p.viewer)).json().items;
    assert.ok(applied.length > 0 && applied.every((x: { status: string }) => ['applied', 'rolled_back'].includes(x.status)));
    assert.equal((await call('GET', '/api/mesh/proposals?status=nope', p.viewer)).statusCode, 400);
  });
});

describe('policies', () => {
  test('auto applies at or above the threshold, waits below it; approval_required always waits', async () => {
    const set = await call('POST', '/api/mesh/policies', p.ana, { region: 'ECOWAS', currency: 'XOF', mode: 'auto', auto_confidence_threshold: 0.9 });
    assert.equal(set.statusCode, 201, set.body);
    const at = await propose([route('*', 0, null, 'wave', 'orange_money')], { confidence: 0.9 });
    assert.equal(at.policy.outcome, 'applied', at.policy.reason);
    assert.equal(at.proposal.status, 'applied');
    assert.equal((await call('GET', `/api/mesh/proposals/${at.proposal.id}`, p.viewer)).json().decided_by, 'system');
    const below = await propose([route('*', 0, null, 'orange_money', 'wave')], { confidence: 0.89 });
    assert.equal(below.policy.outcome, 'pending_approval');
    assert.equal(below.proposal.status, 'pending_approval');

    const strict = await call('POST', '/api/mesh/policies', p.ana, { region: 'ECOWAS', currency: 'XOF', mode: 'approval_required' });
    assert.equal(strict.json().auto_confidence_threshold, 0.85, 'the default threshold');
    const sure = await propose([route('*', 0, null, 'ecobank', 'wave')], { confidence: 1 });
    assert.equal(sure.policy.outcome, 'pending_approval');
    const active = (await call('GET', '/api/mesh/policies?region=ECOWAS', p.viewer)).json().items;
    assert.deepEqual(active.map((x: { mode: string; currency: string | null }) => `${x.currency}:${x.mode}`), ['XOF:approval_required'], 'the new policy replaced the old one');
    const history = (await call('GET', '/api/mesh/policies?region=ECOWAS&active=false', p.viewer)).json().items;
    assert.equal(history.length, 2);
  });

  test('auto respects max_route_share: beyond it the proposal waits', async () => {
    await call('POST', '/api/mesh/policies', p.ana, { region: 'ECOWAS', currency: 'XOF', mode: 'auto', limits: { max_route_share: 0.5 } });
    const base = await currentVersion();
    await setTable(t, p, [route('*', 0, null, 'wave'), route('card', 0, null, 'ecobank')], base);
    const both = await propose([route('*', 0, null, 'orange_money'), route('card', 0, null, 'wave')], { confidence: 0.99 });
    assert.equal(both.policy.outcome, 'pending_approval', both.policy.reason);
    const one = await propose([route('card', 0, null, 'global_psp')], { confidence: 0.99 });
    assert.equal(one.policy.outcome, 'applied', one.policy.reason);
  });
});

describe('the action log and events', () => {
  test('every change is an action, with its actor, and a queued event', async () => {
    const res = await call('GET', '/api/mesh/actions?limit=500', p.viewer);
    assert.equal(res.statusCode, 200);
    const actions = res.json().items as Array<{ actor: string; action: string; target: string }>;
    const kinds = new Set(actions.map((a) => a.action));
    for (const k of ['member.requested', 'member.approved', 'member.activated', 'routing.static_set', 'proposal.created', 'proposal.applied',
      'proposal.superseded', 'proposal.rejected', 'proposal.rolled_back', 'policy.created']) assert.ok(kinds.has(k), k);
    assert.ok(actions.some((a) => a.action === 'proposal.applied' && a.actor === 'system'));
    const ben = (await call('GET', '/api/mesh/actions?actor=ben&action=proposal.rolled_back', p.viewer)).json().items;
    assert.ok(ben.length >= 1 && ben.every((a: { actor: string; action: string }) => a.actor === 'ben' && a.action === 'proposal.rolled_back'));
    const table = (await call('GET', '/api/mesh/actions?target=routing:ECOWAS/XOF', p.viewer)).json().items;
    assert.ok(table.length > 0 && table.every((a: { target: string }) => a.target === 'routing:ECOWAS/XOF'));

    const events = await t.platform.state.query<{ event_type: string; n: number }>(
      "SELECT event_type, count(*)::int AS n FROM outbox WHERE event_type LIKE 'mesh.%' GROUP BY event_type");
    const byType = Object.fromEntries(events.map((e) => [e.event_type, e.n]));
    for (const type of ['mesh.proposal.created', 'mesh.proposal.applied', 'mesh.proposal.rejected', 'mesh.proposal.rolled_back',
      'mesh.action.member.requested', 'mesh.action.policy.created', 'mesh.action.routing.static_set']) assert.ok(byType[type] > 0, type);
    assert.equal(byType['mesh.action.proposal.created'], byType['mesh.proposal.created']);
  });

  test('applied proposals are counted by table and trigger', async () => {
    const text = (await t.app.metrics.registry.metrics()).split('\n').filter((l) => l.startsWith('molam_mesh_failover_applied_total')).join('\n');
    assert.match(text, /molam_mesh_failover_applied_total\{region="ECOWAS",currency="XOF",trigger="approval"\} [1-9]/);
    assert.match(text, /molam_mesh_failover_applied_total\{region="ECOWAS",currency="XOF",trigger="auto"\} [1-9]/);
    assert.match(text, /molam_mesh_failover_applied_total\{region="ECOWAS",currency="XOF",trigger="rollback"\} [1-9]/);
  });
});
