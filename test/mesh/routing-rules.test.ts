// The routing table's pure rules (src/mesh/routing-rules.ts): how a proposal merges into a table,
// what makes routes valid, and the share of a table a proposal changes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../../src/errors.ts';
import type { Route } from '../../src/mesh/model.ts';
import { changedShare, mergeRoutes, validateRoutes } from '../../src/mesh/routing-rules.ts';

const r = (method: string, minAmount: number, maxAmount: number | null, ...providers: string[]): Route => ({ method, minAmount, maxAmount, providers });
const MEMBERS = new Set(['wave', 'orange', 'ecobank']);

function refusal(f: () => void): { route_index: unknown; reason: unknown } {
  try {
    f();
  } catch (err) {
    assert.ok(err instanceof AppError && err.code === 'invalid_route', String(err));
    return err.details as { route_index: unknown; reason: unknown };
  }
  assert.fail('not refused');
}

test('a proposed route replaces the route of its method and band; the others stay; new bands are added', () => {
  const table = [r('*', 0, null, 'wave'), r('card', 0, 10_000, 'ecobank'), r('card', 10_000, null, 'orange')];
  const merged = mergeRoutes(table, [r('card', 0, 10_000, 'orange', 'ecobank'), r('mobile_money', 0, null, 'wave')]);
  assert.deepEqual(merged, [r('*', 0, null, 'wave'), r('card', 0, 10_000, 'orange', 'ecobank'), r('card', 10_000, null, 'orange'), r('mobile_money', 0, null, 'wave')]);
  assert.deepEqual(mergeRoutes(merged, [r('card', 0, 10_000, 'orange', 'ecobank')]), merged, 'merging twice changes nothing more');
  assert.deepEqual(mergeRoutes(table, []), mergeRoutes([], table), 'an empty proposal keeps the table');
});

test('valid routes pass; each kind of fault names its route', () => {
  const ok = [r('*', 0, null, 'wave', 'orange'), r('card', 0, 5000, 'ecobank'), r('card', 5000, null, 'wave')];
  validateRoutes(ok, ok, MEMBERS);
  assert.equal(refusal(() => validateRoutes([r('card', 5, 5, 'wave')], [r('card', 5, 5, 'wave')], MEMBERS)).route_index, 0);
  const empty = [r('*', 0, null, 'wave'), r('card', 0, null)];
  assert.equal(refusal(() => validateRoutes(empty, empty, MEMBERS)).route_index, 1);
  const twice = [r('card', 0, null, 'wave', 'wave')];
  assert.match(String(refusal(() => validateRoutes(twice, twice, MEMBERS)).reason), /twice/);
  const stranger = [r('*', 0, null, 'wave'), r('card', 0, null, 'ecobank', 'ghost')];
  const s = refusal(() => validateRoutes(stranger, stranger, MEMBERS));
  assert.equal(s.route_index, 1);
  assert.match(String(s.reason), /ghost/);
  validateRoutes(stranger, stranger, null); // membership not checked
  const overlap = [r('card', 0, 5000, 'wave'), r('card', 4999, null, 'orange')];
  assert.equal(refusal(() => validateRoutes(overlap, overlap, MEMBERS)).route_index, 0);
  const sameBand = [r('card', 0, 5000, 'wave'), r('card', 0, 5000, 'orange')];
  assert.match(String(refusal(() => validateRoutes(sameBand, sameBand, MEMBERS)).reason), /same method and band/);
  // Methods do not overlap one another: '*' and 'card' over the same amounts are two routes.
  const methods = [r('*', 0, null, 'wave'), r('card', 0, null, 'orange')];
  validateRoutes(methods, methods, MEMBERS);
});

test('a proposal overlapping a band it does not replace is refused against the merged table', () => {
  const table = [r('card', 0, 10_000, 'ecobank')];
  const proposed = [r('card', 5000, null, 'wave')];
  assert.equal(refusal(() => validateRoutes(proposed, mergeRoutes(table, proposed), MEMBERS)).route_index, 0);
});

test('the share changed: the proposed routes whose providers differ, over the routes after the merge', () => {
  const table = [r('*', 0, null, 'wave'), r('card', 0, null, 'ecobank'), r('mobile_money', 0, null, 'orange'), r('bank', 0, null, 'ecobank')];
  assert.equal(changedShare(table, [r('card', 0, null, 'ecobank')]), 0, 'the same providers: nothing changes');
  assert.equal(changedShare(table, [r('card', 0, null, 'wave')]), 0.25);
  assert.equal(changedShare(table, [r('card', 0, null, 'ecobank', 'wave'), r('ussd', 0, null, 'wave')]), 2 / 5);
  assert.equal(changedShare([], [r('*', 0, null, 'wave')]), 1);
});
