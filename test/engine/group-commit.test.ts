// Group commit: submissions queued behind a running batch are committed together, and each one
// gets its own results and dead-letter indexes, as if it had been alone.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempPlatform } from '../support/temp-platform.ts';

const NOW = Date.parse('2026-11-20T12:00:00Z');
const ev = (id: string, extra: Record<string, unknown> = {}) => ({
  event_id: id, type: 'wallet_txn_created', status: 'succeeded', occurred_at: '2026-11-20T10:00:00Z',
  txn_id: `t_${id}`, merchant_id: 'm', amount: '5', currency: 'XOF', country: 'SN', ...extra,
});

test('merged submissions keep their own results and dead-letter indexes', async () => {
  const p = await openTempPlatform({ now: () => NOW });
  try {
    const a = p.engine.submit({ source: 'http', items: [ev('a1')] });
    const b = p.engine.submit({ source: 'http', items: [ev('b1'), ev('b2')] });
    const c = p.engine.submit({ source: 'http', items: [ev('c1'), ev('c2', { currency: 'ZZZ' })] });
    const [ra, rb, rc] = await Promise.all([a, b, c]);
    assert.deepEqual(ra.map((r) => r.status), ['accepted']);
    assert.deepEqual(rb.map((r) => r.status), ['accepted', 'accepted']);
    assert.deepEqual(rc.map((r) => r.status), ['accepted', 'rejected']);
    assert.equal((await p.store.counts()).batches, 2, 'b and c were committed as one batch behind a');
    const [dl, ...more] = await p.store.deadLetters({ limit: 10 });
    assert.deepEqual([dl.batchIndex, dl.eventId, dl.code, more.length], [1, 'c2', 'unknown_currency', 0]);
  } finally {
    await p.close();
  }
});
