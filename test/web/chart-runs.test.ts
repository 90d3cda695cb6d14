// The series chart's reduction (web/src/chart-runs.ts): short series pass through whole; a year of
// hours is drawn with at most two points per unit of width, keeping every column's extremes (so
// the peak and the trough are still on the chart) in time order; an undefined value breaks the line.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartRuns, type SeriesPoint } from '../../web/src/chart-runs.ts';

const WIDTH = 784;
const series = (values: Array<number | null>): SeriesPoint[] =>
  values.map((value, i) => ({ ts: new Date(Date.UTC(2026, 0, 1) + i * 3_600_000).toISOString(), value }));

test('a short series is drawn point for point; a gap splits it', () => {
  const runs = chartRuns(series([1, 2, null, 4, 5, 6]), WIDTH);
  assert.deepEqual(runs, [[{ i: 0, v: 1 }, { i: 1, v: 2 }], [{ i: 3, v: 4 }, { i: 4, v: 5 }, { i: 5, v: 6 }]]);
});

test('a year of hours: at most two points per unit of width, the extremes kept, in order', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const values = Array.from({ length: 8_784 }, () => Math.round(rand() * 1000));
  values[4321] = 5000; // the peak
  values[77] = -3; // the trough
  const runs = chartRuns(series(values), WIDTH);
  const drawn = runs.flat();
  assert.equal(runs.length, 1, 'no gap, one line');
  assert.ok(drawn.length <= 2 * WIDTH, `${drawn.length} points drawn`);
  assert.ok(drawn.length >= WIDTH, 'every column is drawn');
  assert.ok(drawn.some((p) => p.i === 4321 && p.v === 5000), 'the peak is on the chart');
  assert.ok(drawn.some((p) => p.i === 77 && p.v === -3), 'the trough is on the chart');
  for (let k = 1; k < drawn.length; k++) assert.ok(drawn[k]!.i > drawn[k - 1]!.i, 'time order');
  for (const p of drawn) assert.equal(values[p.i], p.v, 'each drawn point is a real bucket');
});
