// The quantile sketch against exact quantiles from the raw values: every quantile of skewed,
// bimodal, heavy-tailed, uniform, constant and signed distributions within α relative error of
// the exact value of the same rank (⌊q·(n−1)⌋), built whole and merged from 1 000 small buckets.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPrng, type Prng } from '../../src/generator/prng.ts';
import {
  binOf, collapseBins, mergeBins, MIN_INDEXABLE, QuantileSketch, quantilesFromBins, RELATIVE_ACCURACY, valueOfBin, type SketchBin,
} from '../../src/sketch/quantile-sketch.ts';

const QS = [0, 0.01, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];
// Floating point in log/exp: a value exactly on a bin boundary may land one bin over.
const BOUND = RELATIVE_ACCURACY * (1 + 1e-9);

const exactQuantile = (sorted: Float64Array, q: number) => sorted[Math.floor(q * (sorted.length - 1))];

function assertWithinBound(values: number[], rows: SketchBin[], label: string) {
  const sorted = Float64Array.from(values).sort();
  const got = quantilesFromBins(rows, QS);
  QS.forEach((q, i) => {
    const exact = exactQuantile(sorted, q);
    const v = got[i]!;
    assert.ok(Math.abs(v - exact) <= BOUND * Math.abs(exact), `${label} q=${q}: ${v} vs exact ${exact} (${(Math.abs(v - exact) / Math.abs(exact) * 100).toFixed(3)} %)`);
  });
}

/** The sketch of all values at once, and the merge of 1 000 bucket sketches of the same values. */
function checkDistribution(label: string, values: number[], rng: Prng) {
  const whole = new QuantileSketch();
  for (const v of values) whole.add(v);
  assert.equal(whole.count, values.length);
  assertWithinBound(values, whole.rows(), `${label} (one sketch)`);

  const buckets = Array.from({ length: 1000 }, () => new QuantileSketch());
  for (const v of values) buckets[rng.int(0, 999)].add(v);
  const merged = mergeBins(...buckets.map((b) => b.rows()));
  assert.deepEqual(merged, whole.rows(), `${label}: merging buckets gives the sketch of the union`);
  assertWithinBound(values, merged, `${label} (1 000 buckets merged)`);
}

const N = 100_000;
const draw = (seed: string, f: (rng: Prng) => number) => {
  const rng = createPrng(seed);
  return Array.from({ length: N }, () => f(rng));
};

test('log-normal (skewed): latencies around 120 ms', () => {
  checkDistribution('log-normal', draw('lognormal', (r) => Math.exp(Math.log(120) + 0.9 * r.normal())), createPrng('b1'));
});

test('bimodal: two modes a decade apart', () => {
  checkDistribution('bimodal', draw('bimodal', (r) => (r.chance(0.7) ? 40 + 5 * r.normal() : 900 + 80 * r.normal())), createPrng('b2'));
});

test('Pareto (heavy tail, shape 1.16: the 80/20 law)', () => {
  checkDistribution('pareto', draw('pareto', (r) => 100 / Math.pow(1 - r.float(), 1 / 1.16)), createPrng('b3'));
});

test('uniform, and integer amounts in minor units', () => {
  checkDistribution('uniform', draw('uniform', (r) => r.float() * 1000), createPrng('b4'));
  checkDistribution('amounts', draw('amounts', (r) => r.int(1, 5_000_000)), createPrng('b5'));
});

test('constant: every quantile is that value (within α)', () => {
  checkDistribution('constant', Array.from({ length: 5000 }, () => 42.5), createPrng('b6'));
  const s = new QuantileSketch();
  s.add(0, 10);
  assert.deepEqual(quantilesFromBins(s.rows(), [0, 0.5, 1]), [0, 0, 0], 'zero is exact');
});

test('negative values and zeros: P&L-like, a third exactly zero', () => {
  const values = draw('signed', (r) => (r.chance(0.33) ? 0 : r.chance(0.5) ? -Math.exp(3 + 1.5 * r.normal()) : Math.exp(2 + r.normal())));
  checkDistribution('signed', values, createPrng('b7'));
  checkDistribution('all negative', values.filter((v) => v < 0), createPrng('b8'));
});

test('a wide dynamic range: 1e-6 … 1e12', () => {
  checkDistribution('wide', draw('wide', (r) => Math.pow(10, -6 + 18 * r.float())), createPrng('b9'));
});

