// The result cache: TTL, invalidation by minute, computations that race a write, shared misses.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResultCache, distinctMinutes } from '../../src/query/result-cache.ts';

function setup(ttlMs = 10_000) {
  let clock = 1_000_000;
  const lookups = { hit: 0, miss: 0 };
  const cache = createResultCache({
    ttlMs, maxEntries: 3, maxBytes: 1000, sizeOf: (v) => String(v).length * 10,
    now: () => clock, onLookup: (h) => { lookups[h ? 'hit' : 'miss']++; },
  });
  let computed = 0;
  const compute = (v: string) => async () => { computed++; return v; };
  return { cache, lookups, compute, computed: () => computed, advance: (ms: number) => { clock += ms; } };
}

test('a hit within the TTL, a miss after it; hits and misses counted', async () => {
  const s = setup();
  assert.equal(await s.cache.get('k', 0, 10, s.compute('a')), 'a');
  assert.equal(await s.cache.get('k', 0, 10, s.compute('b')), 'a');
  s.advance(10_001);
  assert.equal(await s.cache.get('k', 0, 10, s.compute('c')), 'c');
  assert.deepEqual(s.lookups, { hit: 1, miss: 2 });
});

test('invalidation drops exactly the entries holding a changed minute', async () => {
  const s = setup();
  await s.cache.get('early', 0, 10, s.compute('e'));
  await s.cache.get('late', 10, 20, s.compute('l'));
  s.cache.invalidateMinutes(distinctMinutes([15, 12, 15]));
  assert.equal(await s.cache.get('early', 0, 10, s.compute('x')), 'e');
  assert.equal(await s.cache.get('late', 10, 20, s.compute('y')), 'y');
  s.cache.invalidateMinutes([10]); // half-open ranges: minute 10 belongs to 'late' only
  assert.equal(await s.cache.get('early', 0, 10, s.compute('z')), 'e');
});

test('an answer computed across a write to its range is returned but not kept', async () => {
  const s = setup();
  let release!: () => void;
  const slow = s.cache.get('k', 0, 10, () => new Promise<string>((r) => { release = () => r('stale'); }));
  s.cache.invalidateMinutes([5]);
  release();
  assert.equal(await slow, 'stale');
  assert.equal(await s.cache.get('k', 0, 10, s.compute('fresh')), 'fresh');
  // A write elsewhere does not prevent keeping it.
  let release2!: () => void;
  const other = s.cache.get('j', 0, 10, () => new Promise<string>((r) => { release2 = () => r('kept'); }));
  s.cache.invalidateMinutes([50]);
  release2();
  await other;
  assert.equal(await s.cache.get('j', 0, 10, s.compute('no')), 'kept');
});

test('identical concurrent misses share one computation, unless a write came in between', async () => {
  const s = setup();
  const [a, b] = await Promise.all([s.cache.get('k', 0, 10, s.compute('a')), s.cache.get('k', 0, 10, s.compute('b'))]);
  assert.deepEqual([a, b, s.computed()], ['a', 'a', 1]);
  let release!: () => void;
  const first = s.cache.get('q', 0, 10, () => new Promise<string>((r) => { release = () => r('old'); }));
  s.cache.invalidateMinutes([3]);
  const second = s.cache.get('q', 0, 10, s.compute('new'));
  release();
  assert.deepEqual([await first, await second], ['old', 'new']);
});

test('bounded: the oldest entry goes first; clear() empties; TTL 0 disables', async () => {
  const s = setup();
  for (const k of ['a', 'b', 'c', 'd']) await s.cache.get(k, 0, 1, s.compute(k));
  assert.equal(s.cache.size, 3);
  assert.equal(await s.cache.get('a', 0, 1, s.compute('a2')), 'a2');
  s.cache.clear();
  assert.equal(s.cache.size, 0);
  const off = setup(0);
  await off.cache.get('k', 0, 1, off.compute('1'));
  assert.equal(await off.cache.get('k', 0, 1, off.compute('2')), '2');
});

test('a memory budget: large answers are not kept, and older entries make room', async () => {
  const s = setup();
  const big = 'x'.repeat(11); // 110 bytes > a tenth of 1000
  await s.cache.get('big', 0, 1, s.compute(big));
  assert.equal(s.cache.size, 0);
  await s.cache.get('a', 0, 1, s.compute('a'.repeat(10))); // 100 bytes each
  await s.cache.get('b', 0, 1, s.compute('b'.repeat(10)));
  assert.equal(s.cache.bytes, 200);
  s.cache.invalidateMinutes([0]);
  assert.equal(s.cache.bytes, 0);
});

test('scopes: the minutes of one scope drop only that scope\'s entries; clear() drops all', async () => {
  const s = setup();
  await s.cache.get('payments', 0, 10, s.compute('p'));
  await s.cache.get('custom', 0, 10, s.compute('c'), 'custom');
  s.cache.invalidateMinutes([5], 'custom');
  assert.equal(await s.cache.get('payments', 0, 10, s.compute('x')), 'p');
  assert.equal(await s.cache.get('custom', 0, 10, s.compute('c2'), 'custom'), 'c2');
  s.cache.invalidateMinutes([5]);
  assert.equal(await s.cache.get('custom', 0, 10, s.compute('y'), 'custom'), 'c2');
  assert.equal(await s.cache.get('payments', 0, 10, s.compute('p2')), 'p2');
  s.cache.clear();
  assert.equal(s.cache.size, 0);
});
