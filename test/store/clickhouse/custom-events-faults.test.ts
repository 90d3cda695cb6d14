// Tracked custom events exactly once without transactions: a commit to ClickHouse made to fail
// after each of the custom-event writes in turn (raw, stats, sketch bins, user registers). The
// engine reports the failure and rebuilds its state (the track dedupe index and caps included);
// the producer resends everything; then every total is exact (count, money sum, min, max),
// percentiles stay within their bound, each event is stored once and no row of a failed batch
// is left. Real server, real engine. (The payment writes: commit-faults.test.ts.)

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ClickHouseServer } from '../../support/clickhouse-server.ts';
import { openCustomEventsFixture, trackDeps, type CustomEventsFixture } from '../../support/custom-events.ts';
import { openClickHouseBackend } from '../../../src/store/clickhouse/open-clickhouse-backend.ts';
import { CUSTOM_COMMIT_STEPS, type CommitStep } from '../../../src/store/clickhouse/commit-batch.ts';
import { analyticsStore } from '../../../src/store/open-analytics-store.ts';
import { createEngine, StoreUnavailableError, type Engine } from '../../../src/ingest/engine.ts';
import { createLogger } from '../../../src/log.ts';
import type { StateStore } from '../../../src/state-store/state-store.ts';
import { trackEvents } from '../../../src/custom-events/track-events.ts';
import { customEventStats } from '../../../src/custom-events/custom-event-stats.ts';
import { frameNdjson } from '../../../src/ingest/frame-events.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-02-01T00:00:00Z');
const NOW = START + 3 * DAY;
const TYPE = 'order.filled';

let fx: CustomEventsFixture;
let server: ClickHouseServer;
let state: StateStore;

before(async () => {
  fx = await openCustomEventsFixture('custom-faults', NOW, {
    name: TYPE,
    properties: [
      { name: 'symbol', type: 'string', role: 'dimension' },
      { name: 'latency_ms', type: 'number', role: 'measure', unit: 'ms' },
      { name: 'notional', type: 'number', role: 'measure', unit: 'minor_units:XOF' },
    ],
  });
  ({ server, state } = fx);
});
after(async () => { await fx?.close(); });

const events = Array.from({ length: 600 }, (_, i) => ({
  event_type: TYPE, event_id: i % 5 === 0 ? undefined : `f${i}`, user_id: `u${i % 97}`,
  timestamp: new Date(START + i * 397_000).toISOString(),
  properties: { symbol: ['BTC', 'ETH'][i % 2], latency_ms: 1 + ((i * 7919) % 1000) / 7, notional: 1_000_000_007 * (i + 1) },
}));
const bodies = Array.from({ length: 12 }, (_, k) => Buffer.from(events.slice(k * 50, k * 50 + 50).map((e) => JSON.stringify(e)).join('\n')));

async function trackRetrying(engine: Engine, body: Buffer): Promise<void> {
  const deps = trackDeps(state, engine, NOW);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await trackEvents(deps, frameNdjson(body));
      return;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

for (const step of CUSTOM_COMMIT_STEPS) {
  test(`a commit failing after its ${step} write: reported, rebuilt, resent, exact`, { timeout: 120_000 }, async () => {
    let seen = 0;
    let fired = 0;
    const backend = await openClickHouseBackend({
      url: server.url, database: await server.createDatabase(),
      faults: {
        afterWrite(s: CommitStep) {
          if (s === step && ++seen === 2) {
            fired++;
            throw new Error(`injected failure after ${s}`);
          }
        },
      },
    });
    const store = analyticsStore(backend);
    const engine = await createEngine({ store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 90, maxBatchEvents: 100, parseWorkers: 0 });
    try {
      const deps = trackDeps(state, engine, NOW);
      const outcomes = await Promise.allSettled(bodies.map((b) => trackEvents(deps, frameNdjson(b))));
      const rejected = outcomes.filter((o) => o.status === 'rejected');
      assert.equal(fired, 1, 'the fault fired once');
      assert.ok(rejected.length >= 1, 'the failure reached a submitter');
      for (const o of rejected) assert.ok((o as PromiseRejectedResult).reason instanceof StoreUnavailableError);
      assert.equal(engine.stats.failedCommits, 1);

      // The producer resends every body (those that succeeded too: duplicates then).
      for (const b of bodies) await trackRetrying(engine, b);
      await engine.flush();

      const answer = await customEventStats({ store, state, maxBuckets: 1000 }, {
        name: TYPE, measure: 'notional', interval: 'all', from: START, to: START + 3 * DAY, tz: 'UTC', groupBy: null, filters: {}, merchantId: null,
      });
      const item = answer.items[0];
      assert.equal(item.count, events.length, 'each event counted once');
      assert.equal(item.sum, events.reduce((a, e) => a + BigInt(e.properties.notional), 0n).toString(), 'the money sum exact');
      assert.equal(item.min, String(events[0].properties.notional));
      assert.equal(item.max, String(events.at(-1)!.properties.notional));
      assert.equal(item.distinct_users, 97);
      const latency = await customEventStats({ store, state, maxBuckets: 1000 }, {
        name: TYPE, measure: 'latency_ms', interval: '1h', from: START, to: START + 3 * DAY, tz: 'UTC', groupBy: 'symbol', filters: {}, merchantId: null,
      });
      assert.equal(latency.items.reduce((a, i) => a + (i.measure_count ?? 0), 0), events.length);
      const sorted = events.map((e) => e.properties.latency_ms).sort((a, b) => a - b);
      const exact = sorted[Math.floor(0.95 * (sorted.length - 1))];
      const whole = await customEventStats({ store, state, maxBuckets: 1000 }, {
        name: TYPE, measure: 'latency_ms', interval: 'all', from: START, to: START + 3 * DAY, tz: 'UTC', groupBy: null, filters: {}, merchantId: null,
      });
      assert.ok(Math.abs(whole.items[0].p95! - exact) <= 0.01 * exact * (1 + 1e-9), `p95 ${whole.items[0].p95} vs ${exact}`);

      // Stored once, and nothing of the failed batch left above the last commit.
      const [raw] = await backend.select('SELECT count() AS n, uniqExact(event_id) AS d FROM custom_events');
      assert.equal(Number(raw.n), events.length);
      assert.equal(Number(raw.d), events.length);
      const last = Number((await backend.select('SELECT max(batch_id) AS b FROM ingest_batches'))[0].b);
      for (const t of CUSTOM_COMMIT_STEPS) {
        const [left] = await backend.select(`SELECT count() AS n FROM ${t} WHERE batch_id > ${last}`);
        assert.equal(Number(left.n), 0, `${t}: no leftover`);
      }
    } finally {
      await engine.close();
      await store.close();
    }
  });
}
