// Custom event percentiles on both analytics stores: the same tracked events (skewed, bimodal
// and heavy-tailed measures, money in minor units) sent through the real engine to an embedded
// DuckDB store and to a real ClickHouse 18.16 server give the same answers, and every answer is
// within the stated bound of the exact value computed from the raw values: p50/p95/p99 within
// 1 % relative at the same rank, merged across many rollup buckets (30 day rows; a day of 1 440
// minute rows in a half-hour zone; 20 days of minute rows for an unaligned range), counts, sums
// (money exact), min and max exact, distinct users within 3 standard errors. Retention then
// expires each grain by its own cutoff on both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { ClickHouseServer } from '../support/clickhouse-server.ts';
import { openCustomEventsFixture, trackDeps, type CustomEventsFixture } from '../support/custom-events.ts';
import { openAnalyticsStore, openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { createEngine, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';
import { trackEvents } from '../../src/custom-events/track-events.ts';
import { customEventStats, type StatsRequest } from '../../src/custom-events/custom-event-stats.ts';
import { frameNdjson } from '../../src/ingest/frame-events.ts';
import { createPrng } from '../../src/generator/prng.ts';
import { HLL_STANDARD_ERROR } from '../../src/sketch/distinct-sketch.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const NOW = START + 31 * DAY;
const TYPE = 'trade.measured';

interface Ev { at: number; user: string; venue: string; latency: number; bimodal: number; heavy: number; pnl: number }

let fx: CustomEventsFixture;
let server: ClickHouseServer;
let dir: string;
let state: StateStore;
const sides: Array<{ name: string; store: AnalyticsStore; engine: Engine }> = [];
const events: Ev[] = [];

function makeEvents(): void {
  const rng = createPrng('custom-events-stores');
  for (let i = 0; i < 8000; i++) {
    const u1 = rng.float() || 1e-9;
    events.push({
      at: START + Math.floor(rng.float() * 30 * DAY),
      user: `u${rng.int(0, 1999)}`,
      venue: rng.pick(['xnas', 'xlon', 'xpar']),
      latency: Math.exp(2 + 1.2 * rng.normal()), // log-normal: skewed
      bimodal: rng.chance(0.7) ? 20 + 3 * rng.normal() : 900 + 50 * rng.normal(),
      heavy: 1 / Math.pow(u1, 1 / 1.16), // Pareto, shape 1.16: heavy tail
      pnl: rng.int(-5_000_000, 5_000_000) * 1_000_003, // signed money, beyond 2^32
    });
  }
  // Money whose sum leaves a double's exact range within one rollup row (one minute, one venue,
  // one batch): four of the largest accepted amounts. Every total must stay exact.
  for (let i = 0; i < 4; i++) {
    events.push({ at: START + 12 * DAY + 7_000, user: 'u1', venue: 'xpar', latency: 10 + i, bimodal: 20, heavy: 2, pnl: Number.MAX_SAFE_INTEGER });
  }
}

before(async () => {
  makeEvents();
  fx = await openCustomEventsFixture('custom', NOW, {
    name: TYPE,
    properties: [
      { name: 'venue', type: 'string', role: 'dimension' },
      { name: 'latency', type: 'number', role: 'measure', unit: 'ms' },
      { name: 'bimodal', type: 'number', role: 'measure', unit: 'ms' },
      { name: 'heavy', type: 'number', role: 'measure', unit: 'quantity' },
      { name: 'pnl', type: 'number', role: 'measure', unit: 'minor_units:XOF' },
    ],
  });
  ({ server, dir, state } = fx);
  const duck = await openDuckDbStore({ dataDir: join(dir, 'duck'), memoryLimit: '256MB', threads: 1 });
  const click = await openAnalyticsStore({
    ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: await server.createDatabase('custom'),
    CLICKHOUSE_USER: '', CLICKHOUSE_PASSWORD: '', DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '256MB', DUCKDB_THREADS: 1, DUCKDB_CHECKPOINT_THRESHOLD: '256MB',
  });
  const lines = events.map((e, i) => JSON.stringify({
    event_type: TYPE, event_id: `e${i}`, user_id: e.user, timestamp: new Date(e.at).toISOString(),
    properties: { venue: e.venue, latency: e.latency, bimodal: e.bimodal, heavy: e.heavy, pnl: e.pnl },
  }));
  for (const [name, store] of [['duckdb', duck], ['clickhouse', click]] as const) {
    const engine = await createEngine({ store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 90, maxBatchEvents: 1000, parseWorkers: 0 });
    const deps = trackDeps(state, engine, NOW);
    // Chunks in flight together: the engine groups them into batches as it would HTTP requests.
    const results = await Promise.all(Array.from({ length: Math.ceil(lines.length / 400) }, (_, k) =>
      trackEvents(deps, frameNdjson(Buffer.from(lines.slice(k * 400, k * 400 + 400).join('\n'))))));
    assert.ok(results.flat().every((r) => r.status === 'accepted'), name);
    sides.push({ name, store, engine });
  }
});

after(async () => {
  for (const s of sides) {
    await s.engine.close();
    await s.store.close();
  }
  await fx?.close();
});

const ask = (store: AnalyticsStore, r: Partial<StatsRequest>) => customEventStats({ store, state, maxBuckets: 100_000 }, {
  name: TYPE, measure: null, interval: 'all', from: START, to: START + 30 * DAY, tz: 'UTC', groupBy: null, filters: {}, merchantId: null, ...r,
});

/** Float sums depend on the order of addition, which differs between engines: compared to 12 digits. */
const comparable = (a: Awaited<ReturnType<typeof ask>>) => ({
  ...a, items: a.items.map((i) => ({ ...i, sum: typeof i.sum === 'number' ? Number(i.sum.toPrecision(12)) : i.sum, avg: typeof i.avg === 'number' ? Number(i.avg.toPrecision(12)) : i.avg })),
});

const rank = (sorted: number[], q: number) => sorted[Math.floor(q * (sorted.length - 1))];

function assertWithin(name: string, got: number | null, exact: number): void {
  assert.ok(got !== null, `${name}: a value`);
  assert.ok(Math.abs(got - exact) <= 0.01 * Math.abs(exact) * (1 + 1e-9), `${name}: ${got} vs exact ${exact}`);
}

function assertBucket(what: string, item: Record<string, unknown>, chosen: Ev[], measure: keyof Ev): void {
  const values = chosen.map((e) => e[measure] as number).sort((a, b) => a - b);
  assert.equal(item.count, chosen.length, `${what}: count`);
  assert.equal(item.measure_count, chosen.length, `${what}: measure count`);
  assert.equal(item.min, measure === 'pnl' ? String(values[0]) : values[0], `${what}: min`);
  assert.equal(item.max, measure === 'pnl' ? String(values.at(-1)) : values.at(-1), `${what}: max`);
  if (measure === 'pnl') assert.equal(item.sum, chosen.reduce((a, e) => a + BigInt(e.pnl), 0n).toString(), `${what}: exact money sum`);
  else assert.ok(Math.abs((item.sum as number) - values.reduce((a, b) => a + b, 0)) <= 1e-9 * values.reduce((a, b) => a + Math.abs(b), 0), `${what}: sum`);
  for (const q of [0.5, 0.95, 0.99] as const) assertWithin(`${what} p${q * 100}`, item[`p${q * 100}`] as number, rank(values, q));
  const users = new Set(chosen.map((e) => e.user)).size;
  assert.ok(Math.abs((item.distinct_users as number) - users) <= 3 * HLL_STANDARD_ERROR * users + 1, `${what}: distinct ${item.distinct_users} vs ${users}`);
}

test('30 UTC days in one bucket, merged from day rows: every measure within its bound, both stores the same', async () => {
  for (const measure of ['latency', 'bimodal', 'heavy', 'pnl'] as const) {
    const answers = await Promise.all(sides.map((s) => ask(s.store, { measure })));
    assert.deepEqual(comparable(answers[1]), comparable(answers[0]), `${measure}: DuckDB and ClickHouse answer the same`);
    assert.equal(answers[0].grain, '1d');
    assertBucket(`${measure} (${answers[0].grain})`, answers[0].items[0] as unknown as Record<string, unknown>, events, measure);
  }
});

test('days in Asia/Kolkata (+05:30), each merged from 1 440 minute rows; an unaligned range over minute rows; groups in Europe/Paris hours', async () => {
  for (const s of sides) {
    const from = Date.parse('2026-01-10T00:00:00+05:30');
    const kolkata = await ask(s.store, { measure: 'heavy', interval: '1d', tz: 'Asia/Kolkata', from, to: from + 5 * DAY });
    assert.equal(kolkata.grain, '1m');
    assert.equal(kolkata.items.length, 5);
    kolkata.items.forEach((item, d) => assertBucket(`${s.name} Kolkata day ${d}`, item as unknown as Record<string, unknown>,
      events.filter((e) => e.at >= from + d * DAY && e.at < from + (d + 1) * DAY), 'heavy'));

    const uFrom = START + 7 * 60_000;
    const unaligned = await ask(s.store, { measure: 'bimodal', from: uFrom, to: uFrom + 20 * DAY });
    assert.equal(unaligned.grain, '1m');
    assertBucket(`${s.name} unaligned`, unaligned.items[0] as unknown as Record<string, unknown>, events.filter((e) => e.at >= uFrom && e.at < uFrom + 20 * DAY), 'bimodal');

    const pFrom = Date.parse('2026-01-05T00:00:00+01:00');
    const paris = await ask(s.store, { measure: 'latency', interval: '1d', tz: 'Europe/Paris', from: pFrom, to: pFrom + 2 * DAY, groupBy: 'venue', filters: { venue: ['xnas', 'xpar'] } });
    assert.equal(paris.grain, '1h');
    assert.deepEqual(paris.items.map((i) => i.group), ['xnas', 'xpar', 'xnas', 'xpar']);
    paris.items.forEach((item, k) => {
      const d = Math.floor(k / 2);
      assertBucket(`${s.name} Paris ${item.group} day ${d}`, item as unknown as Record<string, unknown>,
        events.filter((e) => e.venue === item.group && e.at >= pFrom + d * DAY && e.at < pFrom + (d + 1) * DAY), 'latency');
    });
  }
});

test('retention expires raw events and each grain by its own cutoff, the same on both', async () => {
  const cut = START + 10 * DAY;
  const cutMin = cut / 60_000;
  for (const s of sides) {
    await s.store.expireBefore({
      rawBeforeMs: 0, minuteBefore: 0, hourBefore: 0,
      custom: { rawBeforeMs: cut, minuteBefore: cutMin, hourBefore: cutMin - 5 * 1440, dayBefore: 0 },
    });
  }
  const kept = events.filter((e) => e.at >= cut);
  for (const s of sides) {
    // Minute rows before the cut are gone; day rows are all kept; raw dedupe keys only from the cut.
    const minute = await ask(s.store, { from: START + 7 * 60_000, to: START + 30 * DAY });
    assert.equal(minute.items[0].count, kept.length, `${s.name}: minute rows from the cut`);
    const day = await ask(s.store, {});
    assert.equal(day.items[0].count, events.length, `${s.name}: day rows kept`);
    const hour = await ask(s.store, { from: START + 60 * 60_000, to: START + 30 * DAY });
    assert.equal(hour.items[0].count, events.filter((e) => e.at >= cut - 5 * DAY).length, `${s.name}: hour rows from their own cut`);
    const ids = new Set<string>();
    assert.equal(await s.store.scanCustomEventKeys((id) => ids.add(id)), kept.length, `${s.name}: raw events from the cut`);
    assert.equal(ids.size, kept.length, `${s.name}: each once`);
  }
});
