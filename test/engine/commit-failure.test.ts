// A failed commit loses nothing and poisons nothing: its submitters get store_unavailable, the
// engine rebuilds its state from the store, and resending the failed events later counts them
// exactly once. The store is the real one; only one commit is made to fail (fault injection).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import { createEngine, StoreUnavailableError } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import { randomStream } from '../support/random-stream.ts';
import { contributions, rollupOf } from '../support/reference-rollups.ts';
import { readRollup } from '../support/read-rollups.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';

const START = Date.parse('2026-11-01T00:00:00Z');
const NOW = START + 12 * 86_400_000;

test('a failed commit is reported, rolled back, and its events count once when resent', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-fail-'));
  const real = await openDuckDbStore({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
  let commits = 0;
  const failing: AnalyticsStore = {
    ...real,
    async commitBatch(b) {
      if (++commits === 3) throw new Error('injected: disk full');
      return real.commitBatch(b);
    },
  };
  const engine = await createEngine({
    store: failing, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000,
    rawRetentionDays: 90, maxBatchEvents: 150, parseWorkers: 0,
  });
  try {
    const { events } = randomStream({ seed: 77, txns: 400, start: START, spanMs: 10 * 86_400_000 });
    const chunks: Array<Array<Record<string, unknown>>> = [];
    for (let i = 0; i < events.length; i += 60) chunks.push(events.slice(i, i + 60));
    // Submit everything at once so that batches are prepared while others commit.
    const outcomes = await Promise.allSettled(chunks.map((items) => engine.submit({ source: 'test', items })));
    const failed = chunks.filter((_, i) => outcomes[i].status === 'rejected');
    assert.ok(failed.length >= 1, 'the injected failure reached a submitter');
    for (const o of outcomes) {
      if (o.status === 'rejected') assert.ok(o.reason instanceof StoreUnavailableError);
    }
    // The producer retries what failed (and, being careful, everything else too), as told by 503s.
    const submitRetrying = async (items: unknown[]): Promise<void> => {
      for (;;) {
        try {
          await engine.submit({ source: 'test', items });
          return;
        } catch (err) {
          if (!(err instanceof StoreUnavailableError)) throw err;
          await new Promise((r) => setTimeout(r, 20));
        }
      }
    };
    for (const items of [...failed, ...chunks]) await submitRetrying(items);
    await engine.flush();
    const expected = contributions(events);
    for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
      assert.deepEqual(await readRollup(real, table), rollupOf(expected, period), `rollup_${table}`);
    }
  } finally {
    await engine.close();
    await real.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
