// Smoke test of the ClickHouse ground for the analytics store (issue 11), against the real
// server the harness starts (Debian's 18.16 here): the harness itself, what @clickhouse/client
// can and cannot do over 18.16's HTTP, the SQL the store may rely on (docs/clickhouse.md cites
// these tests as its evidence), and the crash semantics "exactly once without transactions" has
// to build on. Cases marked 18.16-only record a refusal that later releases lift.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createClient, ClickHouseError, ClickHouseLogLevel, type ClickHouseClient, type ClickHouseSettings } from '@clickhouse/client';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';

// Started at load: which cases apply (skip) depends on the version it reports. A missing binary
// fails the file, as CI must.
const server: ClickHouseServer = await startClickHouse();
const legacy = server.version.startsWith('18.');
// The client logs every failed request at ERROR by default; refusals are expected here.
const ch: ClickHouseClient = createClient({ url: server.url, database: server.database, log: { level: ClickHouseLogLevel.OFF } });
after(async () => {
  await ch.close(); // open keep-alive sockets would hold up the server's shutdown
  await server.stop();
});

type Row = Record<string, unknown>;
const rows = async (query: string, clickhouse_settings?: ClickHouseSettings) =>
  (await ch.query({ query, format: 'JSONEachRow', clickhouse_settings })).json<Row>();
const one = async (query: string, settings?: ClickHouseSettings) => (await rows(query, settings))[0];
const text = async (query: string) => (await ch.query({ query, format: 'TabSeparated' })).text();
const run = (query: string, clickhouse_settings?: ClickHouseSettings) => ch.command({ query, clickhouse_settings });
const refused = (query: string, why: RegExp) => assert.rejects(rows(query), why, query);
const LOW_CARDINALITY = { allow_experimental_low_cardinality_type: 1 } as ClickHouseSettings;

describe('the harness', () => {
  test('a second server starts beside the first on its own port with its own data, and after stop it no longer answers', async () => {
    const other = await startClickHouse({ database: 'other_db' });
    try {
      assert.notEqual(other.url, server.url);
      const res = await fetch(`${other.url}/?query=${encodeURIComponent('SELECT name FROM system.databases FORMAT TSV')}`, { headers: { connection: 'close' } });
      assert.match(await res.text(), /^other_db$/m);
    } finally {
      await other.stop();
    }
    await assert.rejects(fetch(`${other.url}/ping`), 'stopped server no longer listens');
    const dbs = await rows('SELECT name FROM system.databases');
    assert.ok(!dbs.some((d) => d.name === 'other_db'), 'the servers share nothing');
  });

  test('a missing binary is an error that says what to install, not a skip', async () => {
    const saved = process.env.CLICKHOUSE_SERVER_BIN;
    process.env.CLICKHOUSE_SERVER_BIN = '/nonexistent/clickhouse-server';
    try {
      await assert.rejects(startClickHouse(), /CLICKHOUSE_SERVER_BIN=\/nonexistent\/clickhouse-server is not an executable/);
    } finally {
      if (saved === undefined) delete process.env.CLICKHOUSE_SERVER_BIN;
      else process.env.CLICKHOUSE_SERVER_BIN = saved;
    }
  });

  test('pid is the server process: its command line names this server\'s config, and it is gone after stop', async () => {
    const other = await startClickHouse({ database: 'pid_db' });
    const cmdline = readFileSync(`/proc/${other.pid}/cmdline`, 'utf8').split('\0');
    assert.ok(cmdline.some((a) => /clickhouse/.test(a)) && cmdline.some((a) => a.startsWith('--config-file=')), cmdline.join(' '));
    await other.stop();
    assert.throws(() => readFileSync(`/proc/${other.pid}/cmdline`), /ENOENT/);
  });

  test('createDatabase gives a fresh empty database; the server runs in UTC', async () => {
    const name = await server.createDatabase('iso');
    assert.deepEqual(await rows(`SELECT name FROM system.tables WHERE database = '${name}'`), []);
    assert.match(String((await one('SELECT timezone() AS tz')).tz), /UTC/);
  });
});

