// Rule validation, evaluation and the 7-day preview against a real temp platform: events go in
// through POST /api/v1/events, rules are evaluated with runQuery over the real rollups, and
// window values are checked against direct `all` queries (so the series-summing path, the ratio
// rebuild and the per-window fallback must agree with the store).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { runQuery, type QueryDeps } from '../../src/query/run-query.ts';
import type { RunQuery } from '../../src/analytics/query-runner.ts';
import { AppError } from '../../src/errors.ts';
import { parseRule, type Rule } from '../../src/alerts/rule-schema.ts';
import { evaluateRule, fingerprint, type Evaluation } from '../../src/alerts/evaluate-condition.ts';
import { previewRule } from '../../src/alerts/preview-rule.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const END = Date.parse('2026-11-20T12:00:00Z');
const NOW = END + 30_000; // not on a whole minute: the window ends at 12:00
const WEEK = 7 * 24 * HOUR;

let t: TempApp;
let run: RunQuery;
const events: Array<Record<string, unknown>> = [];
let seq = 0;

function pay(merchant: string, at: number, o: { provider?: string; failed?: boolean; amount?: number } = {}): string {
  const txn = `t${seq++}`;
  events.push({
    event_id: `${txn}_c`, type: 'wallet_txn_created', status: o.failed ? 'failed' : 'succeeded', occurred_at: new Date(at).toISOString(),
    txn_id: txn, merchant_id: merchant, amount: String(o.amount ?? 1000), currency: 'XOF', country: 'SN',
    ...(o.provider ? { provider: o.provider, payment_method: 'wallet' } : {}),
  });
  return txn;
}
function refund(merchant: string, txn: string, at: number): void {
  events.push({
    event_id: `r${seq++}`, type: 'refund_created', refund_id: `r${seq}`, txn_id: txn, merchant_id: merchant,
    amount: '1000', currency: 'XOF', country: 'SN', occurred_at: new Date(at).toISOString(),
  });
}
/** n times spread evenly over [from, from + minutes). */
const spread = (n: number, from: number, minutes: number) => Array.from({ length: n }, (_, i) => from + Math.floor((i * minutes * MIN) / n) + 1000);

// Anomaly data: m_anom over the current hour (k = 0) and the 24 before it, per provider.
const PROVIDERS = { wave: 'stable', orange_money: 'stable', mtn_momo: 'drop', free_money: 'thin' } as const;
function anomalyCount(provider: keyof typeof PROVIDERS, k: number): number {
  const kind = PROVIDERS[provider];
  const noise = ((k * 7 + provider.length * 3) % 17) - 8;
  if (kind === 'thin') return k === 0 ? 20 : 4 + (k % 4);
  if (kind === 'drop' && k === 0) return 20;
  return 80 + noise;
}
// Preview data: m_prev and m_prev2 at 10 payments an hour for 7 days; m_prev spikes to 50 an
// hour in four episodes: three of at least two hours (fire with for = 60 min), one of one hour.
const EPISODES = [['2026-11-14T03:00Z', 2], ['2026-11-16T20:00Z', 3], ['2026-11-18T10:00Z', 2], ['2026-11-19T05:00Z', 1]] as const;
const spikeHour = (h: number) => EPISODES.some(([s, n]) => h >= Date.parse(s) && h < Date.parse(s) + n * HOUR);

function generate(): void {
  // Refund spike: m_b refunds 15 of its 40 payments in the last hour, m_a and m_c one each.
  for (const m of ['m_a', 'm_b', 'm_c']) {
    const txns = spread(40, END - HOUR, 60).map((at) => pay(m, at));
    spread(m === 'm_b' ? 15 : 1, END - 30 * MIN, 30).forEach((at, i) => refund(m, txns[i], at));
  }
  // Week over week: m_w1 triples, m_w2 holds, m_w3 is new, m_w4 falls by three quarters.
  for (const [m, before, now] of [['m_w1', 10, 30], ['m_w2', 10, 11], ['m_w3', 0, 5], ['m_w4', 20, 5]] as const) {
    spread(before, END - WEEK - 30 * MIN, 30).forEach((at) => pay(m, at));
    spread(now, END - 30 * MIN, 30).forEach((at) => pay(m, at));
  }
  for (let k = 0; k <= 24; k++) {
    for (const p of Object.keys(PROVIDERS) as Array<keyof typeof PROVIDERS>) {
      spread(anomalyCount(p, k), END - (k + 1) * HOUR, 60)
        .forEach((at, i) => pay('m_anom', at, { provider: p, failed: (i + k) % 7 === 3 || (k % 5 === 0 && i % 3 === 0), amount: 1000 + ((i * k) % 7) * 100 }));
    }
  }
  for (let h = END - WEEK - 2 * HOUR; h < END; h += HOUR) {
    spread(spikeHour(h) ? 50 : 10, h, 60).forEach((at) => pay('m_prev', at));
    spread(10, h, 60).forEach((at) => pay('m_prev2', at));
  }
}

