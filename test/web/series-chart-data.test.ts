// What the series chart plots (web/src/series-chart-data.ts), no browser: bucket ends in the
// view's zone (calendar days across a DST change, months), whether the last bucket is still
// running, and the columns handed to uPlot — the previous period aligned by position, the
// incomplete last bucket moved onto its own segment.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bucketEnd, chartColumns, lastBucketPartial } from '../../web/src/series-chart-data.ts';

const H = 3_600_000;

test('bucket ends: hours, calendar days across a DST change, weeks and months in the zone', () => {
  const t = Date.parse('2026-03-29T00:00:00+01:00'); // Paris: the day of the spring change has 23 hours
  assert.equal(bucketEnd(t, 'hour', 'Europe/Paris'), t + H);
  assert.equal(bucketEnd(t, 'day', 'Europe/Paris'), Date.parse('2026-03-30T00:00:00+02:00'));
  assert.equal(bucketEnd(t, 'day', 'Europe/Paris') - t, 23 * H);
  assert.equal(bucketEnd(Date.parse('2026-03-23T00:00:00+01:00'), 'week', 'Europe/Paris'), Date.parse('2026-03-30T00:00:00+02:00'));
  assert.equal(bucketEnd(Date.parse('2026-12-01T00:00:00Z'), 'month', 'UTC'), Date.parse('2027-01-01T00:00:00Z'));
  assert.equal(bucketEnd(Date.parse('2026-02-01T00:00:00+01:00'), 'month', 'Africa/Lagos'), Date.parse('2026-03-01T00:00:00+01:00'));
});

test('the last bucket is incomplete when it ends after the range or after now', () => {
  const points = [{ ts: '2026-12-05T10:00:00Z' }, { ts: '2026-12-05T11:00:00Z' }];
  const end = Date.parse('2026-12-05T12:00:00Z');
  assert.equal(lastBucketPartial(points, 'hour', end, end, 'UTC'), false);
  assert.equal(lastBucketPartial(points, 'hour', end - 60_000, end, 'UTC'), true, 'the range ends inside it');
  assert.equal(lastBucketPartial(points, 'hour', end, end - 60_000, 'UTC'), true, 'now is inside it');
  assert.equal(lastBucketPartial([], 'hour', end, end, 'UTC'), false);
});

test('columns: seconds, the previous period by position, the incomplete bucket on its own segment', () => {
  const points = [{ ts: '2026-12-05T09:00:00Z', value: 1 }, { ts: '2026-12-05T10:00:00Z', value: null }, { ts: '2026-12-05T11:00:00Z', value: 3 }, { ts: '2026-12-05T12:00:00Z', value: 4 }];
  const previous = [{ ts: '2026-12-04T09:00:00Z', value: 5 }, { ts: '2026-12-04T10:00:00Z', value: 6 }];
  const whole = chartColumns(points, previous, false);
  assert.deepEqual(whole.xs, points.map((p) => Date.parse(p.ts) / 1000));
  assert.deepEqual(whole.current, [1, null, 3, 4]);
  assert.deepEqual(whole.previous, [5, 6, null, null]);
  assert.deepEqual(whole.partial, [null, null, null, null]);
  const running = chartColumns(points, null, true);
  assert.deepEqual(running.current, [1, null, 3, null]);
  assert.deepEqual(running.partial, [null, null, 3, 4]);
  assert.deepEqual(running.previous, [null, null, null, null]);
});
