// Rollup choice: which table answers which part of a range, per time zone and granularity;
// the pieces partition the range exactly, align to their table and never split a bucket;
// retention and size limits fail loudly with a code prefix.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { plan, planRanges, type PlanOptions } from '../../src/query/plan-ranges.ts';
import type { TablePlan } from '../../src/store/query-shapes.ts';
import { formatBucket, type Granularity } from '../../src/query/time-buckets.ts';

const at = (iso: string): number => Date.parse(iso) / 60_000;
const DAY = 1440;
const OPTS: PlanOptions = { now: Date.parse('2026-12-01T00:00:00Z'), minuteDays: 180, hourDays: 365 };
const RESOLUTION = { minute: 1, hour: 60, day: DAY } as const;

const tableNames = (tables: TablePlan[]): string[] => tables.map((t) => t.table);
const rangesOf = (tables: TablePlan[], table: string): Array<[number, number]> =>
  tables.find((t) => t.table === table)?.ranges ?? [];
const span = (ranges: Array<[number, number]>): number => ranges.reduce((n, [s, e]) => n + e - s, 0);

/** All pieces, sorted, must tile [from, to) exactly once. */
function assertPartition(tables: TablePlan[], from: number, to: number): void {
  const pieces = tables.flatMap((t) => t.ranges).sort((a, b) => a[0] - b[0]);
  assert.equal(pieces[0][0], from, 'starts at from');
  assert.equal(pieces[pieces.length - 1][1], to, 'ends at to');
  for (let i = 0; i < pieces.length; i++) {
    assert.ok(pieces[i][0] < pieces[i][1], 'non-empty');
    if (i > 0) assert.equal(pieces[i][0], pieces[i - 1][1], 'no gap, no overlap');
  }
}

/** Ranges align to their table; a cut inside a range falls on a row boundary; ranges are sorted and merged. */
function assertAligned(tables: TablePlan[], cuts: number[]): void {
  for (const { table, ranges } of tables) {
    const res = RESOLUTION[table];
    ranges.forEach(([s, e], i) => {
      assert.ok(s % res === 0 && e % res === 0, `${table} range aligned`);
      if (i > 0) assert.ok(ranges[i - 1][1] < s, `${table} ranges sorted and merged`);
      for (const c of cuts) if (c > s && c < e) assert.equal(c % res, 0, `${table} row straddles cut ${c}`);
    });
  }
}

