// Routes proposed from predictions (src/mesh/propose-routes.ts): ordered by score, the weak ones
// eliminated unless nothing else is left, unpredicted providers kept after the predicted ones,
// the rationale naming the predictions used, the confidence the weakest primary's.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeRoutes } from '../../src/mesh/propose-routes.ts';
import type { Prediction, Route } from '../../src/mesh/model.ts';

let n = 0;
const pred = (provider: string, method: string, score: number, confidence: number, region: Prediction['region'] = 'ECOWAS', currency = 'XOF'): Prediction => ({
  id: `pred_${++n}`, provider, region, currency, method, score, confidence, features: {}, windowFrom: 0, windowTo: 1, generatedAt: 1, expiresAt: 2, kid: 'k', jws: 'x',
});
const table = { region: 'ECOWAS' as const, currency: 'XOF' };

test('per method: primary → secondary → tertiary by score; under the threshold eliminated; the rationale names the predictions', () => {
  const ps = [pred('orange_money', 'wallet', 35, 0.9), pred('wave', 'wallet', 91, 0.8), pred('free_money', 'wallet', 70, 0.6), pred('wizall', 'wallet', 60, 0.95),
    pred('ecobank', 'card', 88, 0.7), pred('wave', 'wallet', 99, 0.9, 'EU', 'EUR')];
  const current: Route[] = [{ method: 'wallet', minAmount: 0, maxAmount: null, providers: ['orange_money', 'wave'] }];
  const r = proposeRoutes(table, ps, current);
  assert.deepEqual(r.routes, [
    { method: 'wallet', minAmount: 0, maxAmount: null, providers: ['wave', 'free_money', 'wizall'] },
    { method: 'card', minAmount: 0, maxAmount: null, providers: ['ecobank'] },
  ]);
  assert.deepEqual(r.rationale[0].predictionIds.sort(), [ps[0].id, ps[1].id, ps[2].id, ps[3].id].sort());
  assert.match(r.rationale[0].note, /eliminated under 40: orange_money 35\.0/);
  assert.equal(r.confidence, 0.7, 'the weakest primary (ecobank on card)');
});

test('nothing above the threshold: kept in order of score rather than no route', () => {
  const r = proposeRoutes(table, [pred('a', 'qr', 20, 0.5), pred('b', 'qr', 30, 0.4)], []);
  assert.deepEqual(r.routes[0].providers, ['b', 'a']);
  assert.match(r.rationale[0].note, /every provider scores under 40/);
});

test('providers without a prediction follow the predicted; an unchanged order is no proposal', () => {
  const current: Route[] = [{ method: 'wallet', minAmount: 0, maxAmount: 50_000, providers: ['bank_x', 'wave'] }];
  const r = proposeRoutes(table, [pred('wave', 'wallet', 80, 0.9)], current);
  assert.deepEqual(r.routes, [{ method: 'wallet', minAmount: 0, maxAmount: 50_000, providers: ['wave', 'bank_x'] }]);
  const again = proposeRoutes(table, [pred('wave', 'wallet', 80, 0.9)], r.routes);
  assert.deepEqual([again.routes, again.unchanged.length, again.confidence], [[], 1, 0]);
});

test('a "*" route orders by the confidence-weighted mean over methods; a band gives one route per method over it', () => {
  const ps = [pred('a', 'wallet', 90, 0.9), pred('a', 'card', 30, 0.1), pred('b', 'wallet', 70, 0.5), pred('b', 'card', 70, 0.5)];
  const r = proposeRoutes(table, ps, [{ method: '*', minAmount: 0, maxAmount: null, providers: ['b'] }, { method: 'wallet', minAmount: 0, maxAmount: null, providers: ['a', 'b'] }]);
  assert.deepEqual(r.routes.map((x) => [x.method, x.providers]), [['*', ['a', 'b']], ['card', ['b']]]);
  const banded = proposeRoutes(table, ps, [], { band: { minAmount: 1000, maxAmount: 5000 } });
  assert.deepEqual(banded.routes.map((x) => [x.method, x.minAmount, x.maxAmount, x.providers]), [['card', 1000, 5000, ['b']], ['wallet', 1000, 5000, ['a', 'b']]]);
});
