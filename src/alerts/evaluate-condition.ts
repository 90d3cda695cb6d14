// Evaluates one rule at one instant: reads the window [floor(now to minute) − window, that
// minute) and the baselines its condition needs through runQuery, per group when the rule has
// group_by, and judges each group (breached, or null = no data). Pure apart from the queries;
// the lifecycle (for, resolve, repeat) is transition.ts's business, not this file's.
//
// Reading: the current window and week-ago windows are one `all` query each. A trailing
// baseline of N windows is one series query (hour buckets when the windows fall on whole hours,
// else minute buckets, cut in chunks of 1440 buckets and halved again if an answer is too
// large) summed into windows here. Summing needs additive values: additive metrics are summed;
// a ratio is rebuilt from the additive metrics its registry entry names as its parts
// (success_rate from succeeded_count and failed_count, …) so the ratio of a window is exact;
// an opaque metric (avg_ticket_usd) falls back to one `all` query per window.

import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import { getMetric, type MetricKind } from '../metrics/registry.ts';
import type { QueryRow, QuerySpec } from '../query/run-query.ts';
import type { RunQuery } from '../analytics/query-runner.ts';
import { DEFAULT_TRAILING_WINDOWS, type Rule } from './rule-schema.ts';

export const MINUTE_MS = 60_000;
export const WEEK_MINUTES = 7 * 1440;
const CHUNK_BUCKETS = 1440;
const WINDOW_QUERY_CONCURRENCY = 4;

export type Group = Record<string, string | null>;

export interface Evaluation {
  group: Group;
  fingerprint: string;
  /** null = no data to judge (no value in the window, or no baseline). */
  breached: boolean | null;
  observed: number | null;
  baseline?: number | null;
  z?: number | null;
  detail: string;
  /** The window judged, epoch ms [from, to). */
  window: { from: number; to: number };
}

/** A metric in a signed sum: its index in MetricShape.metrics. */
export interface ShapePart { at: number; sign: number }

export interface MetricShape {
  kind: MetricKind;
  /** Registry metrics each query asks for. */
  metrics: string[];
  /** Signed indexes into `metrics`: the value (additive/opaque: num[0]; ratio: Σ num / Σ den). */
  num: ShapePart[];
  den: ShapePart[];
  /** Index into `metrics` of the volume (min_volume). */
  volume: number;
  /** A count: its noise is at least Poisson (anomaly z uses σ ≥ √mean). */
  countLike: boolean;
}

export function metricShape(name: string): MetricShape {
  const m = getMetric(name);
  if (!m) throw new AppError('unknown_metric', `unknown metric ${JSON.stringify(name)}`);
  const parts = m.parts ?? { num: [{ metric: name, sign: 1 }], den: [] };
  const metrics = [...new Set([...parts.num, ...parts.den].map((p) => p.metric).concat(m.volume))];
  const at = (p: { metric: string; sign: number }) => ({ at: metrics.indexOf(p.metric), sign: p.sign });
  return {
    kind: m.kind, metrics,
    num: parts.num.map(at),
    den: parts.den.map(at),
    volume: metrics.indexOf(m.volume),
    countLike: m.unit === 'count',
  };
}

/** The rule's filters, confined to its merchant when it is merchant-scoped. */
export function ruleFilters(rule: Rule): Record<string, string[]> {
  return rule.merchant_id === null ? rule.filters : { ...rule.filters, merchant_id: [rule.merchant_id] };
}

/** Stable id of one (rule, group) alert: the rule id (else name) and the group's values sorted by dimension. */
export function fingerprint(rule: Pick<Rule, 'id' | 'name'>, group: Group): string {
  const values = Object.keys(group).sort().map((k) => [k, group[k]]);
  return createHash('sha256').update(JSON.stringify([rule.id ?? `name:${rule.name}`, values])).digest('hex').slice(0, 32);
}

/** How far before a window's end each baseline window ends, in minutes. */
export function baselineOffsets(rule: Rule): number[] {
  const c = rule.condition;
  if (c.type === 'threshold') return [];
  if (c.type === 'change' && c.baseline === 'week_ago') return [WEEK_MINUTES];
  const n = c.type === 'anomaly' ? c.baseline_windows : c.trailing_windows ?? DEFAULT_TRAILING_WINDOWS;
  return Array.from({ length: n }, (_, k) => (k + 1) * rule.window_minutes);
}

// ---- window data: query rows per group, summed over any [start, end) in minutes ----

export interface WindowRead { present: boolean; value: number | null; volume: number }
interface Entry { at: number; span: number; vals: Array<number | null> }
interface GroupRows { group: Group; entries: Entry[]; memo: Map<string, WindowRead> }

export interface WindowData {
  groups: Map<string, GroupRows>;
  read(key: string, start: number, end: number): WindowRead;
}

