// REFUND_APPROVAL_THRESHOLD: per currency in minor units, `*` for the others; a setting that is
// not one stops the start with an error naming the setting and the entry at fault.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { parseRefundThresholds, thresholdFor } from '../../src/merchant/refund-threshold.ts';

test('CODE:amount per currency, * for every other; none means no refund waits', () => {
  const r = parseRefundThresholds(' XOF:5000000, NGN:10000000 ,*:100000');
  assert.ok(r.ok);
  assert.equal(thresholdFor(r.thresholds, 'XOF'), 5_000_000n);
  assert.equal(thresholdFor(r.thresholds, 'NGN'), 10_000_000n);
  assert.equal(thresholdFor(r.thresholds, 'EUR'), 100_000n);
  const some = parseRefundThresholds('XOF:0');
  assert.ok(some.ok);
  assert.equal(thresholdFor(some.thresholds, 'XOF'), 0n, 'every XOF refund waits');
  assert.equal(thresholdFor(some.thresholds, 'EUR'), null, 'a currency without an entry and no * never waits');
  const none = parseRefundThresholds('');
  assert.ok(none.ok);
  assert.equal(thresholdFor(none.thresholds, 'XOF'), null);
  assert.equal(loadConfig({}).REFUND_APPROVAL_THRESHOLD, '');
});

test('a bad setting stops the start, naming the setting and the entry', () => {
  for (const [bad, why] of [
    ['XOF=5000', /"XOF=5000" is not CODE:amount/], ['xof:5000', /"xof:5000" is not CODE:amount/], ['XOF:50.5', /not CODE:amount/],
    ['XOF:-1', /not CODE:amount/], ['ABC:10', /ABC is not an ISO 4217 currency code/], ['XOF:1,XOF:2', /XOF is given twice/],
    ['XOF:1,,*:2', /"" is not CODE:amount/], ['*:99999999999999999999', /not CODE:amount/], ['XOF:9999999999999999999', /too large/],
  ] as const) {
    assert.throws(() => loadConfig({ REFUND_APPROVAL_THRESHOLD: bad }),
      (err) => err instanceof ConfigError && err.message.includes('REFUND_APPROVAL_THRESHOLD=') && why.test(err.message), bad);
  }
});