describe('plan: which rollup answers a query', () => {
  test('UTC daily over 30 days reads only the day table', () => {
    const from = at('2026-10-01T00:00Z');
    const p = plan(from, from + 30 * DAY, 'day', 'UTC', OPTS);
    assert.deepEqual(p.tables, [{ table: 'day', ranges: [[from, from + 30 * DAY]] }]);
    assert.equal(p.buckets.length, 30);
  });

  test('Africa/Lagos daily reads only the hour table (days start at 23:00 UTC)', () => {
    const from = at('2026-09-30T23:00Z');
    const p = plan(from, from + 30 * DAY, 'day', 'Africa/Lagos', OPTS);
    assert.deepEqual(p.tables, [{ table: 'hour', ranges: [[from, from + 30 * DAY]] }]);
    assert.equal(formatBucket(p.buckets[1], 'Africa/Lagos'), '2026-10-02T00:00:00+01:00');
  });

  test('Asia/Kolkata daily reads the minute table for the half hour around each midnight, else hours', () => {
    const from = at('2026-10-31T18:30Z');
    const p = plan(from, from + 10 * DAY, 'day', 'Asia/Kolkata', OPTS);
    assert.deepEqual(tableNames(p.tables), ['minute', 'hour']);
    const minute = rangesOf(p.tables, 'minute');
    assert.deepEqual(minute[0], [from, at('2026-10-31T19:00Z')]);
    assert.deepEqual(minute[1], [at('2026-11-01T18:00Z'), at('2026-11-01T19:00Z')]);
    assert.equal(minute.length, 11);
    assert.equal(span(minute), 30 + 9 * 60 + 30);
    assertPartition(p.tables, from, from + 10 * DAY);
  });

  test('Asia/Kathmandu hourly reads only the minute table, and refuses more than 31 days of it', () => {
    const from = at('2026-11-01T00:15Z');
    const p = plan(from, from + 2 * DAY, 'hour', 'Asia/Kathmandu', OPTS);
    assert.deepEqual(p.tables, [{ table: 'minute', ranges: [[from, from + 2 * DAY]] }]);
    assert.equal(formatBucket(p.buckets[0], 'Asia/Kathmandu'), '2026-11-01T06:00:00+05:45');
    assert.equal(p.buckets.length, 48);
    assert.throws(() => plan(from - 40 * DAY, from, 'hour', 'Asia/Kathmandu', OPTS), /^RangeError: range_too_large: .*granularity/);
  });

  test('Europe/Paris daily across both DST changes: hour table, buckets at local midnight', () => {
    const spring = plan(at('2026-03-26T23:00Z'), at('2026-03-31T22:00Z'), 'day', 'Europe/Paris', OPTS);
    assert.deepEqual(tableNames(spring.tables), ['hour']);
    assert.deepEqual(spring.buckets.map((b) => formatBucket(b, 'Europe/Paris')), [
      '2026-03-27T00:00:00+01:00', '2026-03-28T00:00:00+01:00', '2026-03-29T00:00:00+01:00',
      '2026-03-30T00:00:00+02:00', '2026-03-31T00:00:00+02:00',
    ]);
    assert.equal(spring.buckets[3] - spring.buckets[2], 23 * 60);
    const autumn = plan(at('2026-10-23T22:00Z'), at('2026-10-27T23:00Z'), 'day', 'Europe/Paris', OPTS);
    assert.deepEqual(tableNames(autumn.tables), ['hour']);
    assert.equal(autumn.buckets[1], at('2026-10-24T22:00Z'));
    assert.equal(autumn.buckets[2] - autumn.buckets[1], 25 * 60);
    assertAligned(autumn.tables, autumn.buckets.slice(1));
  });

  test('America/New_York weekly and monthly read hour heads/tails and whole UTC days', () => {
    const weekly = plan(at('2026-03-02T05:00Z'), at('2026-03-30T04:00Z'), 'week', 'America/New_York', OPTS);
    assert.deepEqual(tableNames(weekly.tables), ['hour', 'day']);
    assert.deepEqual(weekly.buckets.map((b) => formatBucket(b, 'America/New_York')), [
      '2026-03-02T00:00:00-05:00', '2026-03-09T00:00:00-04:00', '2026-03-16T00:00:00-04:00', '2026-03-23T00:00:00-04:00',
    ]);
    assert.deepEqual(rangesOf(weekly.tables, 'day')[0], [at('2026-03-03T00:00Z'), at('2026-03-09T00:00Z')]);
    const monthly = plan(at('2026-01-01T05:00Z'), at('2026-11-01T04:00Z'), 'month', 'America/New_York', OPTS);
    assert.deepEqual(tableNames(monthly.tables), ['hour', 'day']);
    assert.equal(monthly.buckets.length, 10);
    assert.equal(formatBucket(monthly.buckets[9], 'America/New_York'), '2026-10-01T00:00:00-04:00');
    assertPartition(monthly.tables, at('2026-01-01T05:00Z'), at('2026-11-01T04:00Z'));
  });

  test('all over [10:37, next day 10:37) UTC: minute heads and tails around whole hours', () => {
    const from = at('2026-11-10T10:37Z');
    const p = plan(from, from + DAY, 'all', 'UTC', OPTS);
    assert.deepEqual(p.tables, [
      { table: 'minute', ranges: [[from, at('2026-11-10T11:00Z')], [at('2026-11-11T10:00Z'), from + DAY]] },
      { table: 'hour', ranges: [[at('2026-11-10T11:00Z'), at('2026-11-11T10:00Z')]] },
    ]);
    assert.deepEqual(p.bucket, { kind: 'constant', minute: from });
  });

  test('all over three days adds whole UTC days from the day table', () => {
    const from = at('2026-11-10T10:37Z');
    const p = plan(from, from + 3 * DAY, 'all', 'UTC', OPTS);
    assert.deepEqual(p.tables, [
      { table: 'minute', ranges: [[from, at('2026-11-10T11:00Z')], [at('2026-11-13T10:00Z'), from + 3 * DAY]] },
      { table: 'hour', ranges: [[at('2026-11-10T11:00Z'), at('2026-11-11T00:00Z')], [at('2026-11-13T00:00Z'), at('2026-11-13T10:00Z')]] },
      { table: 'day', ranges: [[at('2026-11-11T00:00Z'), at('2026-11-13T00:00Z')]] },
    ]);
  });

  test('the plan carries the bucket shape of its granularity and zone', () => {
    const p = plan(at('2026-11-01T00:00Z'), at('2026-11-05T00:00Z'), 'day', 'Asia/Kolkata', OPTS);
    assert.deepEqual(p.bucket, { kind: 'pieces', pieces: [{ end: at('2026-11-05T00:00Z'), bucket: { shift: 330, period: 1440 } }] });
  });
});