export function createWindowData(shape: MetricShape, groupBy: readonly string[]) {
  const groups = new Map<string, GroupRows>();
  const keyOf = (group: Group) => JSON.stringify(groupBy.map((d) => group[d] ?? null));
  const rowsOf = (group: Group) => {
    const key = keyOf(group);
    let g = groups.get(key);
    if (!g) groups.set(key, g = { group, entries: [], memo: new Map() });
    return g;
  };
  // An ungrouped rule always has its one group, data or not.
  if (groupBy.length === 0) rowsOf({});
  const data: WindowData & { add(row: QueryRow, at: number, span: number): void; sort(): void } = {
    groups,
    add(row, at, span) {
      const group = Object.fromEntries(groupBy.map((d) => [d, row.dims[d] ?? null]));
      const vals = shape.metrics.map((m) => (shape.kind === 'opaque' ? row.metrics[m] ?? null : row.metrics[m] ?? 0));
      rowsOf(group).entries.push({ at, span, vals });
    },
    sort() { for (const g of groups.values()) g.entries.sort((a, b) => a.at - b.at); },
    read(key, start, end) {
      const g = groups.get(key);
      if (!g) return { present: false, value: shape.kind === 'additive' ? 0 : null, volume: 0 };
      const memoKey = `${start}:${end}`;
      let r = g.memo.get(memoKey);
      if (!r) g.memo.set(memoKey, r = readEntries(shape, g.entries, start, end));
      return r;
    },
  };
  return data;
}

function readEntries(shape: MetricShape, entries: Entry[], start: number, end: number): WindowRead {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) { const mid = (lo + hi) >> 1; if (entries[mid].at < start) lo = mid + 1; else hi = mid; }
  const sums = new Array<number>(shape.metrics.length).fill(0);
  let n = 0;
  for (let i = lo; i < entries.length && entries[i].at < end; i++, n++) {
    const e = entries[i];
    if (e.at + e.span > end) throw new Error(`internal: bucket [${e.at}, +${e.span}) straddles window end ${end}`);
    e.vals.forEach((v, k) => { sums[k] += v ?? 0; });
  }
  const sum = (parts: ShapePart[]) => parts.reduce((s, p) => s + p.sign * sums[p.at], 0);
  let value: number | null;
  if (shape.kind === 'additive') value = sum(shape.num);
  else if (shape.kind === 'ratio') value = sum(shape.den) === 0 ? null : sum(shape.num) / sum(shape.den);
  else if (n === 0) value = null;
  else if (n === 1 && entries[lo].at === start && entries[lo].span === end - start) value = entries[lo].vals[shape.num[0].at];
  else throw new Error('internal: a non-additive metric read over several buckets');
  return { present: n > 0, value, volume: sums[shape.volume] };
}

// ---- fetching ----

type Collector = ReturnType<typeof createWindowData>;

function baseSpec(rule: Rule, shape: MetricShape): Pick<QuerySpec, 'metrics' | 'dimensions' | 'filters' | 'tz'> {
  return { metrics: shape.metrics, dimensions: [...rule.group_by], filters: ruleFilters(rule), tz: 'UTC' };
}

/** One `all` query per window ending at each of `ends` (minutes), a few at a time. */
export async function fetchWindows(run: RunQuery, rule: Rule, shape: MetricShape, ends: number[], into: Collector): Promise<void> {
  const W = rule.window_minutes;
  const todo = [...new Set(ends)];
  const worker = async () => {
    for (let e = todo.pop(); e !== undefined; e = todo.pop()) {
      const end = e;
      const r = await run({ ...baseSpec(rule, shape), from: (end - W) * MINUTE_MS, to: end * MINUTE_MS, granularity: 'all' });
      for (const row of r.rows) into.add(row, end - W, W);
    }
  };
  await Promise.all(Array.from({ length: Math.min(WINDOW_QUERY_CONCURRENCY, todo.length) }, worker));
}

/** A series over [from, to) minutes in buckets of `bucket` (1 or 60) minutes, in chunks. */
export async function fetchSeries(
  run: RunQuery, rule: Rule, shape: MetricShape, from: number, to: number, bucket: 1 | 60, into: Collector,
): Promise<void> {
  const chunks: Array<[number, number]> = [];
  for (let a = from; a < to; a += CHUNK_BUCKETS * bucket) chunks.push([a, Math.min(to, a + CHUNK_BUCKETS * bucket)]);
  const one = async (a: number, b: number): Promise<void> => {
    try {
      const r = await run({ ...baseSpec(rule, shape), from: a * MINUTE_MS, to: b * MINUTE_MS, granularity: bucket === 60 ? 'hour' : 'minute' });
      for (const row of r.rows) into.add(row, Date.parse(row.bucket!) / MINUTE_MS, bucket);
    } catch (err) {
      // Too many (bucket, group) rows for one answer: ask for half the range at a time.
      const buckets = (b - a) / bucket;
      if (!(err instanceof AppError && err.code === 'result_too_large' && buckets > 1)) throw err;
      const mid = a + Math.floor(buckets / 2) * bucket;
      await one(a, mid);
      await one(mid, b);
    }
  };
  for (const [a, b] of chunks) await one(a, b);
}

