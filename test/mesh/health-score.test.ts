// The health score's properties (src/mesh/health-score.ts): bounded; more successes, fewer
// technical failures, an improving trend and faster settlement each raise the score; confidence
// grows with the sample and falls with instability; a provider traffic left recovers when its
// exploration traffic succeeds.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scoreHealth, type HealthFigures } from '../../src/mesh/health-score.ts';
import { createPrng } from '../../src/generator/prng.ts';

type Half = HealthFigures['halves'][number];
const half = (succeeded: number, failures: Record<string, number> = {}, settleS = 10): Half => {
  const failed = Object.values(failures).reduce((a, b) => a + b, 0);
  return { attempted: succeeded + failed, succeeded, failed, failureReasons: failures, volumeMinor: BigInt((succeeded + failed) * 1000), settleMsSum: succeeded * settleS * 1000 };
};
const score = (...halves: Half[]) => scoreHealth({ halves });

test('bounded: score in [0, 100], confidence in [0, 1], for any counts', () => {
  const prng = createPrng(7);
  for (let i = 0; i < 2000; i++) {
    const h = () => half(prng.int(0, 500), { timeout: prng.int(0, 300), insufficient_funds: prng.int(0, 300), other: prng.int(0, 20) }, prng.int(0, 100_000));
    const s = score(h(), h());
    assert.ok(s.score >= 0 && s.score <= 100, String(s.score));
    assert.ok(s.confidence >= 0 && s.confidence <= 1, String(s.confidence));
  }
  assert.equal(score(half(0), half(0)).confidence, 0);
});

test('more successes out of the same attempts: a higher score', () => {
  let previous = -1;
  for (let ok = 0; ok <= 100; ok += 10) {
    const s = score(half(ok, { insufficient_funds: 100 - ok }), half(ok, { insufficient_funds: 100 - ok })).score;
    assert.ok(s > previous, `${ok}: ${s} after ${previous}`);
    previous = s;
  }
});

test('technical failures weigh more than customer failures', () => {
  const customer = score(half(80, { insufficient_funds: 20 }), half(80, { insufficient_funds: 20 }));
  const technical = score(half(80, { timeout: 20 }), half(80, { provider_unavailable: 20 }));
  assert.ok(technical.score < customer.score - 5, `${technical.score} vs ${customer.score}`);
  assert.equal(technical.features.technical_failures, 40);
});

test('the trend: improving beats degrading at the same totals; it also costs confidence', () => {
  const improving = score(half(60, { timeout: 40 }), half(95, { timeout: 5 }));
  const degrading = score(half(95, { timeout: 5 }), half(60, { timeout: 40 }));
  assert.ok(improving.score > degrading.score + 5, `${improving.score} vs ${degrading.score}`);
  const steady = score(half(78, { timeout: 22 }), half(77, { timeout: 23 }));
  assert.ok(steady.confidence > improving.confidence, 'a swing between the halves lowers the confidence');
});

test('faster settlement: a higher score', () => {
  const fast = score(half(90, { timeout: 10 }, 5), half(90, { timeout: 10 }, 5));
  const slow = score(half(90, { timeout: 10 }, 3600), half(90, { timeout: 10 }, 3600));
  assert.ok(fast.score > slow.score);
});

test('confidence grows with the sample size at the same rates', () => {
  let previous = -1;
  for (const k of [1, 2, 5, 10, 50, 200]) {
    const c = score(half(9 * k, { timeout: k }), half(9 * k, { timeout: k })).confidence;
    assert.ok(c > previous, `${k}: ${c}`);
    previous = c;
  }
  assert.ok(previous > 0.9);
});

test('a failing provider traffic left recovers: few exploration payments that succeed raise its score, at a low confidence', () => {
  const failing = score(half(20, { timeout: 150, provider_unavailable: 30 }), half(10, { timeout: 180 }));
  assert.ok(failing.score < 15, String(failing.score));
  assert.ok(failing.confidence > 0.8, String(failing.confidence));
  // The next window: traffic moved away, 5% exploration — 6 payments, all succeeded.
  const recovering = score(half(3), half(3));
  assert.ok(recovering.score > 70, String(recovering.score));
  assert.ok(recovering.confidence < 0.25, String(recovering.confidence));
  // More exploration keeps succeeding: more confidence.
  assert.ok(score(half(15), half(15)).confidence > recovering.confidence);
});
