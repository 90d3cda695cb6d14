// The custom-event totals (src/store/custom-totals.ts), on DuckDB and on a real ClickHouse: an
// answer neither filtered nor grouped by a dimension, at hour or day grain, is read from them; it
// must equal the answer read from the rollup rows of every tuple (the same question filtered by
// every value of a dimension), and the exact values from raw. A store made before the totals gets
// them from its rollup rows by a migration (DuckDB 6, ClickHouse 7; on ClickHouse also after a
// run of it cut short, and a reader meanwhile answers from the rollup rows), and later batches
// add to them. Emptying the totals changes the answer:
// it really is read from them.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { StateStore } from '../../src/state-store/state-store.ts';
import type { DefinitionInput } from '../../src/custom-events/definition.ts';
import { customEventStats, type StatsRequest } from '../../src/custom-events/custom-event-stats.ts';
import { trackEvents } from '../../src/custom-events/track-events.ts';
import { createEngine } from '../../src/ingest/engine.ts';
import { frameNdjson } from '../../src/ingest/frame-events.ts';
import { createLogger } from '../../src/log.ts';
import { createPrng } from '../../src/generator/prng.ts';
import { analyticsStore, openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import { openDuckDbBackend } from '../../src/store/duckdb/open-duckdb-backend.ts';
import { openClickHouseBackend } from '../../src/store/clickhouse/open-clickhouse-backend.ts';
import { CUSTOM_TOTALS_TABLES } from '../../src/store/duckdb/custom-totals.ts';
import { CLICKHOUSE_TOTALS_TABLES, CUSTOM_TOTALS_DDL, copyCustomTotals } from '../../src/store/clickhouse/custom-totals.ts';
import { connect } from '../../src/store/clickhouse/connection.ts';
import { waitForMutations } from '../../src/store/clickhouse/recover.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { scanCustomEventKeys } from '../../src/store/queries/custom-event-state.ts';
import { openCustomEventsFixture, trackDeps, type CustomEventsFixture } from '../support/custom-events.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-03-01T00:00:00Z');
const NOW = START + 11 * DAY;
const TYPE = 'fill.measured';
const VENUES = ['xnas', 'xlon', 'xpar'];

interface Ev { at: number; user: string; venue: string; side: string; latency: number; pnl: number }

let fx: CustomEventsFixture;
let state: StateStore;
let database: string;
const events: Ev[] = [];
const DEFINITION: DefinitionInput = {
  name: TYPE,
  properties: [
    { name: 'venue', type: 'string', role: 'dimension' },
    { name: 'side', type: 'string', role: 'dimension' },
    { name: 'latency', type: 'number', role: 'measure', unit: 'ms' },
    { name: 'pnl', type: 'number', role: 'measure', unit: 'minor_units:XOF' },
  ],
};
const options = () => ({ dataDir: join(fx.dir, 'duck'), memoryLimit: '256MB', threads: 1 });

/** Each backend: how the platform opens its store, and how to take it back to before its totals. */
const BACKENDS = {
  duckdb: {
    open: () => openDuckDbStore(options()),
    async unmigrate() {
      const old = await openDuckDbBackend(options());
      await old.exec([...CUSTOM_TOTALS_TABLES.map(([t]) => `DROP TABLE ${t}`), 'DELETE FROM schema_migrations WHERE version = 6']);
      await old.close();
    },
  },
  clickhouse: {
    open: async () => analyticsStore(await openClickHouseBackend({ url: fx.server.url, database })),
    /** Before migration 7, and as a run of it cut short after copying the rows (before folding and recording) left it. */
    async unmigrate() {
      const ch = await connect({ url: fx.server.url, database });
      for (const t of CLICKHOUSE_TOTALS_TABLES) await ch.command(`DROP TABLE ${t}`);
      await ch.command('ALTER TABLE schema_migrations DELETE WHERE version = 7');
      await waitForMutations(ch, ['schema_migrations']);
      for (const sql of CUSTOM_TOTALS_DDL) await ch.command(sql);
      await copyCustomTotals(ch);
      await ch.close();
    },
  },
};

async function track(store: AnalyticsStore, chosen: Ev[], offset: number): Promise<void> {
  const engine = await createEngine({ store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 90, maxBatchEvents: 500, parseWorkers: 0 });
  const lines = chosen.map((e, i) => JSON.stringify({
    event_type: TYPE, event_id: `e${offset + i}`, user_id: e.user, timestamp: new Date(e.at).toISOString(),
    properties: { venue: e.venue, side: e.side, latency: e.latency, pnl: e.pnl },
  }));
  const deps = trackDeps(state, engine, NOW);
  const results = await Promise.all(Array.from({ length: Math.ceil(lines.length / 200) }, (_, k) =>
    trackEvents(deps, frameNdjson(Buffer.from(lines.slice(k * 200, k * 200 + 200).join('\n'))))));
  assert.ok(results.flat().every((r) => r.status === 'accepted'));
  await engine.close();
}

before(async () => {
  fx = await openCustomEventsFixture('custom-totals', NOW, DEFINITION);
  state = fx.state;
  database = await fx.server.createDatabase('custom_totals');
  const rng = createPrng('custom-totals');
  for (let i = 0; i < 4000; i++) {
    events.push({
      at: START + Math.floor(rng.float() * 10 * DAY), user: `u${rng.int(0, 299)}`, venue: rng.pick(VENUES), side: rng.pick(['buy', 'sell']),
      latency: Math.round(Math.exp(2 + rng.normal()) * 1000) / 1000, pnl: rng.int(-9_000_000, 9_000_000) * 1_000_003,
    });
  }
});

after(async () => {
  await fx?.close();
});

