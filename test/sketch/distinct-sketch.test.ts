// The distinct-count sketch: within 3σ (σ = 1.04/√m) of the true count at several
// cardinalities, merges (GROUP BY register → max(rank)) equal to the sketch of the union, and the
// hash pinned (the stored registers depend on it).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createPrng } from '../../src/generator/prng.ts';
import { DistinctSketch, estimateDistinct, estimateDistinctFromRanks, HLL_REGISTERS, HLL_STANDARD_ERROR, registerOf, type RegisterRow } from '../../src/sketch/distinct-sketch.ts';

const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i}`);

function mergeRows(...sketches: RegisterRow[][]): RegisterRow[] {
  const max = new Map<number, number>();
  for (const rows of sketches) for (const r of rows) max.set(r.register, Math.max(max.get(r.register) ?? 0, r.rank));
  return [...max].map(([register, rank]) => ({ register, rank })).sort((a, b) => a.register - b.register);
}

for (const n of [100, 10_000, 1_000_000]) {
  test(`${n.toLocaleString('en')} distinct ids: the estimate within 3σ, duplicates not counted`, () => {
    const s = new DistinctSketch();
    for (const id of ids(`user-${n}`, n)) s.add(id);
    for (const id of ids(`user-${n}`, Math.min(n, 1000))) s.add(id); // seen again
    const est = s.estimate();
    assert.ok(Math.abs(est - n) <= 3 * HLL_STANDARD_ERROR * n, `estimate ${est} for ${n} (${((est / n - 1) * 100).toFixed(2)} %)`);
    assert.ok(s.rows().length <= HLL_REGISTERS);
  });
}

test('an empty sketch estimates 0; one id estimates 1', () => {
  assert.equal(estimateDistinct([]), 0);
  const s = new DistinctSketch();
  s.add('u1');
  s.add('u1');
  assert.equal(s.rows().length, 1);
  assert.ok(Math.abs(s.estimate() - 1) < 0.01);
});

test('merged across 1 000 buckets (an id in several): rows equal to the sketch of the union', () => {
  const rng = createPrng('hll-merge');
  const whole = new DistinctSketch();
  const buckets = Array.from({ length: 1000 }, () => new DistinctSketch());
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const id = `u${rng.int(0, 49_999)}`; // ~50k distinct users, each active in several buckets
    whole.add(id);
    buckets[rng.int(0, 999)].add(id);
  }
  const merged = mergeRows(...buckets.map((b) => b.rows()));
  assert.deepEqual(merged, whole.rows());
  assert.equal(estimateDistinct(merged), whole.estimate());
  const exact = (() => {
    const r = createPrng('hll-merge');
    const seen = new Set<number>();
    for (let i = 0; i < n; i++) {
      seen.add(r.int(0, 49_999));
      r.int(0, 999);
    }
    return seen.size;
  })();
  assert.ok(Math.abs(whole.estimate() - exact) <= 3 * HLL_STANDARD_ERROR * exact, `${whole.estimate()} vs ${exact}`);
});

test('rows as a SQL driver returns them (bigint) merge the same; out-of-range registers are refused', () => {
  const s = new DistinctSketch();
  for (const id of ids('sql', 5000)) s.add(id);
  const asSql = s.rows().map((r) => ({ register: BigInt(r.register), rank: BigInt(r.rank) }));
  assert.equal(estimateDistinct(asSql), s.estimate());
  assert.throws(() => estimateDistinct([{ register: HLL_REGISTERS, rank: 1 }]), RangeError);
});

test('registers counted by rank (what a statistics answer reads per cell) estimate the same float; bad ranks and counts are refused', () => {
  for (const n of [30, 3000, 200_000]) {
    const s = new DistinctSketch();
    for (const id of ids(`ranks-${n}`, n)) s.add(id);
    const byRank = new Map<number, number>();
    for (const r of s.rows()) byRank.set(r.rank, (byRank.get(r.rank) ?? 0) + 1);
    const rows = [...byRank].map(([rank, registers]) => ({ rank: BigInt(rank), registers: BigInt(registers) }));
    assert.equal(estimateDistinctFromRanks(rows), s.estimate(), `${n} ids`);
    assert.equal(estimateDistinctFromRanks(rows.reverse()), estimateDistinct(s.rows()), `${n} ids, any order`);
  }
  assert.equal(estimateDistinctFromRanks([]), 0);
  assert.throws(() => estimateDistinctFromRanks([{ rank: 0, registers: 1 }]), RangeError);
  assert.throws(() => estimateDistinctFromRanks([{ rank: 3, registers: HLL_REGISTERS + 1 }]), RangeError);
});

test('rows in any order, sparse or dense, estimate as the sketch does; a refused input leaves the next estimate untouched', () => {
  for (const n of [30, 3000, 200_000]) {
    const s = new DistinctSketch();
    for (const id of ids(`order-${n}`, n)) s.add(id);
    const rows = s.rows();
    const shuffled = [...rows].reverse();
    // The same register twice, the larger rank last (as rows of two buckets before their GROUP BY).
    const repeated = [...rows.map((r) => ({ register: r.register, rank: 1 })), ...shuffled];
    assert.equal(estimateDistinct(shuffled), s.estimate(), `${n} reversed`);
    assert.equal(estimateDistinct(repeated), s.estimate(), `${n} repeated`);
    assert.throws(() => estimateDistinct([...rows, { register: -1, rank: 3 }]), RangeError);
    assert.equal(estimateDistinct([]), 0, `${n}: nothing left over from the refused input`);
    assert.equal(estimateDistinct(rows), s.estimate(), `${n} after the refusal`);
  }
});

test('the hash is MD5\'s first 8 bytes: register = the top 14 bits, rank = 1 + leading zeros of the next 50', () => {
  for (const id of ['alice', 'user-42', 'é-ü-日本', '']) {
    const d = createHash('md5').update(id, 'utf8').digest();
    const h = d.readBigUInt64BE(0);
    const register = Number(h >> 50n);
    const rest = h & ((1n << 50n) - 1n);
    const rank = rest === 0n ? 51 : 50 - rest.toString(2).length + 1;
    assert.deepEqual(registerOf(id), { register, rank }, id);
  }
  // Pinned: these rows are stored, and SQL engines can compute them (md5 in DuckDB/PostgreSQL, MD5 in ClickHouse).
  assert.deepEqual(registerOf('alice'), registerOf('alice'));
  const d = createHash('md5').update('alice').digest('hex');
  assert.equal(d, '6384e2b2184bcbf58eccf10ca7a6563c');
});
