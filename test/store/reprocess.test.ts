// Reprocess over a range of days, on both backends: rollup rows tampered with (a changed amount,
// deleted rows, a bogus row) are found by the dry run, which writes nothing, and the real run
// restores every cell of the range to its exact value from raw (checked against the independent
// reference), leaves the days outside the range alone, and a second run finds nothing to do.
// Reprocess from a Kafka offset moves the partition's stored position back.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEngine, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import { analyticsStore } from '../../src/store/open-analytics-store.ts';
import { openDuckDbBackend } from '../../src/store/duckdb/open-duckdb-backend.ts';
import { openClickHouseBackend } from '../../src/store/clickhouse/open-clickhouse-backend.ts';
import { reprocessRange, type ReprocessReport } from '../../src/reprocess/rebuild-rollups.ts';
import { parsePartitionOffsets, rewindKafka } from '../../src/reprocess/rewind-kafka.ts';
import type { StoreBackend } from '../../src/store/backend.ts';
import type { AnalyticsStore } from '../../src/store/analytics-store.ts';
import { randomStream } from '../support/random-stream.ts';
import { acceptedEvents, contributions, rollupOf } from '../support/reference-rollups.ts';
import { readRollup } from '../support/read-rollups.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-10-28T00:00:00Z');
const NOW = START + 8 * DAY;
const LIMITS = { rawCutoffMs: NOW - 90 * DAY, minuteBefore: 0, hourBefore: 0 };
const PERIOD = { minute: 1, hour: 60, day: 1440 } as const;
const TABLES = ['minute', 'hour', 'day'] as const;
// The range: every day of the stream but its first, which is tampered with and must stay so.
const RANGE = { fromMs: START + DAY, toMs: START + 7 * DAY + 3_600_000 }; // widened to the day's end
const inRange = (key: string) => Number(key.split('|')[0]) >= (START + DAY) / 60_000;

const events = randomStream({ seed: 17, txns: 400, start: START, spanMs: 6 * DAY }).events;
const reference = (() => {
  const cs = contributions(acceptedEvents(events));
  return Object.fromEntries(TABLES.map((t) => [t, rollupOf(cs, PERIOD[t])])) as Record<(typeof TABLES)[number], Map<string, string>>;
})();

async function ingest(backend: StoreBackend): Promise<{ store: AnalyticsStore; engine: Engine }> {
  const store = analyticsStore(backend);
  const engine = await createEngine({
    store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 90, maxBatchEvents: 500, parseWorkers: 0,
  });
  for (let i = 0; i < events.length; i += 500) await engine.submit({ source: 'test', items: events.slice(i, i + 500) });
  await engine.flush();
  return { store, engine };
}

async function rollups(store: AnalyticsStore) {
  return Object.fromEntries(await Promise.all(TABLES.map(async (t) => [t, await readRollup(store, t)]))) as typeof reference;
}

/** Bucket starts (epoch minutes) of the first day (outside the range) and of a day inside it. */
const OUTSIDE = START / 60_000;
const INSIDE = (START + 3 * DAY) / 60_000;

