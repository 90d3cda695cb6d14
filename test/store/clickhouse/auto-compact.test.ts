// Compaction while ingesting counts the custom rollup tables' months too: a tracked batch writes
// custom_rollup_stats/bins/users, and after `afterBatches` of them their month is folded (the
// fold itself, on a real ClickHouse: test/store/clickhouse/custom-compaction.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { autoCompaction } from '../../../src/store/clickhouse/auto-compact.ts';
import type { RollupMonths } from '../../../src/store/clickhouse/compact-rollups.ts';
import type { PreparedBatch, RollupColumns } from '../../../src/store/analytics-store.ts';

const none = (): RollupColumns => ({
  minute: new Int32Array(0), kind: new Uint8Array(0), cnt: new Int32Array(0), amountMinor: new BigInt64Array(0), feeMinor: new BigInt64Array(0),
  merchantKey: new Int32Array(0), countryKey: new Int32Array(0), cityKey: new Int32Array(0), currencyKey: new Int32Array(0),
  methodKey: new Int32Array(0), providerKey: new Int32Array(0),
});
const JAN_2026 = Date.parse('2026-01-15T00:00:00Z') / 60_000;
/** A tracked batch: no payment rollup rows, custom rows of one January minute (its rollup keys' buckets are what is counted). */
const tracked = { rollups: { minute: none(), hour: none(), day: none() }, custom: { raw: [], keys: { length: 1, bucket: Int32Array.of(JAN_2026) } } } as unknown as PreparedBatch;

test('a month that tracked batches wrote to is folded in the three custom tables and their totals after afterBatches of them', async () => {
  const folds: RollupMonths[] = [];
  const auto = autoCompaction({ afterBatches: 3, intervalMs: 3_600_000 }, async (months) => {
    folds.push(months);
    return { partitions: 0, rowsBefore: 0, rowsAfter: 0 };
  });
  auto.committed(tracked);
  auto.committed(tracked);
  assert.equal(folds.length, 0);
  auto.committed(tracked);
  assert.equal(folds.length, 1);
  assert.deepEqual([...folds[0]].map(([t, m]) => [t, [...m]]), [
    ['custom_rollup_stats', [202601]], ['custom_rollup_bins', [202601]], ['custom_rollup_users', [202601]],
    ['custom_totals_stats', [202601]], ['custom_totals_bins', [202601]], ['custom_totals_users', [202601]],
  ]);
});