describe('@clickhouse/client over HTTP', () => {
  test('query, insert and command work; 64-bit integers arrive as exact strings', async () => {
    assert.deepEqual(await ch.ping(), { success: true });
    assert.equal((await one('SELECT currentDatabase() AS db')).db, server.database, 'the database option is sent');
    await run('CREATE TABLE c_rt (k String, n Int64, u UInt64) ENGINE = MergeTree ORDER BY k');
    await ch.insert({ table: 'c_rt', format: 'JSONEachRow', values: [
      { k: 'a', n: '-9223372036854775808', u: '18446744073709551615' }, { k: 'b', n: 42, u: 0 }] });
    assert.deepEqual(await rows('SELECT k, n, u FROM c_rt ORDER BY k'), [
      { k: 'a', n: '-9223372036854775808', u: '18446744073709551615' }, { k: 'b', n: '42', u: '0' }]);
  });

  test('per-query settings, sessions and gzip both ways are accepted', async () => {
    assert.deepEqual(await one(`SELECT value FROM system.settings WHERE name = 'join_use_nulls'`, { join_use_nulls: 1 }), { value: '1' });
    const session = createClient({ url: server.url, database: server.database, session_id: 'smoke', log: { level: ClickHouseLogLevel.OFF } });
    const gzip = createClient({ url: server.url, database: server.database, compression: { request: true, response: true }, log: { level: ClickHouseLogLevel.OFF } });
    try {
      await session.command({ query: 'CREATE TEMPORARY TABLE tmp (x UInt8)' });
      await session.insert({ table: 'tmp', values: [{ x: 1 }], format: 'JSONEachRow' });
      assert.deepEqual(await (await session.query({ query: 'SELECT count() AS n FROM tmp', format: 'JSONEachRow' })).json(), [{ n: '1' }]);
      await gzip.command({ query: 'CREATE TABLE c_gz (x UInt32) ENGINE = Memory' });
      await gzip.insert({ table: 'c_gz', values: [{ x: 7 }], format: 'JSONEachRow' });
      assert.deepEqual(await (await gzip.query({ query: 'SELECT x FROM c_gz', format: 'JSONEachRow' })).json(), [{ x: 7 }]);
    } finally {
      await session.close();
      await gzip.close();
    }
  });

  test('18.16: no {name:Type} parameters, no JSONCompactEachRow, errors not parsed into ClickHouseError', { skip: !legacy && '18.16 only' }, async () => {
    await assert.rejects(ch.query({ query: 'SELECT {a:String} AS a', query_params: { a: 'x' }, format: 'JSONEachRow' }), /Unknown setting param_a/);
    await assert.rejects(ch.query({ query: 'SELECT 1', format: 'JSONCompactEachRow' }), /Unknown format JSONCompactEachRow/);
    const err = await ch.query({ query: 'SELECT * FROM no_such_table', format: 'JSONEachRow' }).catch((e: Error) => e);
    assert.ok(err instanceof Error && !(err instanceof ClickHouseError), 'the 18.16 message format does not match the client parser');
    assert.match(err.message, /^Code: 60, e\.displayText\(\) = DB::Exception: Table \w+\.no_such_table doesn't exist/);
  });

  test('a string literal escaped as \\\\ and \\\' round-trips any text (what replaces parameters on 18.16)', async () => {
    // Backslash escapes inside ClickHouse literals: doubling quotes alone (standard SQL) changes
    // 'a\b' and lets a value holding \' end its literal early.
    assert.deepEqual(await one(String.raw`SELECT 'a\b' AS s, 'it''s' AS q`), { s: 'a\b', q: "it's" });
    assert.deepEqual(await one(String.raw`SELECT '\'' AS s, 1 AS injected --'`), { s: "'", injected: 1 });
    const quote = (s: string) => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
    let all = '';
    for (let cp = 0; cp < 0x800; cp++) all += String.fromCodePoint(cp);
    for (const s of [all, "'; DROP TABLE c_rt; --", '\\', "\\'", 'a\u0000b', '{a:String}', 'Sénégal 🇸🇳', '\uFFFD\u{10FFFF}']) {
      assert.equal((await one(`SELECT ${quote(s)} AS s`)).s, s);
    }
  });
});

describe('SQL on this server', () => {
  test('18.16 refuses these (docs/clickhouse.md: what to avoid)', { skip: !legacy && '18.16 only' }, async () => {
    const syntax = /Syntax error/;
    await refused('WITH x AS (SELECT 1 AS a) SELECT a FROM x', syntax);
    await refused('SELECT sum(number) OVER () FROM numbers(3)', syntax);
    await refused('SELECT number % 2 AS k, count() FROM numbers(4) GROUP BY ALL', /Unknown identifier: ALL/);
    await refused('SELECT 1::Int32', syntax);
    await refused(`SELECT toStartOfInterval(now(), INTERVAL 15 minute)`, /Unknown function toStartOfInterval/);
    await refused('SELECT toInt128(1)', /Unknown function toInt128/);
    await refused('SELECT toDateTime64(now(), 3)', /Unknown function toDateTime64/);
    await refused(`SELECT JSONExtractString('{"a":"x"}', 'a')`, /Unknown function JSONExtractString/);
    await refused(`SELECT 'A' ILIKE 'a'`, syntax);
    await refused('SELECT 1 UNION DISTINCT SELECT 1', syntax);
    await refused('SELECT * EXCEPT (number) FROM numbers(1)', syntax);
    await refused('SELECT count() FROM numbers(2) AS a JOIN numbers(2) AS b USING number JOIN numbers(2) AS c USING number', /more than one JOIN/);
    await refused('SELECT count() FROM numbers(3) AS a LEFT JOIN numbers(3) AS b ON a.number = b.number AND b.number > 1', /Expected equals expression/);
    await assert.rejects(run('CREATE TABLE r_ttl (t DateTime) ENGINE = MergeTree ORDER BY t TTL t + INTERVAL 90 DAY'), syntax);
    await assert.rejects(run('CREATE TABLE r_nk (k Nullable(String)) ENGINE = MergeTree ORDER BY k'), /Sorting key cannot contain nullable/);
    await assert.rejects(run('CREATE TABLE r_lc (s LowCardinality(String)) ENGINE = MergeTree ORDER BY s'), /allow_experimental_low_cardinality_type/);
    await assert.rejects(run('CREATE TABLE r_sa (k String, s SimpleAggregateFunction(sum, Int64)) ENGINE = AggregatingMergeTree ORDER BY k'), /Unknown data type family/);
    await assert.rejects(run('CREATE VIEW r_pv AS SELECT {k:String} AS k'), syntax);
    await run('CREATE TABLE r_col (x UInt8) ENGINE = MergeTree ORDER BY x');
    await assert.rejects(run('ALTER TABLE r_col ADD COLUMN IF NOT EXISTS y String'), syntax);
    await assert.rejects(run('DELETE FROM r_col WHERE x = 1'), syntax);
  });

  test('accepted: scalar WITH, CAST, IN (subquery), LIMIT BY, -If combinators, quantiles, intDiv, arrayJoin', async () => {
    assert.deepEqual(await one('WITH 5 AS k, (SELECT max(number) FROM numbers(10)) AS m SELECT k + m AS s'), { s: '14' });
    assert.deepEqual(await one(`SELECT CAST(1 AS Int32) AS a, toTypeName(a) AS t`), { a: 1, t: 'Int32' });
    assert.deepEqual(await one('SELECT count() AS n FROM numbers(10) WHERE number IN (SELECT number FROM numbers(3))'), { n: '3' });
    assert.deepEqual((await rows('SELECT number % 3 AS k, number AS n FROM numbers(9) ORDER BY k, n LIMIT 1 BY k')).map((r) => r.n), ['0', '1', '2']);
    assert.deepEqual(await one('SELECT countIf(number > 5) AS c, sumIf(number, number > 5) AS s, uniqExact(number % 7) AS u FROM numbers(10)'), { c: '4', s: '30', u: '7' });
    const q = await one('SELECT quantileTDigest(0.5)(number) AS q, quantilesTDigest(0.5, 0.9)(number) AS qs FROM numbers(101)');
    assert.equal(q.q, 50);
    assert.ok(Math.abs((q.qs as number[])[1] - 90) <= 1, 'an estimate (90.4 on 18.16)');
    assert.deepEqual(await one('SELECT intDiv(-7, 2) AS d, -7 % 2 AS m'), { d: -3, m: -1 }, 'truncates toward zero');
    assert.deepEqual((await rows('SELECT arrayJoin([1, 2, 3]) AS x')).map((r) => r.x), [1, 2, 3]);
    assert.deepEqual(await one(`SELECT lengthUTF8('Sénégal') AS n, length('Sénégal') AS bytes, upperUTF8('école') AS up, substringUTF8('Sénégal', 1, 3) AS sub`),
      { n: '7', bytes: '9', up: 'ÉCOLE', sub: 'Sén' });
  });

  test('no rows: sum and max give 0 and avg nan where DuckDB gives NULL; a Nullable argument gives NULL', async () => {
    assert.deepEqual(await one('SELECT sum(number) AS s, max(number) AS m, isNaN(avg(number)) AS a, max(toNullable(number)) AS n FROM numbers(1) WHERE number > 5'),
      { s: '0', m: '0', a: 1, n: null }); // JSON prints nan as null: test it with isNaN
    assert.deepEqual(await rows('SELECT number AS k, count() AS c FROM numbers(1) WHERE number > 5 GROUP BY k'), [], 'GROUP BY over nothing is no row');
    if (legacy) assert.deepEqual(await one('SELECT count() AS n FROM (SELECT number FROM numbers(0) LIMIT 5)'), { n: '5' }, 'numbers(0) never ends on 18.16');
  });

  test('money: sum(Int64) is Int64 and wraps silently; sum over Decimal128 is exact, read as text, never toString', async () => {
    assert.deepEqual(await one(`SELECT toTypeName(sum(toInt64(1))) AS t, toTypeName(sum(toInt32(1))) AS t32`), { t: 'Int64', t32: 'Int64' });
    const max = 'SELECT toInt64(9223372036854775807) AS x FROM numbers(3)';
    assert.deepEqual(await one(`SELECT sum(x) AS s FROM (${max})`), { s: '9223372036854775805' }, 'wrapped around');
    assert.equal(await text(`SELECT sum(toDecimal128(x, 0)) AS s, toTypeName(s) FROM (${max})`), '27670116110564327421\tDecimal(38, 0)\n');
    // JSON formats print Decimal unquoted: JSON.parse would round it to a double.
    const raw = await (await ch.query({ query: `SELECT sum(toDecimal128(x, 0)) AS s FROM (${max})`, format: 'JSONEachRow' })).text();
    assert.equal(raw.trim(), '{"s":27670116110564327421}');
    if (legacy) { // 18.16's toString(Decimal128) corrupts digits from about 10^21 on
      const s = String((await one(`SELECT toString(toDecimal128('1180591620717411303424', 0)) AS s`)).s);
      assert.notEqual(s, '1180591620717411303424');
    }
  });

  test('time zones: day starts in Africa/Lagos and Europe/Paris (DST), read back as Unix seconds', async () => {
    const utc = (iso: string) => Date.parse(iso) / 1000;
    const r = await one(`SELECT toUnixTimestamp(toStartOfDay(toDateTime('2024-01-01 23:30:00', 'UTC'), 'Africa/Lagos')) AS lagos,
      toString(toDate(toDateTime('2024-01-01 23:30:00', 'UTC'), 'Africa/Lagos')) AS lagos_day,
      toUnixTimestamp(toStartOfDay(toDateTime('2024-03-31 12:00:00', 'UTC'), 'Europe/Paris')) AS spring,
      toUnixTimestamp(toStartOfDay(toDateTime('2024-10-27 12:00:00', 'UTC'), 'Europe/Paris')) AS autumn,
      toUnixTimestamp(toStartOfHour(toDateTime('2024-01-01 23:50:00', 'UTC'), 'Asia/Kolkata')) AS kolkata_hour,
      toTimeZone(toDateTime('2024-01-01 23:30:00', 'UTC'), 'Africa/Lagos') AS lagos_wall`);
    assert.deepEqual(r, {
      lagos: utc('2024-01-01T23:00:00Z'), lagos_day: '2024-01-02',
      spring: utc('2024-03-30T23:00:00Z'), autumn: utc('2024-10-26T22:00:00Z'),
      kolkata_hour: utc('2024-01-01T23:30:00Z'),
      lagos_wall: '2024-01-02 00:30:00', // a DateTime prints the wall clock of its zone, with no offset
    });
    const hours = async (day: string) => (await one(`SELECT uniqExact(toStartOfHour(t, 'Europe/Paris')) AS n FROM
      (SELECT toDateTime('${day} 00:00:00', 'Europe/Paris') + number * 60 AS t FROM numbers(1500)) WHERE toDate(t, 'Europe/Paris') = toDate('${day}')`)).n;
    assert.deepEqual([await hours('2024-03-31'), await hours('2024-10-27')], ['23', '25']);
    assert.deepEqual(await one(`SELECT toString(toStartOfFifteenMinutes(toDateTime('2024-01-01 10:17:00', 'UTC'))) AS q,
      toString(toDateTime(intDiv(toUnixTimestamp(toDateTime('2024-01-01 10:17:00', 'UTC')), 600) * 600, 'UTC')) AS ten`),
    { q: '2024-01-01 10:15:00', ten: '2024-01-01 10:10:00' });
  });

  test('joins: an unmatched LEFT JOIN row reads 0, not NULL, unless join_use_nulls = 1; ANY keeps one right row', async () => {
    await run(`CREATE TABLE j_ev (id UInt32, cur String) ENGINE = Memory`);
    await run(`CREATE TABLE j_fx (cur String, rate Float64) ENGINE = Memory`);
    await run(`INSERT INTO j_ev VALUES (1, 'XOF'), (2, 'NGN'), (3, 'ZZZ')`);
    await run(`INSERT INTO j_fx VALUES ('XOF', 0.0016), ('NGN', 0.0007), ('NGN', 0.0008)`);
    const unmatched = `SELECT countIf(isNull(rate)) AS nulls, countIf(rate = 0) AS zeros, count() AS n FROM j_ev ANY LEFT JOIN j_fx USING (cur)`;
    assert.deepEqual(await one(unmatched), { nulls: '0', zeros: '1', n: '3' }, 'the silently wrong count of issue 11');
    assert.deepEqual(await one(unmatched, { join_use_nulls: 1 }), { nulls: '1', zeros: '0', n: '3' });
    assert.equal((await rows('SELECT id FROM j_ev ALL LEFT JOIN j_fx USING (cur)')).length, 4, 'ALL (the default strictness) repeats id 2');
    assert.equal((await rows('SELECT id FROM j_ev LEFT JOIN j_fx ON j_ev.cur = j_fx.cur')).length, 4, 'JOIN ON with equalities works');
  });

  test('partitions by toYYYYMM; DROP PARTITION removes a month, and a missing one is no error', async () => {
    await run(`CREATE TABLE p_raw (t DateTime('UTC'), n Int64) ENGINE = MergeTree PARTITION BY toYYYYMM(t) ORDER BY t`);
    await run(`INSERT INTO p_raw VALUES ('2024-01-05 00:00:00', 1), ('2024-02-05 00:00:00', 2), ('2024-03-05 00:00:00', 3)`);
    const parts = await rows(`SELECT DISTINCT partition FROM system.parts WHERE database = currentDatabase() AND table = 'p_raw' AND active ORDER BY partition`);
    assert.deepEqual(parts.map((p) => p.partition), ['202401', '202402', '202403']);
    await run('ALTER TABLE p_raw DROP PARTITION 202401');
    await run(`ALTER TABLE p_raw DROP PARTITION ID '202402'`);
    await run('ALTER TABLE p_raw DROP PARTITION 201901');
    assert.deepEqual(await rows('SELECT n FROM p_raw'), [{ n: '3' }]);
  });

  test('LowCardinality needs allow_experimental_low_cardinality_type = 1 on CREATE only', async () => {
    await run('CREATE TABLE lc (s LowCardinality(String), n Int64) ENGINE = MergeTree ORDER BY s', legacy ? LOW_CARDINALITY : undefined);
    await ch.insert({ table: 'lc', values: [{ s: 'SN', n: 1 }, { s: 'SN', n: 2 }], format: 'JSONEachRow' });
    assert.deepEqual(await rows('SELECT s, sum(n) AS n FROM lc GROUP BY s'), [{ s: 'SN', n: '3' }]);
  });
});

describe('exactly once without transactions: what the engine gives', () => {
  const batch = [{ k: 'a', v: 1, ver: 1 }, { k: 'b', v: 2, ver: 1 }];

  test('a plain MergeTree keeps both copies of a re-inserted block: no deduplication without replication', async () => {
    await run('CREATE TABLE x_plain (k String, v Int64, ver UInt64) ENGINE = MergeTree ORDER BY k');
    for (let i = 0; i < 2; i++) await ch.insert({ table: 'x_plain', values: batch, format: 'JSONEachRow', clickhouse_settings: { insert_deduplicate: 1 } });
    assert.deepEqual(await one('SELECT count() AS n, sum(v) AS s FROM x_plain'), { n: '4', s: '6' });
    const knobs = (await rows(`SELECT name FROM system.merge_tree_settings WHERE name LIKE '%dedup%' ORDER BY name`)).map((r) => r.name);
    if (legacy) assert.deepEqual(knobs, ['replicated_deduplication_window', 'replicated_deduplication_window_seconds']);
  });

  test('ReplacingMergeTree(ver) collapses re-inserted rows under FINAL or argMax; the highest version wins', async () => {
    await run('CREATE TABLE x_rep (k String, v Int64, ver UInt64) ENGINE = ReplacingMergeTree(ver) ORDER BY k');
    await ch.insert({ table: 'x_rep', values: batch, format: 'JSONEachRow' });
    await ch.insert({ table: 'x_rep', values: [{ k: 'a', v: 10, ver: 2 }], format: 'JSONEachRow' });
    await ch.insert({ table: 'x_rep', values: batch, format: 'JSONEachRow' }); // a replay of the first batch
    assert.deepEqual(await rows('SELECT k, v FROM x_rep FINAL ORDER BY k'), [{ k: 'a', v: '10' }, { k: 'b', v: '2' }]);
    assert.deepEqual(await rows('SELECT k, argMax(v, ver) AS v FROM x_rep GROUP BY k ORDER BY k'), [{ k: 'a', v: '10' }, { k: 'b', v: '2' }]);
  });

  test('a failing materialized view leaves the source insert written: writes to two tables are not atomic', async () => {
    await run('CREATE TABLE x_src (k String, n Int64) ENGINE = MergeTree ORDER BY k');
    await run('CREATE TABLE x_dst (k String, n Int64) ENGINE = SummingMergeTree ORDER BY k');
    await run('CREATE MATERIALIZED VIEW x_mv TO x_dst AS SELECT k, n + throwIf(n = 13) AS n FROM x_src');
    await assert.rejects(ch.insert({ table: 'x_src', values: [{ k: 'a', n: 1 }, { k: 'b', n: 13 }], format: 'JSONEachRow' }), /throwIf|while pushing to view/);
    assert.deepEqual(await one('SELECT count() AS n FROM x_src'), { n: '2' }, 'the insert failed, yet its rows are in');
    assert.deepEqual(await one('SELECT count() AS n FROM x_dst'), { n: '0' });
    await assert.rejects(ch.insert({ table: 'x_src', format: 'JSONEachRow', values: [{ k: 'c', n: 1 }, { k: 'd', n: 'x' }] }), /Cannot parse/);
    assert.deepEqual(await one('SELECT count() AS n FROM x_src'), { n: '2' }, 'a bad row rejects its whole (single-block) insert');
  });

  test('a replayed batch doubles a SummingMergeTree rollup, but not one keyed by batch id and read with FINAL', async () => {
    await run('CREATE TABLE y_raw (batch String, id String, bucket UInt32, amount Int64) ENGINE = ReplacingMergeTree ORDER BY (bucket, id)');
    await run('CREATE TABLE y_sum (bucket UInt32, n UInt64, amount Int64) ENGINE = SummingMergeTree ORDER BY bucket');
    await run('CREATE TABLE y_by_batch (bucket UInt32, batch String, n UInt64, amount Int64) ENGINE = ReplacingMergeTree ORDER BY (bucket, batch)');
    await run('CREATE MATERIALIZED VIEW y_mv_sum TO y_sum AS SELECT bucket, count() AS n, sum(amount) AS amount FROM y_raw GROUP BY bucket');
    await run('CREATE MATERIALIZED VIEW y_mv_batch TO y_by_batch AS SELECT bucket, batch, count() AS n, sum(amount) AS amount FROM y_raw GROUP BY bucket, batch');
    const b = (batch: string, ids: number[]) => ids.map((i) => ({ batch, id: `${batch}-${i}`, bucket: 1, amount: 100 * i }));
    await ch.insert({ table: 'y_raw', values: b('b1', [1, 2]), format: 'JSONEachRow' });
    for (let i = 0; i < 2; i++) await ch.insert({ table: 'y_raw', values: b('b2', [3]), format: 'JSONEachRow' }); // b2 sent twice
    const exact = { n: '3', amount: '600' };
    assert.deepEqual(await one('SELECT count() AS n, sum(amount) AS amount FROM y_raw FINAL'), exact);
    assert.deepEqual(await one('SELECT sum(n) AS n, sum(amount) AS amount FROM y_sum'), { n: '4', amount: '900' }, 'counted twice');
    assert.deepEqual(await one('SELECT sum(n) AS n, sum(amount) AS amount FROM y_by_batch FINAL'), exact);
  });
});
