// The commit message carries the minutes of a tracked batch's custom events, so a reading
// replica drops its cached custom-event answers as the writer does (src/cluster/commit-feed.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFeed, encodeCommit } from '../../src/cluster/commit-feed.ts';
import type { CommittedBatch } from '../../src/ingest/engine.ts';
import type { RollupColumns } from '../../src/store/analytics-store.ts';

const none = (): RollupColumns => ({
  minute: new Int32Array(0), kind: new Uint8Array(0), cnt: new Int32Array(0), amountMinor: new BigInt64Array(0), feeMinor: new BigInt64Array(0),
  merchantKey: new Int32Array(0), countryKey: new Int32Array(0), cityKey: new Int32Array(0), currencyKey: new Int32Array(0),
  methodKey: new Int32Array(0), providerKey: new Int32Array(0),
});
const batch = (customMinutes: number[]): CommittedBatch => ({
  batchId: 7, committedAt: 1, source: 'track', accepted: 2, duplicates: 0, rejected: 0, maxOccurredAt: null,
  minuteDeltas: none(), dictionary: [], customMinutes: Int32Array.from(customMinutes), commitMs: 3,
});

test('a tracked batch\'s custom minutes cross the feed; a payment batch\'s are empty', () => {
  const tracked = decodeFeed(encodeCommit('s', batch([29_560_000, 29_560_042])));
  assert.ok(tracked && 'batch' in tracked);
  assert.deepEqual(Array.from(tracked.batch.customMinutes), [29_560_000, 29_560_042]);
  const payment = decodeFeed(encodeCommit('s', batch([])));
  assert.ok(payment && 'batch' in payment);
  assert.equal(payment.batch.customMinutes.length, 0);
});