// ---- judging ----

export interface Judgement {
  breached: boolean | null;
  observed: number | null;
  baseline?: number | null;
  z?: number | null;
  detail: string;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(4));

/** The condition applied to a window and its baseline windows (in baselineOffsets order). */
export function judge(rule: Rule, shape: MetricShape, cur: WindowRead, base: WindowRead[]): Judgement {
  const c = rule.condition;
  const what = `${rule.metric} over ${rule.window_minutes} min`;
  const x = cur.value;
  if (x === null) return { breached: null, observed: null, detail: `${what}: no data` };
  if (c.type === 'threshold') {
    const hit = c.op === '>' ? x > c.value : c.op === '>=' ? x >= c.value : c.op === '<' ? x < c.value : x <= c.value;
    return { breached: hit, observed: x, detail: `${what} = ${fmt(x)} (threshold ${c.op} ${c.value})` };
  }
  const values = base.map((b) => b.value).filter((v): v is number => v !== null);
  if (c.type === 'change') {
    const b = c.baseline === 'week_ago' ? base[0].value : values.length ? mean(values) : null;
    const label = c.baseline === 'week_ago' ? 'a week earlier' : `the mean of ${base.length} trailing windows`;
    if (b === null || b === 0) {
      return { breached: null, observed: x, baseline: b, detail: `${what} = ${fmt(x)}; no baseline (${label} ${b === null ? 'has no data' : 'is 0'})` };
    }
    const pct = ((x - b) / Math.abs(b)) * 100;
    const hit = c.op === '>' ? pct > c.percent : pct < -c.percent;
    return { breached: hit, observed: x, baseline: b, detail: `${what} = ${fmt(x)}, ${pct >= 0 ? '+' : ''}${pct.toFixed(1)}% vs ${fmt(b)} (${label}; ${c.op === '>' ? 'rise' : 'fall'} over ${c.percent}% breaches)` };
  }
  if (values.length < 3) {
    return { breached: null, observed: x, baseline: null, z: null, detail: `${what} = ${fmt(x)}; baseline has ${values.length} windows with data, needs 3` };
  }
  const mu = mean(values);
  const sd = Math.sqrt(values.reduce((s, v) => s + (v - mu) ** 2, 0) / (values.length - 1));
  const sigma = shape.countLike ? Math.max(sd, Math.sqrt(mu)) : sd;
  const z = sigma > 0 ? (x - mu) / sigma : x === mu ? 0 : (x - mu) * Infinity;
  const volume = Math.max(cur.volume, mean(base.map((b) => b.volume)));
  const shown = Number.isFinite(z) ? z : null;
  const stats = `${what} = ${fmt(x)}, baseline ${fmt(mu)} ± ${fmt(sd)} over ${values.length} windows, z = ${shown === null ? 'inf (flat baseline)' : shown.toFixed(2)}`;
  if (volume < c.min_volume) {
    return { breached: false, observed: x, baseline: mu, z: shown, detail: `${stats}; volume ${fmt(volume)} below min_volume ${c.min_volume}` };
  }
  const hit = c.direction === 'up' ? z >= c.z : c.direction === 'down' ? z <= -c.z : Math.abs(z) >= c.z;
  return { breached: hit, observed: x, baseline: mu, z: shown, detail: `${stats} (|z| ≥ ${c.z} ${c.direction} breaches)` };
}

// ---- evaluation ----

export async function evaluateRule(rule: Rule, run: RunQuery, now: number): Promise<Evaluation[]> {
  const shape = metricShape(rule.metric);
  const W = rule.window_minutes;
  const end = Math.floor(now / MINUTE_MS);
  const offsets = baselineOffsets(rule);
  const data = createWindowData(shape, rule.group_by);
  const trailing = offsets.length > 0 && offsets[0] === W;
  const bucket = W % 60 === 0 && end % 60 === 0 ? 60 : 1;
  if (trailing && (shape.kind !== 'opaque' || W === bucket)) {
    // The window and its trailing baseline are contiguous: one series.
    await fetchSeries(run, rule, shape, end - W - offsets[offsets.length - 1], end, bucket, data);
  } else {
    await fetchWindows(run, rule, shape, [end, ...offsets.map((o) => end - o)], data);
  }
  data.sort();
  const out: Evaluation[] = [];
  for (const [key, { group }] of data.groups) {
    const cur = data.read(key, end - W, end);
    const base = offsets.map((o) => data.read(key, end - o - W, end - o));
    // A group is judged when it had data in the window or its baseline (a group gone silent
    // is a drop to judge, not a missing group).
    if (rule.group_by.length > 0 && !cur.present && !base.some((b) => b.present)) continue;
    out.push({
      group, fingerprint: fingerprint(rule, group), ...judge(rule, shape, cur, base),
      window: { from: (end - W) * MINUTE_MS, to: end * MINUTE_MS },
    });
  }
  return out;
}
