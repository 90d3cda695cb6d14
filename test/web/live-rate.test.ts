// The live screen's events per second count events, not transactions (issue 16): a minute with
// 60 payments created, 50 succeeded and 10 failed, 3 refunds, 1 dispute and 2 payouts holds 126
// events, 2.1 a second — not 60 / 60 = 1.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { perSecond } from '../../web/src/live-rooms.ts';

test('events per second counts every event of the minute', () => {
  const minute = {
    ts: '2026-03-11T12:00:00+00:00', tx_count: 60, succeeded_count: 50, failed_count: 10, refund_count: 3, dispute_count: 1, payout_count: 2,
    gross_volume_usd: 0, success_rate: 50 / 60,
  };
  assert.deepEqual(perSecond([minute]), [126 / 60]);
});
