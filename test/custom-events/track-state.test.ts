// The track dedupe index's entries (src/custom-events/track-state.ts): a 32-bit content
// fingerprint and a UTC day in one number, for any accepted time (days before 1970 included),
// and eviction by day.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyTrackState, evictTrackedBefore, seenEntry, seenFingerprint } from '../../src/custom-events/track-state.ts';

const DAY = 86_400_000;

test('an entry gives back its fingerprint for any day from a century before 1970 to 3000; eviction keeps the days from the cutoff', () => {
  const times = [Date.parse('1926-12-06T23:59:59.999Z'), -1, 0, Date.parse('2026-12-06T12:00:00Z'), Date.parse('2999-12-31T23:59:59Z')];
  for (const fingerprint of [0, 1, 0x811c9dc5, 2 ** 32 - 1]) {
    for (const at of times) assert.equal(seenFingerprint(seenEntry(fingerprint, at)), fingerprint, `${fingerprint} at ${at}`);
  }
  const state = emptyTrackState();
  times.forEach((at, i) => state.seen.set(`e${i}`, seenEntry(2 ** 32 - 1, at)));
  assert.equal(evictTrackedBefore(state, -DAY), 1, 'the day of 1926 only');
  assert.equal(evictTrackedBefore(state, 0), 1, 'then the last day of 1969');
  assert.deepEqual([...state.seen.keys()], ['e2', 'e3', 'e4']);
  assert.throws(() => seenEntry(1, Date.parse('4900-01-01T00:00:00Z')), RangeError);
});
