// Rule preview (POST /api/analytics/alerts/rules/preview): how often the rule would have fired
// over the last 7 days. The rollups are read once (a series over the 7 days plus the baseline
// reach, see evaluate-condition.ts) and the evaluation is replayed in JS, one step per window,
// per group, through the same judge() and transition() as live evaluation.
//
// Steps are whole windows ending on the series' bucket grid (whole hours for windows of whole
// hours, else whole minutes), at most 2016 of them: a 1-minute rule is sampled every 5 minutes.
// A metric that cannot be summed from buckets (avg_ticket_usd) over a window longer than one
// bucket is read with one query per window instead: its preview covers the last 168 windows.

import type { RunQuery } from '../analytics/query-runner.ts';
import type { Rule } from './rule-schema.ts';
import { transition, type AlertState, type AlertStatus } from './transition.ts';
import {
  MINUTE_MS, WEEK_MINUTES, baselineOffsets, createWindowData, fetchSeries, fetchWindows, fingerprint, judge, metricShape,
  type Group,
} from './evaluate-condition.ts';

const MAX_STEPS = 2016;
const MAX_QUERY_STEPS = 168;
const MAX_GROUPS_LISTED = 100;

export interface PreviewPoint {
  at: number;
  observed: number | null;
  baseline: number | null;
  z: number | null;
  breached: boolean | null;
  state: AlertStatus;
}

export interface PreviewResult {
  /** Epoch ms: the first window's start and the last window's end. */
  from: number;
  to: number;
  step_minutes: number;
  /** Evaluation instants replayed. */
  evaluations: number;
  /** Alerts opened ('firing' notifications) over all groups. */
  firings: number;
  /** Every notification: firing, repeat, resolved, nodata. */
  notifications: number;
  first_fired_at: number | null;
  /** Groups that fired, most firings first (at most 100). */
  groups: Array<{ group: Group; fingerprint: string; firings: number; first_fired_at: number }>;
  groups_evaluated: number;
  /** Every step of an ungrouped rule, for a chart. */
  series?: PreviewPoint[];
}

export async function previewRule(rule: Rule, run: RunQuery, now: number): Promise<PreviewResult> {
  const shape = metricShape(rule.metric);
  const W = rule.window_minutes;
  const bucket = W % 60 === 0 ? 60 : 1;
  const summable = shape.kind !== 'opaque' || W === bucket;
  const last = Math.floor(now / MINUTE_MS / bucket) * bucket;
  const step = summable ? W * Math.ceil(WEEK_MINUTES / W / MAX_STEPS) : W;
  const count = Math.max(1, Math.min(Math.floor(WEEK_MINUTES / step), summable ? MAX_STEPS : MAX_QUERY_STEPS));
  const ends = Array.from({ length: count }, (_, i) => last - (count - 1 - i) * step);
  const offsets = baselineOffsets(rule);
  const data = createWindowData(shape, rule.group_by);
  if (summable) {
    await fetchSeries(run, rule, shape, ends[0] - W - Math.max(0, ...offsets), last, bucket, data);
  } else {
    await fetchWindows(run, rule, shape, ends.flatMap((e) => [e, ...offsets.map((o) => e - o)]), data);
  }
  data.sort();

  const result: PreviewResult = {
    from: (ends[0] - W) * MINUTE_MS, to: last * MINUTE_MS, step_minutes: step, evaluations: count,
    firings: 0, notifications: 0, first_fired_at: null, groups: [], groups_evaluated: 0,
  };
  const series: PreviewPoint[] = [];
  for (const [key, { group }] of data.groups) {
    let state: AlertState | null = null;
    let firings = 0;
    let first: number | null = null;
    let evaluated = false;
    for (const end of ends) {
      const cur = data.read(key, end - W, end);
      const base = offsets.map((o) => data.read(key, end - o - W, end - o));
      // As in evaluateRule: a group with no data in the window nor its baseline is not observed.
      if (rule.group_by.length > 0 && !cur.present && !base.some((b) => b.present)) continue;
      evaluated = true;
      const j = judge(rule, shape, cur, base);
      const at = end * MINUTE_MS;
      const t = transition(state, { breached: j.breached, at }, rule);
      state = t.next;
      if (t.notify) result.notifications++;
      if (t.notify === 'firing') {
        firings++;
        first ??= at;
      }
      if (rule.group_by.length === 0) {
        series.push({ at, observed: j.observed, baseline: j.baseline ?? null, z: j.z ?? null, breached: j.breached, state: state.state });
      }
    }
    if (evaluated) result.groups_evaluated++;
    if (firings > 0) {
      result.firings += firings;
      result.groups.push({ group, fingerprint: fingerprint(rule, group), firings, first_fired_at: first! });
      if (result.first_fired_at === null || first! < result.first_fired_at) result.first_fired_at = first;
    }
  }
  result.groups.sort((a, b) => b.firings - a.firings || a.first_fired_at - b.first_fired_at);
  result.groups = result.groups.slice(0, MAX_GROUPS_LISTED);
  if (rule.group_by.length === 0) result.series = series;
  return result;
}
