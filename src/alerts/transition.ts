// The alert lifecycle policy, in one place: given the previous state of one (rule, group) alert
// and a new observation, the next state and the one notification (if any) it calls for. Every
// condition type (threshold, change, anomaly), the scheduler and the 7-day preview go through
// this function; none of them decides about `for`, resolution or repeats on its own.
//
//   observation →   breached                      clear                 nodata / error
//   normal          pending (firing if for = 0)   normal                nodata / error
//   pending         firing once held ≥ for        normal (silent)       nodata / error (silent, `for` restarts)
//   firing          firing; 'repeat' per interval 'resolved'            nodata / error, notified
//   resolved        like normal                   normal                nodata / error
//   nodata / error  firing again ('firing') if it  'resolved' if it      stays (silent)
//                   was firing, else like normal   was firing, else normal
//
// Choices: nodata and error are states of their own (Grafana's default NoData → "NoData"), but
// they notify only when they interrupt a firing alert; a quiet alert going dark is not news.
// Such an alert remembers `firing_since`, so data coming back still breached re-announces the
// same alert ('firing', a state change), and data coming back clear resolves it. A breach that
// goes on never produces a second 'firing': it can only send 'repeat' every
// repeat_interval_minutes (0 = never repeat).

export type AlertStatus = 'normal' | 'pending' | 'firing' | 'resolved' | 'nodata' | 'error';
export type Notification = 'firing' | 'resolved' | 'repeat' | 'nodata' | 'error';

export interface AlertState {
  state: AlertStatus;
  /** Epoch ms the current state began; for `pending`, when the breach began. */
  since: number;
  /** Epoch ms the alert started firing; kept through nodata/error, null once resolved. */
  firing_since: number | null;
  /** Epoch ms of the last notification sent for this alert. */
  last_notified_at: number | null;
  /** The last evaluation error (state `error`). */
  error?: string;
}

export interface Observation {
  /** true = the condition holds, false = it does not, null = no data to tell. */
  breached: boolean | null;
  /** Epoch ms of the evaluation. */
  at: number;
  /** Set when the evaluation itself failed (query error…); `breached` is then ignored. */
  error?: string;
}

export interface LifecyclePolicy {
  for_minutes: number;
  repeat_interval_minutes: number;
}

export interface Transition {
  next: AlertState;
  notify: Notification | null;
}

const MINUTE = 60_000;

export function transition(prev: AlertState | null, obs: Observation, rule: LifecyclePolicy): Transition {
  const p: AlertState = prev ?? { state: 'normal', since: obs.at, firing_since: null, last_notified_at: null };
  if (obs.error !== undefined) return gap(p, 'error', obs.at, obs.error);
  if (obs.breached === null) return gap(p, 'nodata', obs.at);
  return obs.breached ? onBreach(p, obs.at, rule) : onClear(p, obs.at);
}

/** Firing, or interrupted (nodata/error) while firing: the alert is still open. */
export function isOpen(s: AlertState): boolean {
  return s.state === 'firing' || ((s.state === 'nodata' || s.state === 'error') && s.firing_since !== null);
}

function onBreach(p: AlertState, at: number, rule: LifecyclePolicy): Transition {
  if (p.state === 'firing') {
    const every = rule.repeat_interval_minutes * MINUTE;
    const due = every > 0 && (p.last_notified_at === null || at - p.last_notified_at >= every);
    return due ? { next: { ...p, last_notified_at: at }, notify: 'repeat' } : { next: p, notify: null };
  }
  if (isOpen(p)) return fire(at, p.firing_since!);
  if (p.state === 'pending') {
    return at - p.since >= rule.for_minutes * MINUTE ? fire(at, at) : { next: p, notify: null };
  }
  // normal, resolved, or a gap that interrupted no firing alert: a new breach begins.
  if (rule.for_minutes <= 0) return fire(at, at);
  return { next: { state: 'pending', since: at, firing_since: null, last_notified_at: p.last_notified_at }, notify: null };
}

function onClear(p: AlertState, at: number): Transition {
  if (isOpen(p)) {
    return { next: { state: 'resolved', since: at, firing_since: null, last_notified_at: at }, notify: 'resolved' };
  }
  if (p.state === 'normal') return { next: p, notify: null };
  // pending (cleared before `for` elapsed: silent), resolved (one observation later), quiet gaps.
  return { next: { state: 'normal', since: at, firing_since: null, last_notified_at: p.last_notified_at }, notify: null };
}

function gap(p: AlertState, state: 'nodata' | 'error', at: number, error?: string): Transition {
  if (p.state === state) {
    return { next: error !== undefined && error !== p.error ? { ...p, error } : p, notify: null };
  }
  const open = isOpen(p);
  const notify = p.state === 'firing' ? state : null;
  const next: AlertState = {
    state,
    since: at,
    firing_since: open ? p.firing_since : null,
    last_notified_at: notify ? at : p.last_notified_at,
  };
  if (error !== undefined) next.error = error;
  return { next, notify };
}

function fire(at: number, firingSince: number): Transition {
  return { next: { state: 'firing', since: at, firing_since: firingSince, last_notified_at: at }, notify: 'firing' };
}
