// The alert lifecycle policy (src/alerts/transition.ts): every state × observation, the `for`
// duration, repeats, resolution, gaps (nodata/error) while firing or quiet, and — over random
// observation sequences — that an ongoing breach never sends a second 'firing'.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { transition, type AlertState, type Notification, type Observation } from '../../src/alerts/transition.ts';

const MIN = 60_000;
const T0 = Date.parse('2026-11-20T10:00:00Z');
const POLICY = { for_minutes: 5, repeat_interval_minutes: 60 };

const STATES: Record<string, AlertState> = {
  normal: { state: 'normal', since: T0, firing_since: null, last_notified_at: null },
  pending: { state: 'pending', since: T0, firing_since: null, last_notified_at: null },
  firing: { state: 'firing', since: T0, firing_since: T0, last_notified_at: T0 },
  resolved: { state: 'resolved', since: T0, firing_since: null, last_notified_at: T0 },
  'nodata (quiet)': { state: 'nodata', since: T0, firing_since: null, last_notified_at: null },
  'nodata (was firing)': { state: 'nodata', since: T0, firing_since: T0 - 30 * MIN, last_notified_at: T0 },
  'error (quiet)': { state: 'error', since: T0, firing_since: null, last_notified_at: null, error: 'boom' },
  'error (was firing)': { state: 'error', since: T0, firing_since: T0 - 30 * MIN, last_notified_at: T0, error: 'boom' },
};

type ObsKind = 'breach' | 'clear' | 'nodata' | 'error';
const obs = (kind: ObsKind, at: number): Observation =>
  kind === 'error' ? { breached: null, at, error: 'store down' } : { breached: kind === 'breach' ? true : kind === 'clear' ? false : null, at };

// One minute after the state began: `for` (5 min) and the repeat interval (60 min) not yet elapsed.
const TABLE: Record<string, Record<ObsKind, [string, Notification | null]>> = {
  normal: { breach: ['pending', null], clear: ['normal', null], nodata: ['nodata', null], error: ['error', null] },
  pending: { breach: ['pending', null], clear: ['normal', null], nodata: ['nodata', null], error: ['error', null] },
  firing: { breach: ['firing', null], clear: ['resolved', 'resolved'], nodata: ['nodata', 'nodata'], error: ['error', 'error'] },
  resolved: { breach: ['pending', null], clear: ['normal', null], nodata: ['nodata', null], error: ['error', null] },
  'nodata (quiet)': { breach: ['pending', null], clear: ['normal', null], nodata: ['nodata', null], error: ['error', null] },
  'nodata (was firing)': { breach: ['firing', 'firing'], clear: ['resolved', 'resolved'], nodata: ['nodata', null], error: ['error', null] },
  'error (quiet)': { breach: ['pending', null], clear: ['normal', null], nodata: ['nodata', null], error: ['error', null] },
  'error (was firing)': { breach: ['firing', 'firing'], clear: ['resolved', 'resolved'], nodata: ['nodata', null], error: ['error', null] },
};

test('every state × observation', () => {
  for (const [name, prev] of Object.entries(STATES)) {
    for (const kind of ['breach', 'clear', 'nodata', 'error'] as const) {
      const { next, notify } = transition(prev, obs(kind, T0 + MIN), POLICY);
      assert.deepEqual([next.state, notify], TABLE[name][kind], `${name} + ${kind}`);
      if (next.state === prev.state) assert.equal(next.since, prev.since, `${name} + ${kind}: a state that holds keeps its since`);
      else assert.equal(next.since, T0 + MIN, `${name} + ${kind}: a new state starts now`);
      if (notify) assert.equal(next.last_notified_at, T0 + MIN);
      else assert.equal(next.last_notified_at, prev.last_notified_at, `${name} + ${kind}: no notification, none recorded`);
      if (next.state === 'error') assert.ok(next.error);
    }
  }
});

test('a gap keeps an open alert open; data back resolves it or re-announces the same alert', () => {
  const firing = STATES.firing;
  const gap = transition(firing, obs('nodata', T0 + MIN), POLICY).next;
  assert.equal(gap.firing_since, T0);
  const err = transition(gap, obs('error', T0 + 2 * MIN), POLICY);
  assert.deepEqual([err.next.state, err.notify, err.next.firing_since], ['error', null, T0]);
  const back = transition(err.next, obs('breach', T0 + 3 * MIN), POLICY);
  assert.deepEqual([back.next.state, back.notify, back.next.firing_since], ['firing', 'firing', T0], 'the same alert, announced again');
  // A quiet alert going dark forgets its pending breach: `for` starts over.
  const pending = transition(null, obs('breach', T0), POLICY).next;
  const dark = transition(pending, obs('nodata', T0 + 2 * MIN), POLICY).next;
  const again = transition(dark, obs('breach', T0 + 6 * MIN), POLICY);
  assert.deepEqual([again.next.state, again.next.since], ['pending', T0 + 6 * MIN]);
});