describe('planRanges: retention and limits', () => {
  test('minute rows older than minuteDays are beyond retention, naming the table and date', () => {
    const from = at('2026-05-01T18:30Z'); // 214 days before now
    assert.throws(
      () => plan(from, from + 3 * DAY, 'day', 'Asia/Kolkata', OPTS),
      /^RangeError: beyond_retention: the minute rollup keeps 180 days .*2026-05-01 18:30 UTC/,
    );
  });

  test('hour rows older than hourDays are beyond retention; day rows are kept forever', () => {
    const from = at('2025-10-01T23:00Z'); // 426 days before now
    assert.throws(
      () => plan(from, from + 3 * DAY, 'day', 'Africa/Lagos', OPTS),
      /^RangeError: beyond_retention: the hour rollup keeps 365 days .*2025-10-01 23:00 UTC/,
    );
    const old = at('2021-01-01T00:00Z');
    assert.deepEqual(tableNames(plan(old, old + 30 * DAY, 'day', 'UTC', OPTS).tables), ['day']);
  });

  test('too many ranges or too much minute data is range_too_large with a hint', () => {
    const from = at('2026-08-01T18:30Z');
    assert.throws(
      () => plan(from, from + 100 * DAY, 'day', 'Asia/Kolkata', { ...OPTS, maxRanges: 50 }),
      /^RangeError: range_too_large: .*coarser granularity, UTC/,
    );
    assert.throws(
      () => planRanges(from, from + 3 * DAY, [], { ...OPTS, maxMinuteSpanMinutes: 10 }),
      /^RangeError: range_too_large: .*minute-level/,
    );
    assert.throws(() => plan(from, from + 8 * DAY, 'minute', 'UTC', OPTS), /^RangeError: range_too_large:/);
  });

  test('cuts outside (from, to), duplicates and unsorted cuts are tolerated', () => {
    const from = at('2026-11-01T00:00Z');
    const tables = planRanges(from, from + 2 * DAY, [from + DAY, from - 5, from + DAY, from + 2 * DAY], OPTS);
    assert.deepEqual(tables, [{ table: 'day', ranges: [[from, from + 2 * DAY]] }]);
  });
});

describe('planRanges properties', () => {
  test('pieces partition [from, to), align to their table and never straddle a cut', () => {
    const zones = [
      'UTC', 'Europe/Paris', 'America/New_York', 'Asia/Kolkata', 'Asia/Kathmandu', 'Africa/Lagos',
      'America/Santiago', 'Australia/Lord_Howe', 'Pacific/Chatham', 'America/St_Johns',
    ];
    const limits: PlanOptions = { ...OPTS, minuteDays: 1e6, hourDays: 1e6, maxMinuteSpanMinutes: Infinity, maxRanges: Infinity };
    const arb = fc.record({
      tz: fc.constantFrom(...zones),
      g: fc.constantFrom<Granularity>('minute', 'hour', 'day', 'week', 'month', 'all'),
      from: fc.integer({ min: at('2022-01-01T00:00Z'), max: at('2028-01-01T00:00Z') }),
      len: fc.integer({ min: 1, max: 200 * DAY }),
    });
    fc.assert(fc.property(arb, ({ tz, g, from, len }) => {
      const to = from + (g === 'minute' ? Math.min(len, 10_000) : len);
      const p = plan(from, to, g, tz, limits);
      const cuts = p.buckets.slice(1);
      assertPartition(p.tables, from, to);
      assertAligned(p.tables, cuts);
    }), { numRuns: 300, seed: 20261025 });
  });
});
