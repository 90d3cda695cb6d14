// The ClickHouse backend of the analytics store against a real private server (Debian's 18.16
// here): migrations (an older database's rollups re-sorted, also after a rebuild cut short), the
// Native blocks commits write, what select answers (bigint, exact decimals, any text), a stream committed
// through the real engine and read back (meta, state scan, dictionary, positions, rollups), and
// leftovers of an uncommitted batch: invisible at once, gone after the next open.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { startClickHouse } from '../../support/clickhouse-server.ts';
import { openClickHouseBackend } from '../../../src/store/clickhouse/open-clickhouse-backend.ts';
import { chString } from '../../../src/store/clickhouse/clickhouse-literal.ts';
import { BATCH_TABLES } from '../../../src/store/clickhouse/commit-batch.ts';
import { BY_CURRENCY_TABLES } from '../../../src/store/clickhouse/by-currency.ts';
import { analyticsStore } from '../../../src/store/open-analytics-store.ts';
import { CURRENCY_CODES } from '../../../src/reference/currencies.ts';
import { acceptedEvents } from '../../support/reference-rollups.ts';
import { MIGRATIONS, ROLLUP_ORDER } from '../../../src/store/clickhouse/migrations.ts';
import { fxRateLookup } from '../../../src/store/queries/fx.ts';
import { createLogger } from '../../../src/log.ts';
import { connect, isResetSocket, newQueryId } from '../../../src/store/clickhouse/connection.ts';
import { createServer, connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { constantUInt32, nativeBlock } from '../../../src/store/clickhouse/native-block.ts';
import { parseNative } from '../../../src/store/clickhouse/native-answer.ts';
import { assertExact, NOW, openEngine, START, submitRetrying, testStream } from '../support/clickhouse-ingest.ts';
import type { StateRow } from '../../../src/store/analytics-store.ts';
type Event = Record<string, unknown>;

const server = await startClickHouse();
after(() => server.stop());

const open = async (database: string) => openClickHouseBackend({ url: server.url, database });

test('migrations create every table once; opening again changes nothing and keeps the store id', async () => {
  const database = `fresh_${Date.now()}`; // created by the backend
  const first = await open(database);
  const tables = async () => (await first.select(`SELECT name FROM system.tables WHERE database = ${chString(database)} ORDER BY name`)).map((r) => r.name);
  const before = await tables();
  const meta = await first.loadMeta();
  await first.close();
  const second = await open(database);
  try {
    assert.deepEqual(before, ['currencies', 'custom_events', 'custom_rollup_bins', 'custom_rollup_stats', 'custom_rollup_users', 'custom_totals_bins', 'custom_totals_stats', 'custom_totals_users', 'dead_letter_replays', 'dead_letters', 'dim_values', 'fx_effective', 'fx_rates',
      'ingest_batches', 'merchant_transactions', 'raw_events', 'rollup_day', 'rollup_day_by_currency', 'rollup_day_by_currency_mv', 'rollup_hour',
      'rollup_hour_by_currency', 'rollup_hour_by_currency_mv', 'rollup_minute', 'schema_migrations',
      'source_positions', 'store_identity', 'write_probe', 'writer_lease']);
    assert.deepEqual((await second.select(`SELECT name FROM system.tables WHERE database = ${chString(database)} ORDER BY name`)).map((r) => r.name), before);
    assert.deepEqual(await second.select('SELECT version, count() AS n FROM schema_migrations GROUP BY version ORDER BY version'), MIGRATIONS.map(({ version }) => ({ version, n: 1n })));
    assert.deepEqual(await second.select('SELECT count() AS n FROM store_identity'), [{ n: 1n }]);
    assert.deepEqual(await second.loadMeta(), meta);
    assert.match(meta.storeId, /^[0-9a-f-]{36}$/);
    assert.deepEqual(meta, { storeId: meta.storeId, lastBatchId: 0, lastDeadLetterId: 0, maxOccurredAt: null, lastCommittedAt: null, rawEvents: 0 });
    const [c] = await second.select("SELECT count() AS n, countIf(code = 'XOF' AND exponent = 0) AS xof FROM currencies");
    assert.deepEqual(c, { n: BigInt(CURRENCY_CODES.length), xof: 1n });
  } finally {
    await second.close();
  }
});

test('a writer refuses a database that newer code migrated (it would not keep those tables right)', async () => {
  const database = await server.createDatabase();
  const b = await open(database);
  await b.exec([`INSERT INTO schema_migrations VALUES (${MIGRATIONS.length + 90}, 'from newer code', 0)`]);
  await b.close();
  await assert.rejects(open(database), /schema version \d+, newer than this code's \d+/);
});

test('migration 3 carries the positions a version-2 store kept in its batch markers', async () => {
  const database = await server.createDatabase();
  const first = await open(database);
  // A version-2 store: positions in ingest_batches, no source_positions table.
  await first.exec([
    'DROP TABLE source_positions',
    'ALTER TABLE schema_migrations DELETE WHERE version = 3',
    "INSERT INTO ingest_batches VALUES (1, 1, 'file:/a', 1, 0, 0, NULL, '100'), (2, 2, 'file:/b', 1, 0, 0, NULL, NULL), (3, 3, 'file:/a', 1, 0, 0, NULL, '250')",
  ]);
  await first.close();
  const second = await open(database);
  try {
    assert.equal(await second.sourcePosition('file:/a'), '250');
    assert.equal(await second.sourcePosition('file:/b'), null);
    assert.deepEqual(await second.select('SELECT source, position, batch_id FROM source_positions ORDER BY batch_id'), [
      { source: 'file:/a', position: '100', batch_id: 1 }, { source: 'file:/a', position: '250', batch_id: 3 },
    ]);
  } finally {
    await second.close();
  }
});

test('migration 4 re-sorts the hour and day rollups of an older database, rows unchanged, also after a rebuild cut short', async () => {
  const database = await server.createDatabase();
  const { events, inputs } = testStream(8, 60, 30);
  let b = await open(database);
  const engine = await openEngine(b);
  for (const input of inputs) await submitRetrying(engine, input);
  await engine.close();
  // As a database migrated before version 4 was: time first everywhere, version 4 not recorded,
  // none of the later tables (migration 9 then makes and fills the sums per currency from these);
  // and a copy that died half-way (rows of its own in the new table).
  const timeFirst = ROLLUP_ORDER.rollup_minute;
  const keys = async () => Object.fromEntries((await b.select(`SELECT name, sorting_key FROM system.tables
    WHERE database = ${chString(database)} AND name LIKE 'rollup%' AND name NOT LIKE '%by_currency%' ORDER BY name`)).map((r) => [r.name, r.sorting_key]));
  await b.exec(BY_CURRENCY_TABLES.flatMap((t) => [`DROP TABLE ${t}_mv`, `DROP TABLE ${t}`]));
  for (const t of ['rollup_hour', 'rollup_day']) {
    const ddl = String((await b.select(`SHOW CREATE TABLE ${t}`))[0].statement);
    await b.exec([
      ddl.replace(`${database}.${t} `, `${database}.${t}_v1 `).replace(/ORDER BY \([^)]*\)/, `ORDER BY (${timeFirst})`),
      `INSERT INTO ${t}_v1 SELECT * FROM ${t}`, `DROP TABLE ${t}`, `RENAME TABLE ${t}_v1 TO ${t}`,
    ]);
  }
  await b.exec([
    `CREATE TABLE rollup_hour_resort_new AS rollup_hour`, `INSERT INTO rollup_hour_resort_new SELECT * FROM rollup_hour LIMIT 5`,
    'TRUNCATE TABLE schema_migrations', "INSERT INTO schema_migrations VALUES (1, 'v1', 0), (2, 'v2', 0), (3, 'v3', 0)",
  ]);
  assert.deepEqual(await keys(), { rollup_day: timeFirst, rollup_hour: timeFirst, rollup_minute: timeFirst, rollup_hour_resort_new: timeFirst });
  await b.close();

  b = await open(database);
  try {
    assert.deepEqual(await keys(), { rollup_day: ROLLUP_ORDER.rollup_day, rollup_hour: ROLLUP_ORDER.rollup_hour, rollup_minute: timeFirst });
    assert.deepEqual((await b.select('SELECT version FROM schema_migrations ORDER BY version')).map((r) => r.version), MIGRATIONS.map((m) => m.version));
    await assertExact(b, events);
  } finally {
    await b.close();
  }
});

test('a Native block reads back exactly: 64-bit and narrow integers at their limits, strings of every length class and any text, nulls', async () => {
  const database = await server.createDatabase();
  const ch = await connect({ url: server.url, database });
  try {
    await ch.command(`CREATE TABLE t (s String, n Nullable(String), i64 Int64, i32 Int32, u32 UInt32, i16 Int16, u8 UInt8)
      ENGINE = MergeTree ORDER BY tuple()`);
    // Lengths around the one-byte length (127 bytes) and its fast path (42 UTF-16 units), in ASCII and in 2-, 3- and 4-byte UTF-8.
    const texts = ['', 'a\tb\nc\r\\d\'e"f \\N \0 end', 'x'.repeat(42), 'x'.repeat(43), 'x'.repeat(127), 'x'.repeat(128),
      'é'.repeat(42), 'é'.repeat(64), '€'.repeat(42), '€'.repeat(43), '🎉'.repeat(21), '🎉'.repeat(40), 'ß'.repeat(5000)];
    const rows = texts.length;
    const pick = <T>(values: T[]) => texts.map((_, i) => values[i % values.length]);
    const i64 = BigInt64Array.from(pick([-(2n ** 63n), 2n ** 63n - 1n, 0n, -1n]));
    const i32 = Int32Array.from(pick([-(2 ** 31), 2 ** 31 - 1, 0]));
    const i16 = Int16Array.from(pick([-32768, 32767, 1]));
    const u8 = Uint8Array.from(pick([0, 255, 7]));
    const nullable = texts.map((t, i) => (i % 3 === 0 ? null : t));
    await ch.insertNative('t', nativeBlock(rows, [
      { name: 's', type: 'String', values: texts }, { name: 'n', type: 'Nullable(String)', values: nullable },
      { name: 'i64', type: 'Int64', values: i64 }, { name: 'i32', type: 'Int32', values: i32 },
      { name: 'u32', type: 'UInt32', values: constantUInt32(rows, 2 ** 32 - 1) }, { name: 'i16', type: 'Int16', values: i16 },
      { name: 'u8', type: 'UInt8', values: u8 },
    ]), newQueryId('native-test'));
    const back = await ch.select('SELECT s, n, i64, i32, u32, i16, u8 FROM t');
    const got = texts.map((_, r) => back.columns.map((c) => c[r]));
    const want = texts.map((t, r) => [t, nullable[r], i64[r], i32[r], 2 ** 32 - 1, i16[r], u8[r]]);
    const order = (a: unknown[][]) => [...a].sort((x, y) => String(x[0]).localeCompare(String(y[0])));
    assert.deepEqual(order(got), order(want));
  } finally {
    await ch.close();
  }
});

test('select: 64-bit integers and Decimal(P, 0) as exact bigint, NULL, floats, any text; selectColumns agrees', async () => {
  const b = await open(await server.createDatabase());
  try {
    const text = 'a\tb\nc\r\\d\'e"f \\\' 🎉 ß \\N \0 end';
    const sql = `SELECT toInt64(-9223372036854775808) AS i64, toUInt64(18446744073709551615) AS u64, toInt32(-7) AS i32,
      toUInt8(255) AS u8, sum(toDecimal128(9223372036854775807, 0)) AS dec, toDecimal64(1.5, 2) AS frac,
      NULL AS nothing, toNullable(toInt64(5)) AS maybe, CAST(NULL AS Nullable(String)) AS no_text, 0.25 AS f, nan AS fnan, -inf AS ninf,
      ${chString(text)} AS text, '\\\\N' AS backslash_n, toDate('2026-11-01') AS d, [1, 2] AS arr FROM numbers(3)`;
    const [row] = await b.select(sql);
    assert.deepEqual({ ...row, fnan: String(row.fnan) }, {
      i64: -9223372036854775808n, u64: 18446744073709551615n, i32: -7, u8: 255, dec: 27670116110564327421n, frac: 1.5,
      nothing: null, maybe: 5n, no_text: null, f: 0.25, fnan: 'NaN', ninf: -Infinity,
      text, backslash_n: '\\N', d: '2026-11-01', arr: '[1,2]',
    });
    // selectColumns reads Native, which takes fewer types: a date, an array, a scaled decimal are refused.
    await assert.rejects(b.selectColumns(sql), /column frac of type Decimal\(18, 2\), which this reader does not take/);
    await assert.rejects(b.select('SELECT no_such_column'), /Missing columns|Unknown identifier|no_such_column/);
    // The result-changing settings go with every query: an unmatched LEFT JOIN row reads NULL, as in DuckDB.
    assert.deepEqual(await b.select('SELECT k, x FROM (SELECT 1 AS k) ANY LEFT JOIN (SELECT 2 AS k, 5 AS x) USING k'), [{ k: 1, x: null }]);
  } finally {
    await b.close();
  }
});

test('selectColumns (Native) reads what select (TabSeparated) reads: 64-bit and 128-bit limits, nulls, floats, text, many blocks, no rows', async () => {
  const b = await open(await server.createDatabase());
  try {
    const text = 'a\tb\nc\r\\d\'e"f 🎉 ß \\N \0 end';
    // Values cycle through each column's edge cases, over blocks of 3 rows.
    const pick = (values: string[]) => `[${values.join(', ')}][number % ${values.length} + 1]`;
    const sql = `SELECT toUInt32(number) AS n,
      ${pick(['toInt64(-9223372036854775808)', 'toInt64(9223372036854775807)', 'toInt64(-1)', 'toInt64(0)'])} AS i64,
      ${pick(['toUInt64(18446744073709551615)', 'toUInt64(0)'])} AS u64,
      ${pick(['toInt8(-128)', 'toInt8(127)'])} AS i8, ${pick(['toUInt16(65535)', 'toUInt16(0)'])} AS u16,
      ${pick(['toInt32(-2147483648)', 'toInt32(2147483647)'])} AS i32,
      ${pick(['toDecimal128(\'-99999999999999999999999999999999999999\', 0)', 'toDecimal128(\'18446744073709551616\', 0)',
        'toDecimal128(\'-18446744073709551617\', 0)', 'toDecimal128(\'-9223372036854775808\', 0)', 'toDecimal128(\'9223372036854775808\', 0)', 'toDecimal128(-1, 0)'])} AS dec,
      sumIf(toDecimal128(number, 0), number > 2) AS summed,
      toDecimal64(-5, 0) AS dec64, toDecimal32(7, 0) AS dec32,
      if(number % 3 = 0, NULL, toInt64(number) - 7) AS maybe_int, if(number % 4 = 1, NULL, toDecimal128(number, 0) * -1) AS maybe_dec,
      if(number % 2 = 0, NULL, 1 / (toFloat64(number) - 3)) AS maybe_float,
      ${pick(['0.1', '-0.0', 'nan', 'inf', '-inf', '1e308', '2.2250738585072014e-308', '1 / 3'])} AS f,
      if(number % 5 = 0, NULL, ${pick([chString(text), "''", "'x'"])}) AS maybe_text, ${pick(["''", `'${'é'.repeat(200)}'`, `'${'x'.repeat(130)}'`])} AS long_text,
      NULL AS nothing
      FROM numbers(17) GROUP BY number ORDER BY number SETTINGS max_block_size = 3`;
    const rows = await b.select(sql);
    const cols = await b.selectColumns(sql);
    assert.equal(rows.length, 17);
    assert.equal(cols.rowCount, 17);
    assert.deepEqual(cols.names, Object.keys(rows[0]));
    const asRows = rows.map((_, r) => Object.fromEntries(cols.names.map((name, c) => [name, cols.columns[c][r]])));
    assert.deepEqual(asRows, rows);
    assert.ok(rows.some((r) => r.maybe_dec === null) && rows.some((r) => Number.isNaN(r.f)) && rows.some((r) => r.maybe_text === text));
    assert.deepEqual([...new Set(rows.map((r) => r.dec))].sort(), [-99999999999999999999999999999999999999n, 18446744073709551616n,
      -18446744073709551617n, -9223372036854775808n, 9223372036854775808n, -1n].sort());
    assert.deepEqual(await b.selectColumns('SELECT toInt64(1) AS x WHERE 0'), { names: [], columns: [], rowCount: 0 });
  } finally {
    await b.close();
  }
});

test('a Native answer that ends inside a block, or with a failure appended, is refused', () => {
  const block = Buffer.from([1, 2, 1, 0x78, 5, ...Buffer.from('Int32'), 1, 0, 0, 0, 2, 0, 0, 0]);
  assert.deepEqual(parseNative(block), { names: ['x'], types: ['Int32'], columns: [[1, 2]], rowCount: 2 });
  assert.throws(() => parseNative(block.subarray(0, block.length - 1)), /ends inside a block/);
  assert.throws(() => parseNative(Buffer.concat([block, Buffer.from('Code: 395, e.displayText() = DB::Exception: Value passed to throwIf')])),
    /Native answer broken at byte \d+ \(a block of 67 columns after blocks of 1\): .*Code: 395/);
});

test('a stream committed through the engine reads back: meta, state scan, dictionary, source position, exact rollups', async () => {
  const b = await open(await server.createDatabase());
  try {
    const { events, inputs } = testStream(11, 120, 50);
    const engine = await openEngine(b);
    for (const input of inputs) await submitRetrying(engine, input);
    await engine.flush();
    const stats = { ...engine.stats };
    await engine.close();

    await assertExact(b, events);
    const accepted = acceptedEvents(events);
    const meta = await b.loadMeta();
    assert.equal(meta.lastBatchId, stats.batches);
    assert.equal(meta.rawEvents, accepted.length);
    assert.equal(meta.lastDeadLetterId, stats.rejected);
    assert.equal(meta.lastCommittedAt, NOW);
    assert.equal(meta.maxOccurredAt, Math.max(...accepted.map((e) => Date.parse(e.occurred_at as string))));
    assert.equal(await b.sourcePosition('test'), inputs[inputs.length - 1].positions![0].position);
    assert.equal(await b.sourcePosition('elsewhere'), null);

    const scanned: StateRow[] = [];
    assert.equal(await b.scanState((r) => scanned.push(r)), accepted.length);
    assert.deepEqual(scanned.map((r) => r.eventId).sort(), accepted.map((e) => e.event_id as string).sort());
    const odd = scanned.find((r) => r.eventId === 'odd\t"id"\\\'\n')!;
    assert.equal(odd.entityId, 't\\odd\'');
    assert.equal(odd.customerId, 'c\\\'\t');
    assert.deepEqual(JSON.parse(odd.metadata!), { note: 'a\tb\nc\r\\d\'e"f 🎉 ß', nested: { x: [1, '\\N'] } });
    assert.equal(typeof odd.amountMinor, 'bigint');
    assert.equal(await b.scanState(() => undefined, meta.lastBatchId - 1) > 0, true);
    assert.equal(await b.scanState(() => undefined, meta.lastBatchId), 0);

    const dict = await b.loadDictionary();
    assert.ok(dict.some((d) => d.dim === 0 && d.value === 'm_lagos'));
    assert.equal(new Set(dict.map((d) => `${d.dim}:${d.key}`)).size, dict.length);
    const [dl] = await b.select("SELECT count() AS n, countIf(code = 'invalid_type' OR code = 'invalid_field' OR code = 'invalid_event') AS bad FROM dead_letters");
    assert.equal(Number(dl.n), stats.rejected);
    assert.ok(await b.diskBytes() > 0);

    // A restart rebuilds the same state from the store: resending everything adds nothing.
    const again = await openEngine(b);
    for (const input of inputs) await submitRetrying(again, input);
    await again.flush();
    assert.equal(again.stats.accepted, 0);
    await again.close();
    await assertExact(b, events);
  } finally {
    await b.close();
  }
});

test('rows of an uncommitted batch are invisible at once and removed at the next open; the reused id then commits cleanly', async () => {
  const database = await server.createDatabase();
  const b = await open(database);
  const { events, inputs } = testStream(12, 60, 40);
  const half = Math.ceil(inputs.length / 2);
  let engine = await openEngine(b);
  for (const input of inputs.slice(0, half)) await submitRetrying(engine, input);
  await engine.flush();
  await engine.close();
  const meta = await b.loadMeta();
  const next = meta.lastBatchId + 1;
  const rollup = (t: string) => `INSERT INTO ${t} VALUES (${Math.floor(START / 60000)}, 1, 1, 0, 1, 0, 0, 2, 1000, 123456789, 0, ${next})`;
  // What a crash mid-commit leaves: rows of batch `next` in every table but the marker's (raw in two months).
  await b.exec([
    `INSERT INTO raw_events (event_id, type, occurred_at, offset_minutes, entity_id, merchant_key, country_key, city_key, currency_key,
      method_key, provider_key, status, amount_minor, fee_minor, batch_id)
      VALUES ('ghost-1', 0, ${START}, 0, 'gt', 1, 1, 0, 1, 0, 0, 2, 5, 0, ${next}), ('ghost-2', 0, ${START + 6 * 86_400_000}, 0, 'gt2', 1, 1, 0, 1, 0, 0, 2, 5, 0, ${next})`,
    rollup('rollup_minute'), rollup('rollup_hour'), rollup('rollup_day'),
    `INSERT INTO dim_values VALUES (0, 999, 'ghost merchant', ${next})`,
    `INSERT INTO dead_letters VALUES (${meta.lastDeadLetterId + 1}, ${NOW}, 'test', 0, 'invalid_json', 'ghost', NULL, '{', 0, ${next})`,
    `INSERT INTO dead_letter_replays VALUES (1, ${NOW}, 'accepted', ${next})`,
  ]);
  assert.deepEqual(await b.loadMeta(), meta, 'meta counts committed rows only');
  assert.ok(!(await b.loadDictionary()).some((d) => d.value === 'ghost merchant'));
  let seen = 0;
  await b.scanState((r) => { seen++; assert.ok(!r.eventId.startsWith('ghost')); });
  assert.equal(seen, meta.rawEvents);
  await b.close();

  const reopened = await open(database);
  try {
    const [left] = await reopened.select(`SELECT ${BATCH_TABLES.map((t) => `(SELECT count() FROM ${t} WHERE batch_id > ${meta.lastBatchId}) AS ${t}`).join(', ')}`);
    assert.deepEqual(Object.values(left), BATCH_TABLES.map(() => 0n));
    engine = await openEngine(reopened);
    for (const input of inputs) await submitRetrying(engine, input);
    await engine.flush();
    await engine.close();
    assert.ok((await reopened.loadMeta()).lastBatchId >= next, 'the reused batch id committed');
    await assertExact(reopened, events);
  } finally {
    await reopened.close();
  }
});

test('compaction while ingesting: a month written by 3 batches is folded, on the writer; totals exact', async () => {
  const { events, inputs } = testStream(12, 150, 30);
  const rows = async (b: Awaited<ReturnType<typeof open>>) => (await b.select(`SELECT
    (SELECT count() FROM rollup_minute) + (SELECT count() FROM rollup_hour) + (SELECT count() FROM rollup_day) AS n`))[0].n as bigint;
  const run = async (afterBatches: number) => {
    const lines: string[] = [];
    const b = await openClickHouseBackend({
      url: server.url, database: await server.createDatabase(), compaction: { afterBatches, intervalMs: 3_600_000 },
      log: createLogger('info', { write: (l: string) => { lines.push(l); } }),
    });
    const engine = await openEngine(b, 40); // a batch per submission
    for (const input of inputs) await submitRetrying(engine, input);
    await engine.close();
    await b.exec([]); // through the writer: after the compaction queued by the last commit, if any
    const folds = lines.map((l) => JSON.parse(l)).filter((l) => l.msg === 'rollups compacted');
    return { b, folds, rows: await rows(b) };
  };
  const folded = await run(3);
  const plain = await run(0);
  try {
    assert.ok(folded.folds.length >= 2, `folds while ingesting (${folded.folds.length})`);
    assert.ok(folded.folds.every((f) => f.partitions >= 1 && f.rowsAfter <= f.rowsBefore));
    assert.equal(plain.folds.length, 0);
    assert.ok(folded.rows < plain.rows, `fewer rollup rows folded (${folded.rows}) than per batch (${plain.rows})`);
    await assertExact(folded.b, events);
    await assertExact(plain.b, events);
  } finally {
    await folded.b.close();
    await plain.b.close();
  }
});

test('FX: a reload replaces its dates, and readers see one whole per-day table, the newest, also as a lookup table', async () => {
  const backend = await open(await server.createDatabase());
  const store = analyticsStore(backend);
  try {
    const rates = async () => (await store.fxRates({ limit: 100 })).map((r) => `${r.date} ${r.currency}=${r.usdPerUnit}`).sort();
    assert.deepEqual(await rates(), []);
    await store.saveFxRates([{ date: '2026-11-01', currency: 'XOF', usdPerUnit: 0.0016 }, { date: '2026-11-01', currency: 'NGN', usdPerUnit: 0.00065 }], 'a', NOW);
    await store.saveFxRates([{ date: '2026-11-01', currency: 'XOF', usdPerUnit: 0.0017 }], 'b', NOW + 1);
    assert.deepEqual(await rates(), ['2026-11-01 NGN=0.00065', '2026-11-01 XOF=0.0017'], 'the later load of a date wins, merged or not');
    assert.equal(await store.fxRateCount(), 2);
    const table = (day: number, rate: number) => ({
      currencyKey: Int32Array.of(1, 2), day: Int32Array.of(day, day), usdPerMinor: Float64Array.of(rate, rate), count: 2,
    });
    await store.replaceFxEffective(table(20393, 0.5));
    await store.replaceFxEffective(table(20394, 0.25));
    await store.replaceFxEffective(table(20394, 0.25)); // the same rates again: version 2 stays in force
    assert.deepEqual((await store.fxEffective(0, 100_000)).map((r) => [r.day, r.usdPerMinor]), [[20394, 0.25], [20394, 0.25]],
      'only the newest version, whether or not the older one is deleted yet');
    // Each version is also a lookup table, made before the version is written; the two before
    // the newest stay for readers that took them, older ones are dropped.
    const lookups = async () => (await backend.select(`SELECT name FROM system.tables
      WHERE database = currentDatabase() AND startsWith(name, 'fx_usd_v') ORDER BY name`)).map((r) => r.name);
    assert.deepEqual(await lookups(), ['fx_usd_v1', 'fx_usd_v2'], 'the same rates again (a writer\'s start) make no new version');
    await store.replaceFxEffective(table(20395, 0.125));
    await store.replaceFxEffective(table(20396, 0.125));
    assert.deepEqual(await lookups(), ['fx_usd_v2', 'fx_usd_v3', 'fx_usd_v4'], 'the newest and the two before it; older ones dropped');
    // A version whose lookup table is gone is written again, under a new version.
    await backend.exec(['DROP TABLE fx_usd_v4']);
    await store.replaceFxEffective(table(20396, 0.125));
    assert.deepEqual(await lookups(), ['fx_usd_v3', 'fx_usd_v5']);
    // Rates that are not short binary fractions, read back after their trip as text: the same.
    const odd = { ...table(20396, 0), usdPerMinor: Float64Array.of(1.08 / 655.957 / 100, 1 / 1605.37 / 100) };
    await store.replaceFxEffective(odd);
    await store.replaceFxEffective(odd);
    assert.deepEqual(await lookups(), ['fx_usd_v5', 'fx_usd_v6'], 'one new version for the new rates, none for the same again');
    // A version holding a row twice (say, a restore into a store whose fresh start wrote the
    // same version number) is written again, under a new version.
    await backend.exec(['INSERT INTO fx_effective SELECT currency_key, day, usd_per_minor, version FROM fx_effective WHERE version = 6']);
    await store.replaceFxEffective(odd);
    assert.deepEqual(await lookups(), ['fx_usd_v5', 'fx_usd_v6', 'fx_usd_v7']);
    await store.replaceFxEffective(table(20396, 0.125));
    const lookup = async (day: number) => (await backend.select(`SELECT ${fxRateLookup(8)} AS rate
      FROM (SELECT toInt32(2) AS currency_key, toInt32(${day}) AS day)`))[0].rate;
    assert.equal(await lookup(20396), 0.125, 'the newest rate of a (currency, day)');
    assert.equal(await lookup(20394), 0, '0 where the version has none');
  } finally {
    await store.close();
  }
});

test('a reader that took the last committed batch before a later batch and a fold still counts every row it counted', async () => {
  const { inputs } = testStream(14, 120, 30);
  const b = await open(await server.createDatabase());
  try {
    const engine = await openEngine(b, 40);
    for (const input of inputs.slice(0, -1)) await submitRetrying(engine, input);
    await engine.flush();
    const visible = async (last: bigint) => (await b.select(`SELECT
      (SELECT sum(cnt) FROM rollup_minute WHERE batch_id <= ${last}) + (SELECT sum(cnt) FROM rollup_hour WHERE batch_id <= ${last})
      + (SELECT sum(cnt) FROM rollup_day WHERE batch_id <= ${last}) AS n`))[0].n as bigint;
    const [{ last }] = await b.select('SELECT max(batch_id) AS last FROM ingest_batches');
    const before = await visible(last as bigint);
    await submitRetrying(engine, inputs[inputs.length - 1]);
    await engine.close();
    const report = await b.compactRollups();
    assert.ok(report.rowsAfter < report.rowsBefore, 'some rows folded');
    // A folded row holds committed rows only and takes batch 0: none of them hides from that reader.
    const seen = await visible(last as bigint);
    assert.ok(seen >= before, 'no row of the earlier batches hidden by the fold');
    // It may count the later batch where the fold took it in (batch 0), never a row twice.
    const [{ now }] = await b.select('SELECT max(batch_id) AS now FROM ingest_batches');
    assert.ok(seen <= await visible(now as bigint), 'nothing counted twice');
  } finally {
    await b.close();
  }
});

/**
 * Three batches into hour and day partitions with merges stopped, keys never repeating (payouts
 * of merchants of each batch's own, a minute apart): no fold of those tables would take out a
 * row, and each batch's insert stays a part of its own. `compact` then runs a compaction.
 */
async function partsJoined(b: Awaited<ReturnType<typeof open>>, compact: () => Promise<unknown>) {
  const engine = await openEngine(b, 40);
  const parts = async (table: string) => Number((await b.select(`SELECT count() AS n FROM system.parts
    WHERE database = currentDatabase() AND table = ${chString(table)} AND active`))[0].n);
  await b.exec(['SYSTEM STOP MERGES rollup_hour', 'SYSTEM STOP MERGES rollup_day']);
  const rows = async () => Object.fromEntries((await b.select(`SELECT
    (SELECT count() FROM rollup_minute) AS minute, (SELECT count() FROM rollup_hour) AS hour, (SELECT count() FROM rollup_day) AS day`))
    .flatMap((r) => Object.entries(r)));
  const events: Event[] = [];
  for (let batch = 1; batch <= 3; batch++) {
    const items = Array.from({ length: 4 }, (_, i): Event => ({
      event_id: `e${batch}_${i}`, type: 'payout_created', occurred_at: new Date(START + (batch * 4 + i) * 60_000).toISOString(),
      payout_id: `p${batch}_${i}`, merchant_id: `m${batch}_${i}`, currency: 'XOF', country: 'SN', amount: '7',
    }));
    events.push(...items);
    if (batch === 3) assert.deepEqual([await parts('rollup_hour'), await parts('rollup_day')], [2, 2]);
    await submitRetrying(engine, { source: 'test', positions: [{ source: 'test', position: String(batch) }], items });
  }
  await engine.close();
  const before = await rows();
  await compact();
  const tables = ['rollup_hour', 'rollup_day', 'rollup_hour_by_currency', 'rollup_day_by_currency'];
  assert.deepEqual(await Promise.all(tables.map(parts)), [1, 1, 1, 1], 'one part each, the sums per currency too');
  assert.deepEqual(await rows(), before, 'no row folded away: minute rows left as they were');
  await assertExact(b, events);
}

test('a full compaction joins the parts of an hour or day partition even where a fold takes out nothing; minute partitions keep theirs', async () => {
  const b = await open(await server.createDatabase());
  try {
    await partsJoined(b, () => b.compactRollups());
  } finally {
    await b.close();
  }
});

test('so does the compaction while ingesting, in the months the batches wrote to', async () => {
  const b = await openClickHouseBackend({ url: server.url, database: await server.createDatabase(), compaction: { afterBatches: 3, intervalMs: 3_600_000 } });
  try {
    // The third batch's commit queues the fold of its months on the writer; an empty write runs after it.
    await partsJoined(b, () => b.exec([]));
  } finally {
    await b.close();
  }
});

test('a read sent on a socket that is reset before it answers is sent again, once, on a new connection', async () => {
  // A proxy before the server that drops the connection of the next request it sees, as the
  // server does to a keep-alive socket whose idle time ran out as the request went out.
  let resets = 0;
  const sockets = new Set<Socket>();
  const proxy = createServer((client) => {
    const upstream = netConnect(Number(new URL(server.url).port), '127.0.0.1');
    sockets.add(client);
    client.on('data', (chunk) => {
      if (resets > 0) {
        resets--;
        client.destroy();
        upstream.destroy();
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  const ch = await connect({ url: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`, database: await server.createDatabase() });
  try {
    resets = 1;
    assert.deepEqual((await ch.select('SELECT 1 AS one')).columns, [[1]], 'TabSeparated');
    resets = 1;
    assert.equal((await ch.selectNative('SELECT toInt32(2) AS two')).columns[0][0], 2, 'Native');
    resets = 2;
    await assert.rejects(ch.select('SELECT 3'), (err: Error) => isResetSocket(err), 'once only');
    assert.equal(resets, 0);
  } finally {
    await ch.close();
    for (const s of sockets) s.destroy();
    await new Promise((r) => proxy.close(r));
  }
});

test('one writer per database: a second opener is refused while the first holds the lease; a released or lapsed lease is free', async () => {
  const database = await server.createDatabase();
  const first = await open(database);
  await assert.rejects(open(database), /in use by another writing process/);
  await first.close();
  const second = await openClickHouseBackend({ url: server.url, database, leaseMs: 60_000 });
  // A writer killed outright never releases its lease: the next one waits until it lapses.
  await second.exec([`INSERT INTO writer_lease VALUES ('killed', ${Date.now()})`]);
  await second.close(); // not the holder any more: releases nothing
  await assert.rejects(open(database), /in use by another writing process/);
  await new Promise((r) => setTimeout(r, 300));
  const third = await openClickHouseBackend({ url: server.url, database, leaseMs: 200 });
  await third.close();
});
