// The demo is one network (issue 16): its history and its live stream run at one rate,
// DEMO_EVENTS_PER_SECOND, along the same daily rhythm. Before, the history held ~280 events an
// hour and the live stream ~180,000, so every chart ended in a wall. Here the history is
// generated and the live pacer run for a day on a fixed clock, and each hour of one is compared
// with the same hour of the other.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLivePacer, demoHistory, demoHistoryCount, demoIntensity } from '../../src/demo/run-demo.ts';

const HOUR = 3_600_000;
// A Wednesday, not near a pay day: its day factor equals the Tuesday's before it.
const NOW = Date.parse('2026-03-11T00:00:00Z');
const RATE = 2;
const DAYS = 2;

test('the history\'s hourly rate and the live stream\'s agree, hour by hour of the day', { timeout: 120_000 }, () => {
  const history = new Float64Array(24);
  let total = 0;
  for (const e of demoHistory(NOW, DAYS, RATE)) {
    total++;
    const at = Date.parse(String(e.occurred_at));
    if (at >= NOW - 24 * HOUR) history[Math.floor((at - (NOW - 24 * HOUR)) / HOUR)]++;
  }
  assert.equal(total, demoHistoryCount(RATE, DAYS));
  assert.equal(total, RATE * DAYS * 86_400, 'the history holds the demo rate on average');

  // The live stream's pacing, a tick a second for the day after the history.
  const pace = createLivePacer(RATE, demoIntensity(NOW, DAYS));
  const live = new Float64Array(24);
  for (let t = NOW + 1000; t <= NOW + 24 * HOUR; t += 1000) live[Math.floor((t - 1 - NOW) / HOUR)] += pace(t, 1000);

  const sum = (a: Float64Array) => a.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum(live) / sum(history) - 1) < 0.05, `a day: history ${sum(history)}, live ${sum(live)}`);
  for (let h = 0; h < 24; h++) {
    const ratio = live[h] / history[h];
    assert.ok(ratio > 0.85 && ratio < 1.15, `hour ${h} UTC: history ${history[h]}, live ${live[h]}`);
  }
  // Where they join, the live stream's first hour is the history's same hour a day on (hour 0
  // above), not a wall: the change from the history's last hour is the daily rhythm's own.
  // And a rhythm, not a flat line: the busiest hour well above the quietest.
  assert.ok(Math.max(...history) > 1.5 * Math.min(...history), `a daily rhythm: ${[...history].join(', ')}`);
});
