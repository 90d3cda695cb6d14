// The pair index of the batch aggregation (src/custom-events/pair-index.ts) against a plain Map:
// pairs of any 32-bit integers (negative ones, and pairs that differ only in one half), rows
// replaced, and the table grown many times over.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairIndex } from '../../src/custom-events/pair-index.ts';
import { createPrng } from '../../src/generator/prng.ts';

test('finds every pair set, and -1 for the others, across growth and negative halves', () => {
  const index = new PairIndex(4);
  const expected = new Map<string, number>();
  const rng = createPrng('pair-index');
  const halves = [0, -1, 1, 2 ** 31 - 1, -(2 ** 31), 40_000, -40_000, 29_000_000];
  for (let i = 0; i < 50_000; i++) {
    const a = i % 3 === 0 ? rng.pick(halves) : rng.int(-1000, 1000);
    const b = i % 5 === 0 ? rng.pick(halves) : rng.int(-(2 ** 20), 2 ** 20);
    index.set(a, b, i);
    expected.set(`${a},${b}`, i);
  }
  assert.equal(index.size, expected.size);
  for (const [k, row] of expected) {
    const [a, b] = k.split(',').map(Number);
    assert.equal(index.get(a, b), row, k);
  }
  let misses = 0;
  for (let i = 0; i < 10_000; i++) {
    const a = rng.int(1001, 5000);
    const b = rng.int(-(2 ** 20), 2 ** 20);
    if (index.get(a, b) === -1) misses++;
    if (index.get(b, a) !== (expected.get(`${b},${a}`) ?? -1)) assert.fail(`(${b}, ${a})`);
  }
  assert.equal(misses, 10_000, 'pairs never set are absent');
});
