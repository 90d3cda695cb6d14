// The routing decision's properties (src/mesh/decide-route.ts), over hand-made snapshots: band
// edges, a specific method over '*', the GLOBAL table when the region has no route, a kill switch
// routing by the last static version, the canary split and the exploration share within binomial
// bounds (±4σ over 20,000 payment ids), and an eliminated provider never first except when the
// payment explores (or when every provider of the route is eliminated).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AppError } from '../../src/errors.ts';
import { BUCKETS, bucketOf, canaryBucket, decideRoute, explorationBucket, findRoute, scoreKey, tableKey, type RoutingSnapshotData, type TableState } from '../../src/mesh/decide-route.ts';
import type { Route } from '../../src/mesh/model.ts';
import { loadRegions } from '../../src/reference/regions.ts';
import { withProposal } from '../../src/mesh/routing-snapshot.ts';

const regions = loadRegions(readFileSync('reference/regions.csv', 'utf8'));
const settings = { eliminationScore: 40, explorationRate: 0.05 };
const N = 20_000;
const ids = Array.from({ length: N }, (_, i) => `pay_${i}`);

const route = (method: string, minAmount: number, maxAmount: number | null, ...providers: string[]): Route => ({ method, minAmount, maxAmount, providers });
const table = (version: number, routes: Route[], over: Partial<TableState> = {}): TableState => ({
  version, routes, staticVersion: null, killSwitch: null, canary: null, ...over,
});
const snapshot = (tables: Record<string, TableState>, scores: Record<string, number> = {}): RoutingSnapshotData => ({
  tables: new Map(Object.entries(tables)), scores: new Map(Object.entries(scores)), loadedAt: 0,
});
const pay = (o: Partial<{ currency: string; amount: number; country: string; method: string; paymentId: string }> = {}) => ({
  currency: 'XOF', amount: 5000, country: 'SN', method: 'card', paymentId: 'pay_x', ...o,
});

/** Within ±4σ of n·p (binomial). */
function assertBinomial(hits: number, n: number, p: number, what: string) {
  const sigma = Math.sqrt(n * p * (1 - p));
  assert.ok(Math.abs(hits - n * p) <= 4 * sigma, `${what}: ${hits} of ${n}, expected ${n * p} ± ${(4 * sigma).toFixed(0)}`);
}

const ECOWAS = [route('*', 0, 10_000, 'wave', 'orange'), route('*', 10_000, null, 'ecobank', 'wave'), route('card', 0, 10_000, 'visa_gw', 'wave')];

test('bands: min ≤ amount < max, the last band open-ended', () => {
  const snap = snapshot({ [tableKey('ECOWAS', 'XOF')]: table(3, ECOWAS) });
  const first = (amount: number, method = 'mobile_money') => decideRoute(snap, settings, regions, pay({ amount, method })).providers[0];
  assert.equal(first(0), 'wave');
  assert.equal(first(9_999), 'wave');
  assert.equal(first(10_000), 'ecobank', 'the upper bound belongs to the next band');
  assert.equal(first(Number.MAX_SAFE_INTEGER), 'ecobank');
  const d = decideRoute(snap, settings, regions, pay({ amount: 10 }));
  assert.deepEqual({ ...d }, { providers: ['visa_gw', 'wave'], region: 'ECOWAS', tableRegion: 'ECOWAS', version: 3, reason: 'exploitation', proposalId: null, eliminated: [] });
});

test('a specific method wins over *, whatever the order of the routes', () => {
  for (const routes of [ECOWAS, [...ECOWAS].reverse()]) {
    const snap = snapshot({ [tableKey('ECOWAS', 'XOF')]: table(1, routes) });
    assert.equal(decideRoute(snap, settings, regions, pay({ method: 'card', amount: 500 })).providers[0], 'visa_gw');
    assert.equal(decideRoute(snap, settings, regions, pay({ method: 'card', amount: 50_000 })).providers[0], 'ecobank', 'card has no band there: * answers');
    assert.equal(findRoute(routes, 'wallet', 500)?.method, '*');
  }
});