const ask = (store: AnalyticsStore, r: Partial<StatsRequest>) => customEventStats({ store, state, maxBuckets: 100_000 }, {
  name: TYPE, measure: null, interval: 'all', from: START, to: START + 10 * DAY, tz: 'UTC', groupBy: null, filters: {}, merchantId: null, ...r,
});

const QUESTIONS: Array<Partial<StatsRequest>> = [
  { measure: 'pnl' },
  { measure: 'latency', interval: '1h', from: START + 3 * DAY, to: START + 4 * DAY },
  { measure: 'latency', interval: '1d' },
];

/** The answers, float sums to 12 digits (their order of addition differs between the two sources). */
async function answers(store: AnalyticsStore, filters: StatsRequest['filters'] = {}) {
  return Promise.all(QUESTIONS.map(async (q) => {
    const a = await ask(store, { ...q, filters });
    return { ...a, items: a.items.map((i) => ({ ...i, sum: typeof i.sum === 'number' ? Number(i.sum.toPrecision(12)) : i.sum, avg: typeof i.avg === 'number' ? Number(i.avg.toPrecision(12)) : i.avg })) };
  }));
}

function assertExact(what: string, item: Record<string, unknown>, chosen: Ev[]): void {
  assert.equal(item.count, chosen.length, `${what}: count`);
  assert.equal(item.sum, chosen.reduce((a, e) => a + BigInt(e.pnl), 0n).toString(), `${what}: money sum`);
  assert.equal(item.min, String(Math.min(...chosen.map((e) => e.pnl))), `${what}: min`);
}

for (const [name, backend] of Object.entries(BACKENDS)) {
  test(`${name}: hour and day answers without dimensions come from the totals: equal to the rollup rows' answers and exact; a store made before them gets them by a migration`, { timeout: 120_000 }, async () => {
    const first = events.slice(0, 2500);
    let store = await backend.open();
    await track(store, first, 0);
    const fromTotals = await answers(store);
    assert.deepEqual(fromTotals.map((a) => a.grain), ['1d', '1h', '1d']);
    assert.deepEqual(fromTotals, await answers(store, { venue: VENUES }), 'the totals agree with the rollup rows of every tuple');
    assertExact('10 days', fromTotals[0].items[0] as unknown as Record<string, unknown>, first);
    const hours = await ask(store, { measure: 'pnl', interval: '1h', from: START + 3 * DAY, to: START + 4 * DAY });
    assert.equal(hours.items.length, 24);
    hours.items.forEach((item, h) => assertExact(`hour ${h}`, item as unknown as Record<string, unknown>,
      first.filter((e) => e.at >= START + 3 * DAY + h * 3_600_000 && e.at < START + 3 * DAY + (h + 1) * 3_600_000)));
    await store.close();

    // The store as it was before the totals, then opened again: they are made from the rows stored.
    await backend.unmigrate();
    if (name === 'clickhouse') {
      // A read-only process beside a writer whose migration is under way (the totals emptied,
      // not yet refilled, the migration not recorded) answers from the rollup rows.
      const ch = await connect({ url: fx.server.url, database });
      for (const t of CLICKHOUSE_TOTALS_TABLES) await ch.command(`TRUNCATE TABLE ${t}`);
      await ch.close();
      const reader = analyticsStore(await openClickHouseBackend({ url: fx.server.url, database, reader: true }));
      assert.deepEqual(await answers(reader), fromTotals, 'a reader during the migration');
      await reader.close();
    }
    store = await backend.open();
    assert.deepEqual(await answers(store), fromTotals, 'made by the migration');

    // Later batches add to the totals the migration made.
    await track(store, events.slice(first.length), first.length);
    const all = await answers(store);
    assert.deepEqual(all, await answers(store, { venue: VENUES }), 'still equal after more batches');
    assertExact('10 days, all events', all[0].items[0] as unknown as Record<string, unknown>, events);
    await store.close();
  });
}

test('the answer without dimensions is read from the totals: emptied, it has nothing to count; by tuple, it still has', async () => {
  for (const [name, backend] of Object.entries(BACKENDS)) {
    if (name === 'duckdb') {
      const b = await openDuckDbBackend(options());
      await b.exec(CUSTOM_TOTALS_TABLES.map(([t]) => `DELETE FROM ${t}`));
      await b.close();
    } else {
      const ch = await connect({ url: fx.server.url, database });
      for (const t of CLICKHOUSE_TOTALS_TABLES) await ch.command(`TRUNCATE TABLE ${t}`);
      await ch.close();
    }
    const store = await backend.open();
    assert.deepEqual((await ask(store, { measure: 'pnl' })).items.map((i) => i.count), [], `${name}: nothing counted from empty totals`);
    assert.deepEqual((await ask(store, { measure: 'pnl', filters: { venue: VENUES } })).items.map((i) => i.count), [events.length], `${name}: by tuple`);
    await store.close();
  }
});

test('the track index\'s keys are read page by page, whole batches a page: every committed event once', async () => {
  const b = await openDuckDbBackend(options());
  try {
    for (const pageRows of [1, 450, 1_000, 200_000]) {
      const ids = new Map<string, number>();
      const n = await scanCustomEventKeys(b, (id, fingerprint, at) => {
        ids.set(id, (ids.get(id) ?? 0) + 1);
        assert.ok(fingerprint >= 0 && fingerprint < 2 ** 32 && at >= START && at < START + 10 * DAY);
      }, pageRows);
      assert.equal(n, events.length, `${pageRows} rows a page`);
      assert.equal(ids.size, events.length);
      assert.ok([...ids.values()].every((c) => c === 1));
    }
  } finally {
    await b.close();
  }
});
