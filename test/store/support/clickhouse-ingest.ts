// Shared by the ClickHouse backend tests and their child process: a seeded stream whose events
// span a month boundary (so one batch's raw insert writes two partitions), mixed with invalid
// events (dead letters); an engine over the backend; resending until accepted; and the check
// that every total is exact against the independent reference.

import assert from 'node:assert/strict';
import { createEngine, StoreUnavailableError, type Engine } from '../../../src/ingest/engine.ts';
import { createLogger } from '../../../src/log.ts';
import type { StoreBackend } from '../../../src/store/backend.ts';
import { COMMITTED } from '../../../src/store/clickhouse/committed.ts';
import { BY_CURRENCY_SOURCE, BY_CURRENCY_TABLES } from '../../../src/store/clickhouse/by-currency.ts';
import { randomStream } from '../../support/random-stream.ts';
import { acceptedEvents, contributions, rollupOf } from '../../support/reference-rollups.ts';
import { rawEventCounts } from './clickhouse-store.ts';
import { readRollup } from '../../support/read-rollups.ts';
import { analyticsStore } from '../../../src/store/open-analytics-store.ts';
import type { BatchInput } from '../../../src/ingest/prepare-batch.ts';
import { assertTransactionsExact } from './transaction-table.ts';

export const START = Date.parse('2026-10-28T00:00:00Z');
export const NOW = START + 8 * 86_400_000;

type Event = Record<string, unknown>;

/** Drops the later copies of an event id sent with other content: which copy wins would depend on which batch failed. */
function withoutConflicts(events: Event[]): Event[] {
  const first = new Map<string, number>();
  return events.filter((e) => {
    const seen = first.get(e.event_id as string);
    if (seen === undefined) {
      first.set(e.event_id as string, Number(e.amount));
      return true;
    }
    return seen === Number(e.amount);
  });
}

export interface TestStream {
  /** The valid events, in arrival order (the reference's input). */
  events: Event[];
  /** Submissions of `chunk` valid events (one of a new merchant) and an invalid one, each with a source position. */
  inputs: BatchInput[];
}

export function testStream(seed: number, txns: number, chunk: number): TestStream {
  const stream = withoutConflicts(randomStream({ seed, txns, start: START, spanMs: 6 * 86_400_000 }).events);
  // A new merchant in every chunk, so that every batch adds to the dictionary.
  const events: Event[] = [];
  for (let i = 0; i < stream.length; i += chunk - 1) {
    events.push({
      event_id: `fresh_${i}`, type: 'payout_created', occurred_at: new Date(START + i * 60_000).toISOString(),
      payout_id: `pf_${i}`, merchant_id: `m_fresh_${i}`, currency: 'XOF', country: 'SN', amount: '7',
    }, ...stream.slice(i, i + chunk - 1));
  }
  // Text that must survive every escape of the way to ClickHouse and back (tab, newline, CR,
  // backslash, quotes, a backslash before a quote, non-ASCII).
  events.push({
    event_id: 'odd\t"id"\\\'\n', type: 'invoice.paid', occurred_at: new Date(START + 3_600_000).toISOString(),
    txn_id: 't\\odd\'', merchant_id: 'm_dakar', currency: 'XOF', country: 'SN', amount: '12', customer_id: 'c\\\'\t',
    metadata: { note: 'a\tb\nc\r\\d\'e"f 🎉 ß', nested: { x: [1, '\\N'] } },
  });
  const inputs: BatchInput[] = [];
  for (let i = 0; i < events.length; i += chunk) {
    const items: unknown[] = events.slice(i, i + chunk);
    items.splice(items.length >> 1, 0, { event_id: `bad_${i}`, type: 'no_such_type', note: 'tab\there \\ \'' });
    inputs.push({ source: 'test', positions: [{ source: 'test', position: `pos-${i}` }], items });
  }
  return { events, inputs };
}

export function openEngine(backend: StoreBackend, maxBatchEvents = 100): Promise<Engine> {
  return createEngine({
    store: analyticsStore(backend), log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000,
    rawRetentionDays: 90, maxBatchEvents, parseWorkers: 0,
  });
}

/** Submits until the engine takes it (it answers 503-style errors while it recovers), for at most 60 s. */
export async function submitRetrying(engine: Engine, input: BatchInput): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await engine.submit(input);
      return;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

/** Every rollup and transaction row equals the reference; raw holds each accepted event once; no id of a batch-written table repeats. */
export async function assertExact(backend: StoreBackend, events: Event[]): Promise<void> {
  const expected = contributions(events);
  for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
    assert.deepEqual(await readRollup(analyticsStore(backend), table), rollupOf(expected, period), `rollup_${table}`);
  }
  // The sums per currency (materialized views' tables) equal their sources', which equal the reference.
  for (const table of BY_CURRENCY_TABLES) {
    const sums = (from: string) => backend.select(`SELECT minute, currency_key, kind, toString(sum(toDecimal128(cnt, 0))) AS c,
      toString(sum(toDecimal128(amount_minor, 0))) AS a, toString(sum(toDecimal128(fee_minor, 0))) AS f
      FROM ${from} WHERE ${COMMITTED} GROUP BY minute, currency_key, kind ORDER BY minute, currency_key, kind`);
    assert.deepEqual(await sums(table), await sums(BY_CURRENCY_SOURCE[table]), table);
  }
  await assertTransactionsExact(backend, events, 'merchant_transactions');
  const raw = await rawEventCounts(backend);
  assert.equal(raw.rows, acceptedEvents(events).length, 'raw rows');
  assert.equal(raw.distinct, raw.rows, 'each event once in raw');
  // Ids are reused after a failure: a leftover would show as a repeated id.
  const [u] = await backend.select(`SELECT
    (SELECT count() - uniqExact(id) FROM dead_letters) AS dead_letters,
    (SELECT count() - uniqExact(dim, key) FROM dim_values) AS dim_values,
    (SELECT count() - uniqExact(batch_id) FROM ingest_batches) AS batches,
    (SELECT count() FROM raw_events WHERE NOT ${COMMITTED}) AS uncommitted_raw`);
  assert.deepEqual(u, { dead_letters: 0n, dim_values: 0n, batches: 0n, uncommitted_raw: 0n });
}