before(async () => {
  t = await openTempApp({ now: () => NOW });
  generate();
  for (let i = 0; i < events.length; i += 5000) {
    const batch = events.slice(i, i + 5000);
    const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: batch });
    assert.equal(res.json().accepted, batch.length, res.body.slice(0, 500));
  }
  const fx = await t.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: 'date,currency,usd_per_unit\n2026-11-01,XOF,0.0016' });
  assert.equal(fx.statusCode, 200, fx.body);
  const c = t.config;
  const deps: QueryDeps = {
    store: t.platform.store, now: () => NOW, regions: t.platform.regions,
    get dict() { return t.platform.engine.state.dict; },
    limits: { minuteDays: c.MINUTE_RETENTION_DAYS, hourDays: c.HOUR_RETENTION_DAYS, maxBuckets: c.QUERY_MAX_BUCKETS, maxMinuteSpanDays: c.QUERY_MAX_MINUTE_SPAN_DAYS, maxRows: c.QUERY_MAX_ROWS },
  };
  run = (spec) => runQuery(deps, spec);
});
after(async () => { await t?.close(); });

function counting(): { run: RunQuery; calls: () => number } {
  let n = 0;
  return { run: (s) => { n++; return run(s); }, calls: () => n };
}
const rule = (r: Record<string, unknown>): Rule => parseRule({ name: 'r', severity: 'warn', ...r });
const byGroup = (rs: Evaluation[], dim: string): Record<string, Evaluation> => Object.fromEntries(rs.map((r) => [r.group[dim], r]));
const close = (a: number | null | undefined, b: number | null) => {
  assert.ok(a !== null && a !== undefined && b !== null && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${a} ≠ ${b}`);
};

/** The metric per group over [from, to) minutes, straight from the store. */
async function direct(r: Rule, from: number, to: number): Promise<Map<string | null, number | null>> {
  const res = await run({ metrics: [r.metric], dimensions: [...r.group_by], filters: r.filters, from: from * MIN, to: to * MIN, granularity: 'all', tz: 'UTC' });
  return new Map(res.rows.map((row) => [row.dims[r.group_by[0]] ?? null, row.metrics[r.metric]]));
}

test('parseRule: defaults, and clear refusals', () => {
  const r = rule({ metric: 'tx_count', window_minutes: 5, condition: { type: 'anomaly' } });
  assert.deepEqual(r.condition, { type: 'anomaly', baseline_windows: 24, z: 3, direction: 'both', min_volume: 50 });
  assert.deepEqual([r.for_minutes, r.repeat_interval_minutes, r.enabled, r.group_by, r.merchant_id], [0, 240, true, [], null]);
  const refuse = (input: Record<string, unknown>, code: string, re: RegExp) => assert.throws(
    () => parseRule({ name: 'r', metric: 'tx_count', window_minutes: 5, condition: { type: 'threshold', op: '>', value: 1 }, ...input }),
    (e: unknown) => e instanceof AppError && e.code === code && re.test(e.message),
  );
  refuse({ metric: 'nope' }, 'unknown_metric', /unknown metric "nope"/);
  refuse({ window_minutes: 0 }, 'invalid_parameter', /window_minutes must be an integer between 1 and 1440/);
  refuse({ group_by: ['status'] }, 'invalid_parameter', /group_by\[0\] must be one of/);
  refuse({ filters: { planet: ['x'] } }, 'unknown_dimension', /unknown filter "planet"/);
  refuse({ filters: { country: ['XX'] } }, 'invalid_parameter', /unknown country "XX"/);
  refuse({ condition: { type: 'threshold', op: '=', value: 1 } }, 'invalid_parameter', /condition.op must be one of/);
  refuse({ condition: { type: 'change', baseline: 'week_ago', op: '>', percent: 0 } }, 'invalid_parameter', /percent must be greater than 0/);
  refuse({ condition: { type: 'anomaly', baseline_windows: 2 } }, 'invalid_parameter', /baseline_windows must be an integer between 3 and 500/);
  refuse({ window_minutes: 1440, condition: { type: 'anomaly', baseline_windows: 40 } }, 'invalid_parameter', /at most 31 days/);
  refuse({ auto_actions: ['delete_everything'] }, 'invalid_parameter', /auto_actions\[0\]/);
  refuse({ windows_minutes: 5 }, 'invalid_parameter', /unknown field\(s\) "windows_minutes"/);
  refuse({ merchant_id: 'm_1', filters: { merchant_id: ['m_2'] } }, 'invalid_parameter', /own merchant_id/);
});

test('threshold on a ratio, per merchant: only the merchant with the refund spike breaches', async () => {
  const r = rule({
    id: 'rule-refunds', metric: 'refund_rate', window_minutes: 60, group_by: ['merchant_id'],
    filters: { merchant_id: ['m_a', 'm_b', 'm_c'] }, condition: { type: 'threshold', op: '>', value: 0.1 },
  });
  const c = counting();
  const res = await evaluateRule(r, c.run, NOW);
  assert.equal(c.calls(), 1);
  const g = byGroup(res, 'merchant_id');
  assert.deepEqual(Object.keys(g).sort(), ['m_a', 'm_b', 'm_c']);
  assert.deepEqual(res.filter((x) => x.breached).map((x) => x.group), [{ merchant_id: 'm_b' }]);
  close(g.m_b.observed, 15 / 40);
  close(g.m_a.observed, 1 / 40);
  assert.equal(g.m_b.fingerprint, fingerprint(r, { merchant_id: 'm_b' }));
  assert.equal(new Set(res.map((x) => x.fingerprint)).size, 3);
  assert.deepEqual(g.m_b.window, { from: END - HOUR, to: END });
  assert.match(g.m_b.detail, /refund_rate over 60 min = 0.3750 \(threshold > 0.1\)/);
  // A merchant-scoped rule sees its merchant only; a ratio over no data is nodata (null).
  const scoped = await evaluateRule(rule({ ...r, group_by: [], filters: {}, merchant_id: 'm_b' }), run, NOW);
  assert.deepEqual(scoped.map((x) => [x.group, x.breached]), [[{}, true]]);
  const empty = await evaluateRule(rule({ ...r, group_by: [], filters: { merchant_id: ['m_none'] } }), run, NOW);
  assert.deepEqual(empty.map((x) => [x.breached, x.observed]), [[null, null]]);
});

test('change versus the same window a week earlier', async () => {
  const r = rule({
    metric: 'tx_count', window_minutes: 30, group_by: ['merchant_id'], filters: { merchant_id: ['m_w1', 'm_w2', 'm_w3', 'm_w4'] },
    condition: { type: 'change', baseline: 'week_ago', op: '>', percent: 100 },
  });
  const c = counting();
  const g = byGroup(await evaluateRule(r, c.run, NOW), 'merchant_id');
  assert.equal(c.calls(), 2);
  assert.deepEqual([g.m_w1.breached, g.m_w1.observed, g.m_w1.baseline], [true, 30, 10]);
  assert.match(g.m_w1.detail, /\+200\.0% vs 10 \(a week earlier/);
  assert.deepEqual([g.m_w2.breached, g.m_w2.observed, g.m_w2.baseline], [false, 11, 10]);
  assert.deepEqual([g.m_w3.breached, g.m_w3.baseline], [null, 0], 'no traffic a week ago: no baseline to compare with');
  assert.equal(g.m_w4.breached, false);
  const fall = byGroup(await evaluateRule(rule({ ...r, condition: { type: 'change', baseline: 'week_ago', op: '<', percent: 50 } }), run, NOW), 'merchant_id');
  assert.deepEqual(Object.entries(fall).filter(([, e]) => e.breached).map(([m]) => m), ['m_w4']);
  assert.match(fall.m_w4.detail, /-75\.0% vs 20/);
});

test('anomaly: a volume drop on one provider pages; stable providers and thin traffic do not', async () => {
  const r = rule({
    metric: 'tx_count', window_minutes: 60, group_by: ['provider'], filters: { merchant_id: ['m_anom'] },
    condition: { type: 'anomaly', baseline_windows: 24, z: 3, direction: 'both', min_volume: 50 },
  });
  const c = counting();
  const g = byGroup(await evaluateRule(r, c.run, NOW), 'provider');
  assert.equal(c.calls(), 1, 'the window and its 24 trailing windows in one hourly series');
  assert.deepEqual(Object.keys(g).sort(), ['free_money', 'mtn_momo', 'orange_money', 'wave']);
  assert.equal(g.mtn_momo.breached, true);
  assert.equal(g.mtn_momo.observed, 20);
  assert.ok(g.mtn_momo.z! < -3, `z = ${g.mtn_momo.z}`);
  for (const p of ['wave', 'orange_money']) {
    assert.equal(g[p].breached, false, g[p].detail);
    assert.ok(Math.abs(g[p].z!) < 3);
  }
  const baseline = Array.from({ length: 24 }, (_, k) => anomalyCount('mtn_momo', k + 1));
  close(g.mtn_momo.baseline, baseline.reduce((s, x) => s + x, 0) / 24);
  // Thin traffic: a large z, but its volume stays below min_volume.
  assert.equal(g.free_money.breached, false);
  assert.ok(g.free_money.z! > 3);
  assert.match(g.free_money.detail, /below min_volume 50/);
  const noFloor = byGroup(await evaluateRule(rule({ ...r, condition: { type: 'anomaly', min_volume: 0 } }), run, NOW), 'provider');
  assert.equal(noFloor.free_money.breached, true);
  const up = byGroup(await evaluateRule(rule({ ...r, condition: { type: 'anomaly', direction: 'up' } }), run, NOW), 'provider');
  assert.equal(up.mtn_momo.breached, false, 'a drop does not breach an upward-only rule');
});

test('windows summed from series equal direct queries: ratios rebuilt from parts, hourly and by minute', async () => {
  const r = rule({
    metric: 'success_rate', window_minutes: 60, group_by: ['provider'], filters: { merchant_id: ['m_anom'] },
    condition: { type: 'change', baseline: 'trailing_mean', trailing_windows: 24, op: '<', percent: 50 },
  });
  for (const [now, queries] of [[NOW, 1], [NOW - 17 * MIN, 2]] as const) {
    const c = counting();
    const res = await evaluateRule(r, c.run, now);
    assert.equal(c.calls(), queries, 'one series (1,500 minute buckets come in two chunks)');
    const end = Math.floor(now / MIN);
    const cur = await direct(r, end - 60, end);
    const windows = await Promise.all(Array.from({ length: 24 }, (_, k) => direct(r, end - 60 * (k + 2), end - 60 * (k + 1))));
    assert.equal(res.length, 4);
    for (const e of res) {
      const p = e.group.provider;
      close(e.observed, cur.get(p)!);
      const values = windows.map((w) => w.get(p)).filter((v): v is number => v !== null && v !== undefined);
      close(e.baseline, values.reduce((s, x) => s + x, 0) / values.length);
    }
  }
});

test('a metric that cannot be summed (avg_ticket_usd) is read one window at a time, unless a window is one bucket', async () => {
  const r = rule({
    metric: 'avg_ticket_usd', window_minutes: 60, filters: { merchant_id: ['m_anom'], provider: ['wave'] },
    condition: { type: 'anomaly', baseline_windows: 24, min_volume: 0 },
  });
  for (const [now, queries] of [[NOW - 17 * MIN, 25], [NOW, 1]] as const) {
    const c = counting();
    const [e] = await evaluateRule(r, c.run, now);
    assert.equal(c.calls(), queries);
    const end = Math.floor(now / MIN);
    const values = await Promise.all(Array.from({ length: 24 }, async (_, k) => (await direct(r, end - 60 * (k + 2), end - 60 * (k + 1))).get(null)!));
    close(e.baseline, values.reduce((s, x) => s + x, 0) / 24);
    close(e.observed, (await direct(r, end - 60, end)).get(null)!);
  }
});

test('preview: firings over the last 7 days, replayed from one series', async () => {
  const r = rule({
    id: 'rule-spike', metric: 'tx_count', window_minutes: 60, for_minutes: 60, filters: { merchant_id: ['m_prev'] },
    condition: { type: 'threshold', op: '>', value: 30 },
  });
  const c = counting();
  const p = await previewRule(r, c.run, NOW);
  assert.equal(c.calls(), 1, 'one series query, replayed in memory');
  assert.deepEqual([p.evaluations, p.step_minutes, p.from, p.to], [168, 60, END - WEEK, END]);
  // Three episodes of two hours or more fire (pending after the first hour); the one-hour one does not.
  assert.equal(p.firings, 3);
  assert.equal(p.first_fired_at, Date.parse('2026-11-14T05:00Z'));
  assert.equal(p.series!.length, 168);
  assert.equal(p.series!.filter((s) => s.breached).length, 8);
  assert.equal(p.series!.find((s) => s.at === Date.parse('2026-11-19T06:00Z'))!.state, 'pending');
  // The replay agrees with live evaluation at the same instants.
  for (const i of [0, 40, 77, 130, 167]) {
    const [live] = await evaluateRule(r, run, p.series![i].at);
    assert.deepEqual([live.observed, live.breached], [p.series![i].observed, p.series![i].breached]);
  }

  const grouped = await previewRule(rule({ ...r, group_by: ['merchant_id'], filters: { merchant_id: ['m_prev', 'm_prev2'] } }), run, NOW);
  assert.equal(grouped.groups_evaluated, 2);
  assert.deepEqual(grouped.groups.map((x) => [x.group, x.firings]), [[{ merchant_id: 'm_prev' }, 3]]);
  assert.equal(grouped.series, undefined);

  // 30-minute windows from a minute series (a week of minutes in 1,440-bucket chunks); for = 0.
  const c30 = counting();
  const half = await previewRule(rule({ ...r, window_minutes: 30, for_minutes: 0, condition: { type: 'threshold', op: '>', value: 15 } }), c30.run, NOW);
  assert.deepEqual([half.evaluations, half.step_minutes, c30.calls()], [336, 30, 7]);
  assert.equal(half.firings, 4, 'every episode, the one-hour one included');
});