/** `sums`: what reprocess reports of the backend's sums per currency (none on DuckDB; on ClickHouse they follow the correction). */
async function check(store: AnalyticsStore, engine: Engine, sums: ReprocessReport['summaries'], tamper: () => Promise<void>) {
  assert.deepEqual(await rollups(store), reference, 'ingest gives the reference');
  await tamper();
  const tampered = await rollups(store);
  assert.notDeepEqual(tampered, reference);

  const dry = await reprocessRange(store, engine, RANGE, LIMITS, true);
  assert.equal(dry.batchId, null);
  assert.equal(dry.from, new Date(START + DAY).toISOString());
  assert.equal(dry.to, new Date(START + 8 * DAY).toISOString());
  assert.ok(dry.tables.minute.cellsChanged >= 1 && dry.tables.hour.cellsChanged >= 1 && dry.tables.day.cellsChanged >= 1, JSON.stringify(dry.tables));
  assert.ok(dry.changes.every((c) => c.minute >= (START + DAY) / 60_000));
  assert.deepEqual(await rollups(store), tampered, 'a dry run writes nothing');

  const run = await reprocessRange(store, engine, RANGE, LIMITS, false);
  assert.ok(run.batchId !== null);
  assert.deepEqual(run.tables, dry.tables, 'the run corrects what the dry run showed');
  assert.deepEqual(run.changes, dry.changes);
  assert.deepEqual(dry.summaries, sums);
  assert.deepEqual(run.summaries, sums);
  const after = await rollups(store);
  for (const t of TABLES) {
    const pick = (m: Map<string, string>, inside: boolean) => new Map([...m].filter(([k]) => inRange(k) === inside));
    assert.deepEqual(pick(after[t], true), pick(reference[t], true), `${t}: the range is exact again`);
    assert.deepEqual(pick(after[t], false), pick(tampered[t], false), `${t}: outside the range nothing moved`);
  }
  const again = await reprocessRange(store, engine, RANGE, LIMITS, false);
  assert.equal(again.changes.length, 0);
  assert.equal(again.batchId, null);

  // From a Kafka offset: the partition's stored position moves back (a dry run only shows it).
  await engine.submit({ source: 'kafka', positions: [{ source: 'kafka:payments/0', position: '500' }], items: [events[0]] });
  const offsets = parsePartitionOffsets('payments/0=120,payments/1=7')!;
  const shown = await rewindKafka(store, engine, offsets, true);
  assert.deepEqual(shown.partitions, [{ source: 'kafka:payments/0', stored: '500', from: '120' }, { source: 'kafka:payments/1', stored: null, from: '7' }]);
  assert.equal(await store.sourcePosition('kafka:payments/0'), '500');
  const moved = await rewindKafka(store, engine, offsets, false);
  assert.ok(moved.batchId !== null);
  assert.equal(await store.sourcePosition('kafka:payments/0'), '120');
  assert.equal(await store.sourcePosition('kafka:payments/1'), '7');
  assert.equal(parsePartitionOffsets('payments/x=1'), null);
}

