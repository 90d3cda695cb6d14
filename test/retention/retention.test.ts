// The retention job over a real store: raw rows, minute rows and hour rows expire at their own
// horizons, day totals stay exact after raw expires (rollups never depend on raw rows), and the
// dedupe index forgets exactly the events whose raw rows went, while still deduping the rest.

import { test, before, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { openTempPlatform, type TempPlatform } from '../support/temp-platform.ts';
import { runRetention, type RetentionReport } from '../../src/retention/run-retention.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const TODAY = Math.floor(NOW / DAY) * DAY;
const DAYS = 200;
const POLICY = { rawDays: 90, minuteDays: 180, hourDays: 365 };
const FROM = TODAY - (DAYS - 1) * DAY;
const TO = TODAY + DAY;

interface Sent { id: string; at: number; event: Record<string, unknown> }

/** Per day d days ago: a pending→succeeded XOF payment, a failed NGN payment, every third day a refund. */
function buildEvents(): Sent[] {
  const out: Sent[] = [];
  const add = (id: string, at: number, e: Record<string, unknown>) =>
    out.push({ id, at, event: { event_id: id, occurred_at: new Date(at).toISOString(), ...e } });
  for (let d = 0; d < DAYS; d++) {
    const day = TODAY - d * DAY;
    const xof = { merchant_id: 'm_sn', currency: 'XOF', country: 'SN', city: 'Dakar' };
    add(`c_${d}`, day + 2 * 3_600_000, { type: 'wallet_txn_created', status: 'pending', txn_id: `x_${d}`, amount: String(1000 + d), ...xof });
    add(`s_${d}`, day + 2 * 3_600_000 + 7 * 60_000, { type: 'wallet_txn_succeeded', txn_id: `x_${d}`, amount: String(1000 + d), ...xof });
    add(`f_${d}`, day + 3.5 * 3_600_000, {
      type: 'wallet_txn_failed', txn_id: `n_${d}`, merchant_id: 'm_ng', amount: `${d}.50`, currency: 'NGN', country: 'NG',
    });
    if (d % 3 === 0) {
      add(`r_${d}`, day + 4.75 * 3_600_000, { type: 'refund_created', refund_id: `r_${d}`, txn_id: `x_${d}`, amount: String(100 + d), ...xof });
    }
  }
  return out;
}

const SENT = buildEvents();
const RAW_CUTOFF = TODAY - POLICY.rawDays * DAY;
const MINUTE_CUTOFF_MIN = (TODAY - POLICY.minuteDays * DAY) / 60_000;

let dir: string;
let p: TempPlatform;
let dayTotalsBefore: unknown;
let report: RetentionReport;
/** Distinct minutes of a rollup table's cells holding a count. */
const minutesOf = async (table: 'minute' | 'hour') => new Set((await p.store.rollupCells(table)).filter((c) => c.cnt !== 0n).map((c) => c.minute));

async function dayTotals() {
  const spec = { from: FROM, to: TO, granularity: 'day' as const };
  const metrics = ['tx_count', 'succeeded_count', 'failed_count', 'refund_count', 'gross_volume_usd', 'refund_volume_usd'];
  const xof = await p.query({ ...spec, metrics, filters: { currency: ['XOF'] } });
  const ngn = await p.query({ ...spec, metrics: ['tx_count', 'failed_count'], filters: { currency: ['NGN'] } });
  const all = await p.query({ from: FROM, to: TO, metrics: ['tx_count', 'succeeded_count', 'refund_count'] });
  return { xof: xof.rows, ngn: ngn.rows, all: all.rows };
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'molam-retention-'));
  p = await openTempPlatform({ dir, now: () => NOW, rawRetentionDays: 400 });
  const results = await p.engine.submit({ source: 'test', items: SENT.map((s) => s.event) });
  assert.ok(results.every((r) => r.status === 'accepted'), JSON.stringify(results.find((r) => r.status !== 'accepted')));
  dayTotalsBefore = await dayTotals();
  report = await runRetention(p.store, p.engine, POLICY, NOW);
});
after(async () => {
  await p.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the day totals before retention are the events\' own sums', () => {
  const { xof, ngn, all } = dayTotalsBefore as Awaited<ReturnType<typeof dayTotals>>;
  assert.equal(xof.length, DAYS);
  // Rows run oldest first: row i is the day DAYS - 1 - i days ago.
  xof.forEach((row, i) => {
    const d = DAYS - 1 - i;
    assert.equal(row.bucket, new Date(TODAY - d * DAY).toISOString().replace('.000Z', '+00:00'));
    assert.deepEqual(
      [row.metrics.tx_count, row.metrics.succeeded_count, row.metrics.refund_count, row.local?.gross_volume_usd, row.local?.refund_volume_usd],
      [1, 1, d % 3 === 0 ? 1 : 0, String(1000 + d), d % 3 === 0 ? String(100 + d) : '0'], `day -${d}`,
    );
  });
  assert.equal(ngn.reduce((s, r) => s + (r.metrics.failed_count ?? 0), 0), DAYS);
  assert.deepEqual(all[0].metrics, { tx_count: 2 * DAYS, succeeded_count: DAYS, refund_count: SENT.filter((s) => s.id.startsWith('r_')).length });
});

test('raw events older than the raw cutoff are gone, the rest kept', async () => {
  assert.equal(report.rawCutoff, new Date(RAW_CUTOFF).toISOString());
  assert.deepEqual(await p.store.rawEventPage({ from: 0, to: RAW_CUTOFF, filters: [], limit: 1 }), []);
  const kept = SENT.filter((s) => s.at >= RAW_CUTOFF);
  assert.ok(kept.length > 0 && kept.length < SENT.length);
  assert.equal((await p.store.counts()).rawEvents, kept.length);
});

test('minute rows older than 180 days are gone, newer ones and every hour row kept', async () => {
  const minutes = await minutesOf('minute');
  assert.equal([...minutes].filter((m) => m < MINUTE_CUTOFF_MIN).length, 0);
  // A payment sits in its creation minute, so the succeeded events add no minute of their own.
  const minutesKept = new Set(SENT.filter((s) => s.at >= TODAY - POLICY.minuteDays * DAY && !s.id.startsWith('s_'))
    .map((s) => Math.floor(s.at / 60_000)));
  assert.equal(minutes.size, minutesKept.size);
  // Every event hour is still there (all within 365 days).
  const hours = new Set(SENT.map((s) => Math.floor(s.at / 3_600_000) * 60));
  const hourRows = await minutesOf('hour');
  assert.equal(hourRows.size, hours.size);
  assert.equal(Math.min(...hourRows), Math.min(...hours));
});

test('day totals over the whole range are unchanged by retention', async () => {
  assert.deepEqual(await dayTotals(), dayTotalsBefore);
});

test('hour rows still answer old hours exactly; old minute buckets are beyond retention', async () => {
  const d = 195; // raw and minute rows for that day are gone, hour rows remain
  const day = TODAY - d * DAY;
  const res = await p.query({ from: day, to: day + DAY, granularity: 'hour', metrics: ['tx_count', 'failed_count', 'refund_count'] });
  const iso = (h: number) => new Date(day + h * 3_600_000).toISOString().replace('.000Z', '+00:00');
  assert.deepEqual(res.rows.map((r) => [r.bucket, r.metrics.tx_count, r.metrics.failed_count, r.metrics.refund_count]), [
    [iso(2), 1, 0, 0], [iso(3), 1, 1, 0], [iso(4), 0, 0, 1],
  ]);
  await assert.rejects(
    p.query({ from: TODAY - 200 * DAY, to: TODAY - 200 * DAY + 3_600_000, granularity: 'minute' }),
    (err: Error & { code?: string }) => err.code === 'beyond_retention',
  );
});

test('the dedupe index forgets exactly the expired events, and still dedupes fresh ones', async () => {
  assert.equal(report.evictedEvents, SENT.filter((s) => s.at < RAW_CUTOFF).length);
  assert.ok(report.evictedEvents > 0);
  assert.equal(report.evictedTxns, 2 * SENT.filter((s) => s.id.startsWith('f_') && s.at < RAW_CUTOFF).length);

  const fresh = SENT.filter((s) => s.at >= RAW_CUTOFF && s.id.startsWith('s_')).slice(0, 3);
  const conflict = { ...fresh[0].event, amount: '1' };
  const brandNew = { ...fresh[1].event, event_id: 'late_new', txn_id: 'late_txn' };
  const results = await p.engine.submit({
    source: 'test', items: [...fresh.map((s) => s.event), JSON.stringify(fresh[2].event), conflict, brandNew],
  });
  assert.deepEqual(results.map((r) => (r.status === 'rejected' ? r.code : r.status)),
    ['duplicate', 'duplicate', 'duplicate', 'duplicate', 'duplicate_conflict', 'accepted']);

  // After a restart the index is rebuilt from the raw rows that are left: same verdicts.
  await p.close();
  const reopened = await openTempPlatform({ dir, now: () => NOW, rawRetentionDays: 400 });
  try {
    const again = await reopened.engine.submit({ source: 'test', items: [fresh[0].event, brandNew] });
    assert.deepEqual(again.map((r) => r.status), ['duplicate', 'duplicate']);
    const total = await reopened.query({ from: FROM, to: TO, metrics: ['tx_count'] });
    assert.equal(total.rows[0].metrics.tx_count, 2 * DAYS + 1);
  } finally {
    p = reopened; // closed by after()
  }
});
