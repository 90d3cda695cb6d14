// Exactly once without transactions: a commit to ClickHouse made to fail after each of its
// writes in turn (the marker's included). Each time the engine reports the failure and rebuilds
// its state from the store; the producer then resends everything; every rollup equals the
// independent reference, raw holds each event once, and no id of a batch-written table repeats
// (ids are reused after a failure, so a leftover would show). Real server, real engine.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startClickHouse } from '../../support/clickhouse-server.ts';
import { openClickHouseBackend } from '../../../src/store/clickhouse/open-clickhouse-backend.ts';
import { COMMIT_STEPS, type CommitStep } from '../../../src/store/clickhouse/commit-batch.ts';
import { COMMITTED } from '../../../src/store/clickhouse/committed.ts';
import { StoreUnavailableError, type Engine } from '../../../src/ingest/engine.ts';
import { assertExact, openEngine, submitRetrying, testStream } from '../support/clickhouse-ingest.ts';
import type { StoreBackend } from '../../../src/store/backend.ts';
import type { BatchInput } from '../../../src/ingest/prepare-batch.ts';

const server = await startClickHouse();
after(() => server.stop());

/** Replays every committed dead letter not replayed yet (the payloads are rejected again: new dead letters). */
async function replayInput(backend: StoreBackend): Promise<BatchInput> {
  const rows = await backend.select(`SELECT id, payload FROM dead_letters WHERE ${COMMITTED}
    AND id NOT IN (SELECT id FROM dead_letter_replays WHERE ${COMMITTED}) ORDER BY id LIMIT 5`);
  return { source: 'replay', items: rows.map((r) => String(r.payload)), replayIds: rows.map((r) => Number(r.id)) };
}

for (const step of COMMIT_STEPS) {
  test(`a commit failing after its ${step} write: reported, rebuilt, resent, exact`, { timeout: 120_000 }, async () => {
    // The second write of that step fails (the first replay batch for replays), mid-stream.
    const failAt = step === 'dead_letter_replays' ? 1 : 2;
    let seen = 0;
    let fired = 0;
    const backend = await openClickHouseBackend({
      url: server.url, database: await server.createDatabase(),
      faults: {
        afterWrite(s: CommitStep) {
          if (s === step && ++seen === failAt) {
            fired++;
            throw new Error(`injected failure after ${s}`);
          }
        },
      },
    });
    let engine: Engine | undefined;
    try {
      const { events, inputs } = testStream(20 + COMMIT_STEPS.indexOf(step), 120, 30);
      engine = await openEngine(backend);
      // Everything in flight at once, so that later batches are prepared while the failing one commits.
      const outcomes = await Promise.allSettled(inputs.map((input) => engine!.submit(input)));
      const replay = await replayInput(backend);
      const replayOutcome = await Promise.allSettled([engine.submit(replay)]);
      const rejected = [...outcomes, ...replayOutcome].filter((o) => o.status === 'rejected');
      assert.equal(fired, 1, 'the fault fired once');
      assert.ok(rejected.length >= 1, 'the failure reached a submitter');
      for (const o of rejected) assert.ok((o as PromiseRejectedResult).reason instanceof StoreUnavailableError);
      assert.equal(engine.stats.failedCommits, 1);

      const resend = [...inputs, await replayInput(backend)];
      await Promise.all(resend.map((input) => submitRetrying(engine!, input)));
      await engine.flush();
      await assertExact(backend, events);
    } finally {
      await engine?.close();
      await backend.close();
    }
  });
}