test('DuckDB: reprocess restores tampered rollups of a range exactly', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-reprocess-'));
  const backend = await openDuckDbBackend({ dataDir: dir, memoryLimit: '512MB', threads: 1 });
  const { store, engine } = await ingest(backend);
  try {
    await check(store, engine, {}, () => backend.exec([
      ...TABLES.map((t) => `UPDATE rollup_${t} SET amount_minor = amount_minor + 999, cnt = cnt + 1
        WHERE rowid = (SELECT min(rowid) FROM rollup_${t} WHERE minute >= ${INSIDE} AND cnt > 0)`),
      `DELETE FROM rollup_minute WHERE rowid IN (SELECT rowid FROM rollup_minute WHERE minute >= ${INSIDE} AND cnt > 0 LIMIT 3)`,
      `INSERT INTO rollup_hour SELECT ${INSIDE + 60}, merchant_key, country_key, city_key, currency_key, method_key, provider_key, 7, 5, 12345, 6
        FROM rollup_hour LIMIT 1`,
      `UPDATE rollup_day SET fee_minor = fee_minor + 1 WHERE rowid = (SELECT min(rowid) FROM rollup_day WHERE minute = ${OUTSIDE})`,
    ]));
  } finally {
    await engine.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

let server: ClickHouseServer | null = null;
after(async () => { await server?.stop(); });

test('ClickHouse: reprocess restores tampered rollups of a range exactly, through the commit protocol', async () => {
  server = await startClickHouse();
  const backend = await openClickHouseBackend({ url: server.url, database: await server.createDatabase() });
  const { store, engine } = await ingest(backend);
  const cols = 'minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind, cnt, amount_minor, fee_minor, batch_id';
  try {
    await check(store, engine, { hour: 0, day: 0 }, () => backend.exec([
      // Rows of a committed batch (1) that no ingest wrote: a changed cell, a cell cancelled out
      // (as if deleted), a bogus one, and one outside the range.
      ...TABLES.map((t) => `INSERT INTO rollup_${t} (${cols})
        SELECT minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind, 1, 999, 0, 1
        FROM rollup_${t} WHERE minute >= ${INSIDE} AND cnt > 0 ORDER BY minute, merchant_key, kind LIMIT 1`),
      `INSERT INTO rollup_minute (${cols})
        SELECT minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind, -sum(cnt), -sum(amount_minor), -sum(fee_minor), 1
        FROM rollup_minute WHERE minute >= ${INSIDE + 600}
        GROUP BY minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind
        HAVING sum(cnt) > 0 ORDER BY minute LIMIT 3`,
      `INSERT INTO rollup_hour (${cols}) VALUES (${INSIDE + 60}, 1, 1, 0, 1, 0, 0, 7, 5, 12345, 6, 1)`,
      `INSERT INTO rollup_day (${cols}) SELECT minute, merchant_key, country_key, city_key, currency_key, method_key, provider_key, kind, 0, 0, 1, 1
        FROM rollup_day WHERE minute = ${OUTSIDE} LIMIT 1`,
    ]));

    // The sums per currency drifted on their own (rows written to them alone, by a committed
    // batch): reprocess mends them over its range, from the rollup rows, and leaves the rest.
    const sumCols = 'minute, currency_key, kind, cnt, amount_minor, fee_minor, batch_id';
    // Hour buckets before the hour rows' retention floor are retention's: left alone, as the
    // rollup correction leaves them.
    const floor = (START + 2 * DAY) / 60_000;
    const limits = { ...LIMITS, hourBefore: floor };
    await backend.exec([
      `INSERT INTO rollup_hour_by_currency (${sumCols}) VALUES (${INSIDE + 120}, 1, 2, 3, 700, 5, 1)`,
      `INSERT INTO rollup_hour_by_currency (${sumCols}) VALUES (${floor - 60}, 1, 2, 1, 1, 1, 1)`,
      `INSERT INTO rollup_day_by_currency (${sumCols}) SELECT minute, currency_key, kind, -1, -250, 0, 1
        FROM rollup_day_by_currency WHERE minute = ${INSIDE} AND cnt > 0 ORDER BY currency_key, kind LIMIT 1`,
      `INSERT INTO rollup_day_by_currency (${sumCols}) VALUES (${OUTSIDE}, 1, 2, 1, 1, 1, 1)`,
    ]);
    const rangeOf = (table: 'hour' | 'day', from: number, to: number) => ({ table, fromMinute: from / 60_000, toMinute: to / 60_000 });
    const inside = (t: 'hour' | 'day') => rangeOf(t, t === 'hour' ? floor * 60_000 : START + DAY, START + 8 * DAY);
    const outside = rangeOf('day', START, START + DAY);
    const beforeFloor = rangeOf('hour', START + DAY, floor * 60_000);
    const differing = async (q: ReturnType<typeof inside>) => (await store.summaryVerify(q))!.differences.length;
    const all = async () => [await differing(inside('hour')), await differing(inside('day')), await differing(outside), await differing(beforeFloor)];
    assert.deepEqual(await all(), [1, 1, 1, 1]);
    const dry = await reprocessRange(store, engine, RANGE, limits, true);
    assert.deepEqual([dry.changes.length, dry.summaries], [0, { hour: 1, day: 1 }], 'the dry run counts the cells');
    assert.deepEqual(await all(), [1, 1, 1, 1], 'a dry run writes nothing');
    const rowsBefore = await rollups(store);
    const run = await reprocessRange(store, engine, RANGE, limits, false);
    assert.deepEqual(await rollups(store), rowsBefore, 'the mend writes to the sums only');
    assert.deepEqual([run.batchId, run.summaries], [null, { hour: 1, day: 1 }], 'the rollups stand; the sums are mended');
    assert.deepEqual(await all(), [0, 0, 1, 1],
      'the range agrees with its rollup rows again; the day outside it, and the hours before the floor, are left as they were');
    const again = await reprocessRange(store, engine, RANGE, limits, false);
    assert.deepEqual(again.summaries, { hour: 0, day: 0 }, 'nothing left to mend');
    // A range of many spans (each insert may write 100 months at most): since 1970.
    assert.equal(await store.summaryMend({ table: 'day', fromMinute: 0, toMinute: NOW / 60_000 }), 1, 'the day outside the range');
    assert.equal(await differing(outside), 0);
    // Before migration 9 is recorded nothing reads the sums, and nothing mends them.
    await backend.exec(['ALTER TABLE schema_migrations DELETE WHERE version = 9']);
    while (Number((await backend.select('SELECT count() AS n FROM schema_migrations WHERE version = 9'))[0].n) > 0) {
      await new Promise((r) => setTimeout(r, 50)); // the delete is a mutation, applied in the background
    }
    assert.equal(await store.summaryMend({ table: 'hour', fromMinute: 0, toMinute: NOW / 60_000 }), null);
  } finally {
    await engine.close();
    await store.close();
  }
});