test('for = 0 fires on the first breach; first observation without data is nodata, silent', () => {
  const r = transition(null, obs('breach', T0), { for_minutes: 0, repeat_interval_minutes: 60 });
  assert.deepEqual(r, { next: { state: 'firing', since: T0, firing_since: T0, last_notified_at: T0 }, notify: 'firing' });
  assert.deepEqual(transition(null, obs('nodata', T0), POLICY), {
    next: { state: 'nodata', since: T0, firing_since: null, last_notified_at: null }, notify: null,
  });
  assert.deepEqual(transition(null, obs('clear', T0), POLICY).next.state, 'normal');
});

test('for: pending until the breach has held for_minutes, then firing once', () => {
  let s: AlertState | null = null;
  const seen: Array<[string, Notification | null]> = [];
  for (let m = 0; m <= 7; m++) {
    const r = transition(s, obs('breach', T0 + m * MIN), POLICY);
    s = r.next;
    seen.push([s.state, r.notify]);
  }
  assert.deepEqual(seen.map((x) => x[0]), ['pending', 'pending', 'pending', 'pending', 'pending', 'firing', 'firing', 'firing']);
  assert.deepEqual(seen.filter((x) => x[1] !== null), [['firing', 'firing']]);
  assert.equal(s!.firing_since, T0 + 5 * MIN);
  // Cleared while pending: back to normal, nothing sent.
  const p = transition(null, obs('breach', T0), POLICY).next;
  assert.deepEqual(transition(p, obs('clear', T0 + 4 * MIN), POLICY).notify, null);
});

test('repeat: a reminder per repeat interval while firing, never a second firing; 0 = no reminders', () => {
  const run = (repeat: number) => {
    let s: AlertState | null = null;
    const notes: Array<[number, Notification]> = [];
    for (let m = 0; m <= 240; m += 5) {
      const r = transition(s, obs('breach', T0 + m * MIN), { for_minutes: 0, repeat_interval_minutes: repeat });
      s = r.next;
      if (r.notify) notes.push([m, r.notify]);
    }
    const end = transition(s, obs('clear', T0 + 245 * MIN), { for_minutes: 0, repeat_interval_minutes: repeat });
    return { notes, end };
  };
  const hourly = run(60);
  assert.deepEqual(hourly.notes, [[0, 'firing'], [60, 'repeat'], [120, 'repeat'], [180, 'repeat'], [240, 'repeat']]);
  assert.deepEqual([hourly.end.next.state, hourly.end.notify], ['resolved', 'resolved']);
  assert.deepEqual(run(0).notes, [[0, 'firing']]);
});

test('resolved lasts one observation; the next breach is a new alert', () => {
  const p = { for_minutes: 0, repeat_interval_minutes: 60 };
  const f = transition(null, obs('breach', T0), p).next;
  const res = transition(f, obs('clear', T0 + MIN), p);
  assert.deepEqual([res.next.state, res.notify, res.next.firing_since], ['resolved', 'resolved', null]);
  assert.equal(transition(res.next, obs('clear', T0 + 2 * MIN), p).next.state, 'normal');
  const again = transition(res.next, obs('breach', T0 + 2 * MIN), p);
  assert.deepEqual([again.next.state, again.notify, again.next.firing_since], ['firing', 'firing', T0 + 2 * MIN]);
});

test('random sequences: one firing per breach episode, resolved only after firing, notifications only on change or repeat', () => {
  const kinds = fc.constantFrom<ObsKind>('breach', 'breach', 'breach', 'clear', 'nodata', 'error');
  fc.assert(fc.property(
    fc.array(kinds, { minLength: 1, maxLength: 60 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 0, max: 90 }),
    (seq, forMin, repeat) => {
      const policy = { for_minutes: forMin, repeat_interval_minutes: repeat };
      let s: AlertState | null = null;
      let firingInEpisode = false;
      let open = false;
      seq.forEach((kind, i) => {
        const prev: AlertState | null = s;
        const r = transition(prev, obs(kind, T0 + i * 5 * MIN), policy);
        s = r.next;
        if (kind !== 'breach') firingInEpisode = false;
        if (r.notify === 'firing') {
          assert.ok(!firingInEpisode, 'a second firing within one uninterrupted breach');
          firingInEpisode = true;
          open = true;
        }
        if (r.notify === 'resolved') {
          assert.ok(open, 'resolved without having fired');
          open = false;
        }
        if (r.notify === 'repeat') assert.equal(prev?.state, 'firing');
        else if (r.notify !== null) assert.notEqual(prev?.state, s.state, 'a notification without a state change');
        if (r.notify === null && prev) assert.equal(s.last_notified_at, prev.last_notified_at);
      });
    },
  ), { seed: 20261120, numRuns: 500 });
});