test('the GLOBAL table answers when the region has no table or no route; no_route says what was looked for', () => {
  const snap = snapshot({
    [tableKey('ECOWAS', 'XOF')]: table(2, [route('card', 0, 1000, 'visa_gw')]),
    [tableKey('GLOBAL', 'XOF')]: table(7, [route('*', 0, null, 'global_psp')]),
    [tableKey('GLOBAL', 'EUR')]: table(1, [route('*', 0, 100, 'stripe_like')]),
  });
  const viaGlobal = decideRoute(snap, settings, regions, pay({ method: 'wallet' }));
  assert.deepEqual([viaGlobal.providers, viaGlobal.region, viaGlobal.tableRegion, viaGlobal.version], [['global_psp'], 'ECOWAS', 'GLOBAL', 7]);
  const cameroon = decideRoute(snap, settings, regions, pay({ country: 'CM' }));
  assert.deepEqual([cameroon.region, cameroon.tableRegion], ['CEMAC', 'GLOBAL'], 'CEMAC has no XOF table');
  assert.equal(decideRoute(snap, settings, regions, pay({ country: 'JP', currency: 'EUR', amount: 5 })).region, 'GLOBAL', 'a country of no mesh region is GLOBAL');
  assert.throws(() => decideRoute(snap, settings, regions, pay({ country: 'FR', currency: 'EUR', amount: 100 })), (err: unknown) => {
    assert.ok(err instanceof AppError);
    assert.equal(err.code, 'no_route');
    assert.equal(err.status, 404);
    assert.deepEqual(err.details, { region: 'EU', currency: 'EUR', method: 'card', amount: 100, country: 'FR', looked_in: ['EU', 'GLOBAL'] });
    return true;
  });
  assert.throws(() => decideRoute(snap, settings, regions, pay({ currency: 'GHS' })), /looked in the ECOWAS and GLOBAL tables for GHS/);
});

test('kill switch: the last static version\'s route, as it is, whatever the canary and the predictions', () => {
  const staticRoutes = [route('*', 0, null, 'bank_static', 'wave')];
  const current = [route('*', 0, null, 'wave', 'bank_static')];
  const t = table(9, current, {
    staticVersion: { version: 4, routes: staticRoutes },
    killSwitch: { engagedAt: 0, engagedBy: 'ops', reason: 'incident' },
    canary: { proposalId: 'mp_1', percent: 99, routes: [route('*', 0, null, 'canary_psp')] },
  });
  const snap = snapshot({ [tableKey('ECOWAS', 'XOF')]: t }, { [scoreKey('bank_static', 'ECOWAS', 'XOF', 'card')]: 5 });
  for (const id of ids.slice(0, 500)) {
    const d = decideRoute(snap, settings, regions, pay({ paymentId: id }));
    assert.deepEqual([d.providers, d.version, d.reason, d.proposalId], [['bank_static', 'wave'], 4, 'fallback', null]);
  }
  const reset = snapshot({ [tableKey('ECOWAS', 'XOF')]: { ...t, killSwitch: null, canary: null } });
  assert.deepEqual(decideRoute(reset, settings, regions, pay()).providers, ['wave', 'bank_static'], 'reset: the current version again');
});

test('the canary takes its share of payments, within binomial bounds, the same payment always on the same side', () => {
  for (const percent of [1, 10, 50, 99]) {
    const canaryRoutes = withProposal(ECOWAS, [route('*', 0, 10_000, 'orange', 'wave')]);
    const snap = snapshot({ [tableKey('ECOWAS', 'XOF')]: table(5, ECOWAS, { canary: { proposalId: 'mp_7', percent, routes: canaryRoutes } }) });
    let inCanary = 0;
    for (const id of ids) {
      const d = decideRoute(snap, settings, regions, pay({ paymentId: id, method: 'wallet' }));
      if (d.reason === 'canary') {
        inCanary++;
        assert.deepEqual([d.providers, d.proposalId, d.version], [['orange', 'wave'], 'mp_7', 5]);
      } else {
        assert.deepEqual([d.reason, d.providers, d.proposalId], ['exploitation', ['wave', 'orange'], null]);
      }
      assert.equal(d.reason === 'canary', canaryBucket(id) < percent * 100);
    }
    assertBinomial(inCanary, N, percent / 100, `canary ${percent} %`);
  }
  // The proposal's routes replace only their own method and band.
  const snap = snapshot({ [tableKey('ECOWAS', 'XOF')]: table(5, ECOWAS, { canary: { proposalId: 'mp_7', percent: 99, routes: withProposal(ECOWAS, [route('*', 0, 10_000, 'orange')]) } }) });
  const big = ids.map((id) => decideRoute(snap, settings, regions, pay({ paymentId: id, method: 'wallet', amount: 20_000 })));
  assert.ok(big.every((d) => d.providers[0] === 'ecobank'), 'the other bands stay as they are');
});