test('property: small random sets of any sign, any quantile', () => {
  const rng = createPrng('property');
  for (let round = 0; round < 300; round++) {
    const n = rng.int(1, 60);
    const scale = Math.pow(10, rng.int(-4, 9));
    const values = Array.from({ length: n }, () => (rng.chance(0.1) ? 0 : (rng.float() - 0.3) * scale));
    const s = new QuantileSketch();
    for (const v of values) s.add(v);
    const sorted = Float64Array.from(values).sort();
    const q = rng.float();
    const exact = exactQuantile(sorted, q);
    const v = s.quantile(q)!;
    assert.ok(Math.abs(v - exact) <= BOUND * Math.abs(exact), `round ${round}: q=${q} ${v} vs ${exact}`);
  }
});

test('bins sort like their values, whatever the sign; each value is within α of its bin\'s', () => {
  const values = [-Number.MAX_VALUE, -1e9, -1000, -1.5, -1e-300, 0, MIN_INDEXABLE, 1e-300, 0.001, 1, 1.0001, 2, 1e15, 1.7e308, Number.MAX_VALUE];
  const bins = values.map(binOf);
  for (let i = 1; i < bins.length; i++) assert.ok(bins[i] >= bins[i - 1], `${values[i - 1]} → ${bins[i - 1]}, ${values[i]} → ${bins[i]}`);
  assert.equal(binOf(0), 0);
  assert.ok(binOf(MIN_INDEXABLE) >= 1 && binOf(Number.MAX_VALUE) < 75_500, 'every bin fits the documented range');
  assert.equal(binOf(5e-324), 0, 'subnormals count as zero');
  assert.ok(binOf(1e-300) > 0 && binOf(-1e-300) < 0);
  for (const v of values) assert.ok(Math.abs(valueOfBin(binOf(v)) - v) <= BOUND * Math.abs(v), `${v}`);
  assert.throws(() => binOf(Number.NaN), RangeError);
  assert.throws(() => binOf(Number.POSITIVE_INFINITY), RangeError);
});

test('rows as a SQL driver returns them: bigint counts and bins, any order, zero counts ignored', () => {
  const s = new QuantileSketch();
  for (let i = 1; i <= 100; i++) s.add(i);
  const rows = s.rows().reverse().map((r) => ({ bin: BigInt(r.bin), count: BigInt(r.count) }));
  rows.push({ bin: BigInt(binOf(1e6)), count: 0n });
  const [p50, p99] = quantilesFromBins(rows, [0.5, 0.99]);
  assert.ok(Math.abs(p50! - 50) <= 0.5 && Math.abs(p99! - 99) <= 0.99, `${p50} ${p99}`);
  assert.deepEqual(quantilesFromBins([], [0.5]), [null]);
  assert.throws(() => quantilesFromBins(rows, [1.5]), RangeError);
});

test('clamped to the exact min and max when given: never farther from the truth', () => {
  const s = new QuantileSketch();
  s.add(100, 3);
  const [lo, hi] = quantilesFromBins(s.rows(), [0, 1], { min: 100, max: 100 });
  assert.equal(lo, 100);
  assert.equal(hi, 100);
});

test('collapsing the lowest bins: counts kept, quantiles above the fold keep the bound, below it overestimate', () => {
  const values = draw('collapse', (r) => Math.pow(10, 6 * r.float())); // 1 … 1e6: ~700 bins
  const s = new QuantileSketch();
  for (const v of values) s.add(v);
  const full = s.rows();
  const collapsed = collapseBins(full, 300);
  assert.equal(collapsed.length, 300);
  assert.equal(collapsed.reduce((a, r) => a + r.count, 0), N);
  const sorted = Float64Array.from(values).sort();
  const foldedCount = collapsed[0].count;
  const [p99, p01] = quantilesFromBins(collapsed, [0.99, 0.01]);
  const exact99 = exactQuantile(sorted, 0.99);
  assert.ok(Math.floor(0.99 * (N - 1)) >= foldedCount, 'p99 lies above the fold');
  assert.ok(Math.abs(p99! - exact99) <= BOUND * exact99);
  assert.ok(Math.floor(0.01 * (N - 1)) < foldedCount, 'p01 lies in the fold');
  assert.ok(p01! > exactQuantile(sorted, 0.01) * (1 + RELATIVE_ACCURACY), 'a folded quantile loses its bound (reported larger)');
  // Negative side: folds the smallest magnitudes too; zero is never folded.
  const signed = collapseBins([...full.map((r) => ({ bin: -r.bin, count: r.count })), { bin: 0, count: 7 }], 10);
  assert.equal(signed.length, 11);
  assert.deepEqual(signed.find((r) => r.bin === 0), { bin: 0, count: 7 });
  assert.equal(signed.reduce((a, r) => a + r.count, 0), N + 7);
  assert.equal(signed[signed.length - 2].bin, -full[full.length - 10].bin, 'the fold lands on the smallest magnitude kept');
});
