// Retention and the state rebuild follow one rule: a transaction's payment events are deleted
// together, once its latest event is past the raw cutoff. A transaction straddling the cutoff
// therefore survives whole, in raw and in memory, and a late event after a restart from raw
// moves it exactly as it would have without the restart.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTempPlatform } from '../support/temp-platform.ts';
import { runRetention } from '../../src/retention/run-retention.ts';

const DAY = 86_400_000;
const LATER = Date.parse('2026-11-20T00:00:00Z'); // at midnight, the raw cutoff is exactly now − 90 days
const CUTOFF = (Math.floor(LATER / DAY) - 90) * DAY;
const EARLIER = CUTOFF + DAY; // when the first events arrive, they are well within retention

const base = { merchant_id: 'm1', currency: 'XOF', country: 'SN' };
const at = (ms: number) => new Date(ms).toISOString();

test('a transaction straddling the raw cutoff is kept whole and moves correctly after a restart from raw', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-ret-'));
  let now = EARLIER;
  let p: Awaited<ReturnType<typeof openTempPlatform>> | null = null;
  try {
    p = await openTempPlatform({ dir, now: () => now, rawRetentionDays: 90 });
    await p.engine.submit({ source: 't', items: [
      { event_id: 'e1', type: 'wallet_txn_created', status: 'pending', occurred_at: at(CUTOFF - 60_000), txn_id: 't1', amount: '500', ...base },
      { event_id: 'e2', type: 'wallet_txn_succeeded', occurred_at: at(CUTOFF + 60_000), txn_id: 't1', amount: '500', ...base },
      { event_id: 'e3', type: 'wallet_txn_created', status: 'succeeded', occurred_at: at(CUTOFF - 3 * 60_000), txn_id: 'old', amount: '7', ...base },
    ] });
    now = LATER;
    const report = await runRetention(p.store, p.engine, { rawDays: 90, minuteDays: 180, hourDays: 365 }, now);
    assert.equal(report.evictedTxns, 1, 'only the transaction wholly before the cutoff is forgotten');
    const raw = await p.store.rawEventPage({ from: 0, to: 8.64e15, filters: [], limit: 100 });
    assert.deepEqual(raw.map((r) => r.eventId).sort(), ['e1', 'e2'], 'the straddling transaction keeps both events');
    await p.close();
    rmSync(join(dir, 'ingest-state.snapshot'), { force: true }); // restart from raw, no snapshot

    p = await openTempPlatform({ dir, now: () => now, rawRetentionDays: 90 });
    await p.engine.submit({ source: 't', items: [
      { event_id: 'e4', type: 'wallet_txn_failed', occurred_at: at(CUTOFF + 5 * 60_000), txn_id: 't1', amount: '500', ...base },
    ] });
    // One merchant, country and currency: a cell per (minute, kind).
    const cells = (await p.store.rollupCells('minute')).sort((a, b) => a.minute - b.minute || a.kind - b.kind);
    const creationMinute = (CUTOFF - 60_000) / 60_000;
    assert.deepEqual(
      cells.map((c) => [c.minute, c.kind, Number(c.cnt), Number(c.amountMinor)]),
      [[creationMinute - 2, 2, 1, 7], [creationMinute, 3, 1, 500]],
      'one failed transaction in its creation minute, nothing negative anywhere',
    );
  } finally {
    await p?.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