test('buckets are stable, spread evenly, and the canary and exploration buckets are independent', () => {
  assert.equal(bucketOf('pay_1'), bucketOf('pay_1'));
  const deciles = new Array(10).fill(0);
  let both = 0;
  for (const id of ids) {
    deciles[Math.floor(canaryBucket(id) / (BUCKETS / 10))]++;
    if (canaryBucket(id) < 1000 && explorationBucket(id) < 1000) both++;
  }
  for (const d of deciles) assertBinomial(d, N, 0.1, 'a decile of buckets');
  assertBinomial(both, N, 0.01, 'in both the first canary decile and the first exploration decile');
});

test('eliminated providers go behind the healthy ones; exploration puts one first for its share of payments', () => {
  const routes = [route('*', 0, null, 'sick_a', 'healthy_b', 'sick_c', 'unknown_d')];
  const scores = {
    [scoreKey('sick_a', 'ECOWAS', 'XOF', 'card')]: 12,
    [scoreKey('healthy_b', 'ECOWAS', 'XOF', 'card')]: 90,
    [scoreKey('sick_c', 'ECOWAS', 'XOF', '*')]: 39.9, // no prediction for card: the one over every method counts
    [scoreKey('healthy_b', 'ECOWAS', 'XOF', 'wallet')]: 1, // another method's prediction does not count
    [scoreKey('unknown_d', 'EU', 'XOF', 'card')]: 1, // another region's neither
  };
  for (const rate of [0.05, 0.2, 0]) {
    const snap = snapshot({ [tableKey('ECOWAS', 'XOF')]: table(2, routes) }, scores);
    let explored = 0;
    const firsts = new Map<string, number>();
    for (const id of ids) {
      const d = decideRoute(snap, { eliminationScore: 40, explorationRate: rate }, regions, pay({ paymentId: id }));
      assert.deepEqual(d.eliminated, ['sick_a', 'sick_c']);
      assert.deepEqual([...d.providers].sort(), ['healthy_b', 'sick_a', 'sick_c', 'unknown_d'], 'no provider is dropped');
      if (d.reason === 'exploration') {
        explored++;
        assert.ok(d.eliminated.includes(d.providers[0]));
        assert.deepEqual(d.providers.slice(1, 3), ['healthy_b', 'unknown_d'], 'then the healthy ones');
      } else {
        assert.equal(d.reason, 'exploitation');
        assert.deepEqual(d.providers, ['healthy_b', 'unknown_d', 'sick_a', 'sick_c']);
      }
      firsts.set(d.providers[0], (firsts.get(d.providers[0]) ?? 0) + 1);
    }
    if (rate === 0) assert.equal(explored, 0, 'exploration 0 disables it');
    else {
      assertBinomial(explored, N, rate, `exploration ${rate}`);
      assertBinomial(firsts.get('sick_a') ?? 0, N, rate / 2, 'each eliminated provider gets its half of the exploration');
    }
  }
});

test('property: over random tables and scores, an eliminated provider leads only when exploring or when all are eliminated', () => {
  let seed = 42;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const providers = ['p0', 'p1', 'p2', 'p3', 'p4'];
  for (let round = 0; round < 200; round++) {
    const chosen = providers.filter(() => rnd() < 0.6);
    if (chosen.length === 0) continue;
    const scores: Record<string, number> = {};
    for (const p of chosen) if (rnd() < 0.7) scores[scoreKey(p, 'EU', 'EUR', 'card')] = Math.floor(rnd() * 101);
    const canary = rnd() < 0.5 ? { proposalId: 'mp_r', percent: 1 + Math.floor(rnd() * 99), routes: [route('*', 0, null, ...[...chosen].reverse())] } : null;
    const snap = snapshot({ [tableKey('EU', 'EUR')]: table(1, [route('*', 0, null, ...chosen)], { canary }) }, scores);
    const rate = rnd() * 0.3;
    for (let i = 0; i < 50; i++) {
      const d = decideRoute(snap, { eliminationScore: 40, explorationRate: rate }, regions, pay({ country: 'FR', currency: 'EUR', paymentId: `r${round}_${i}` }));
      const eliminated = new Set(chosen.filter((p) => (scores[scoreKey(p, 'EU', 'EUR', 'card')] ?? 100) < 40));
      assert.deepEqual(new Set(d.eliminated), eliminated);
      if (eliminated.has(d.providers[0])) assert.ok(d.reason === 'exploration' || eliminated.size === chosen.length, `round ${round}: ${JSON.stringify(d)}`);
      if (d.reason === 'exploration') assert.ok(eliminated.has(d.providers[0]));
    }
  }
});
