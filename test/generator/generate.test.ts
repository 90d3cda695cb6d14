// The synthetic event generator: determinism, contract shape, statistical realism (success,
// refund and dispute rates, country spread, merchant skew) and the deliberate delivery faults.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateEvents, liveEvents, type GeneratedEvent } from '../../src/generator/generate.ts';
import { CURRENCY_PROFILES } from '../../src/generator/amounts.ts';

const DAY = 86_400_000;
const END = Date.UTC(2025, 5, 1);
const START = END - 30 * DAY;
const N = 200_000;

function take(seed: number | string, count: number, extra: object = {}): GeneratedEvent[] {
  return [...generateEvents({ seed, count, start: START, end: END, ...extra })];
}

test('throughput (logged, not asserted)', () => {
  for (const _ of generateEvents({ seed: 'warm-up', count: 100_000, start: START, end: END }));
  const count = 500_000;
  const t0 = performance.now();
  let n = 0;
  for (const _ of generateEvents({ seed: 'bench', count, start: START, end: END })) n++;
  const seconds = (performance.now() - t0) / 1000;
  console.log(`generator: ${n} events in ${seconds.toFixed(2)} s = ${Math.round(n / seconds)} events/s`);
});

// One shared sample for the statistical tests, made on first use (after the timing, so its heap
// does not skew it): every event, and each event_id once.
let shared: { sample: GeneratedEvent[]; unique: GeneratedEvent[] } | undefined;
function stats() {
  if (shared === undefined) {
    const sample = take(7, N);
    shared = { sample, unique: [...new Map(sample.map((e) => [e.event_id as string, e])).values()] };
  }
  const { sample, unique } = shared;
  return { sample, unique, byType: (type: string) => unique.filter((e) => e.type === type) };
}

test('same seed gives the same events, byte for byte; another seed does not', () => {
  const a = take('s1', 5_000).map((e) => JSON.stringify(e));
  const b = take('s1', 5_000).map((e) => JSON.stringify(e));
  const c = take('s2', 5_000).map((e) => JSON.stringify(e));
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
  assert.equal(take(42, 100).map((e) => JSON.stringify(e)).join(), take('42', 100).map((e) => JSON.stringify(e)).join());
});

test('emits exactly count events', () => {
  const { sample } = stats();
  assert.equal(sample.length, N);
  assert.equal(take(1, 0).length, 0);
  assert.equal(take(1, 1).length, 1);
});

test('every occurred_at is RFC 3339 with an offset and lies in [start, end)', () => {
  const { sample } = stats();
  const rfc3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?(Z|[+-]\d{2}:\d{2})$/;
  let local = 0;
  for (const e of sample) {
    const text = e.occurred_at as string;
    assert.match(text, rfc3339);
    if (!text.endsWith('Z')) local++;
    const ms = Date.parse(text);
    assert.ok(ms >= START && ms < END, `${text} outside the window`);
  }
  // Mostly Z, a realistic minority in local time.
  assert.ok(local > 0.03 * N && local < 0.5 * N, `local offsets: ${local}`);
});

test('amounts and fees are exact to the currency exponent; some are JSON numbers', () => {
  const { sample } = stats();
  const byExponent = { 0: /^\d+$/, 2: /^\d+\.\d{2}$/ };
  const numberPattern = { 0: /^\d+$/, 2: /^\d+(\.\d{1,2})?$/ };
  let numbers = 0;
  for (const e of sample) {
    const profile = CURRENCY_PROFILES[e.currency as string];
    assert.ok(profile, `unexpected currency ${e.currency}`);
    for (const field of ['amount', 'fee'] as const) {
      const v = e[field];
      if (v === undefined) continue;
      if (typeof v === 'number') {
        numbers++;
        assert.match(String(v), numberPattern[profile.exponent]);
      } else {
        assert.match(v as string, byExponent[profile.exponent], `${e.currency} ${field} ${v}`);
      }
    }
    if ((e.type as string).startsWith('wallet_txn') || e.type === 'invoice.paid') {
      const major = Number(e.amount);
      assert.ok(major >= profile.min && major <= profile.max, `${e.currency} ${e.amount} out of range`);
    }
  }
  assert.ok(numbers > 0 && numbers < 0.4 * N, `numbers: ${numbers}`);
});

test('events carry the fields of their type and nothing unexpected', () => {
  const { sample } = stats();
  const common = ['event_id', 'type', 'occurred_at', 'merchant_id', 'amount', 'currency', 'country'];
  const payment = [...common, 'txn_id', 'fee', 'city', 'payment_method', 'provider', 'status', 'failure_reason', 'customer_id', 'metadata'];
  const allowed: Record<string, string[]> = {
    wallet_txn_created: payment, wallet_txn_succeeded: payment, wallet_txn_failed: payment, 'invoice.paid': payment,
    refund_created: [...common, 'refund_id', 'txn_id'], dispute_created: [...common, 'dispute_id', 'txn_id', 'reason'],
    payout_created: [...common, 'payout_id'], 'payout.settled': [...common, 'payout_id'],
  };
  for (const e of sample) {
    const keys = allowed[e.type as string];
    assert.ok(keys, `unknown type ${e.type}`);
    for (const k of Object.keys(e)) assert.ok(keys.includes(k), `${e.type} has ${k}`);
    for (const k of common) assert.ok(e[k] !== undefined, `${e.type} lacks ${k}`);
    assert.ok((e.event_id as string).length <= 128);
    if (e.type === 'wallet_txn_created') assert.ok(['pending', 'succeeded', 'failed'].includes(e.status as string));
  }
});

test('final success rate is 80–95%', () => {
  const { unique, byType } = stats();
  const finals = new Map<string, string>();
  for (const e of unique) {
    if (e.type === 'wallet_txn_succeeded' || e.type === 'invoice.paid') finals.set(e.txn_id as string, 'succeeded');
    else if (e.type === 'wallet_txn_failed') finals.set(e.txn_id as string, 'failed');
    else if (e.type === 'wallet_txn_created' && e.status !== 'pending') finals.set(e.txn_id as string, e.status as string);
  }
  const succeeded = [...finals.values()].filter((s) => s === 'succeeded').length;
  const rate = succeeded / finals.size;
  assert.ok(rate >= 0.8 && rate <= 0.95, `success rate ${rate}`);
  const refunds = byType('refund_created').length / succeeded;
  assert.ok(refunds >= 0.01 && refunds <= 0.03, `refund rate ${refunds}`);
  const disputes = byType('dispute_created').length / succeeded;
  assert.ok(disputes >= 0.001 && disputes <= 0.005, `dispute rate ${disputes}`);
  assert.ok(byType('invoice.paid').length > 0);
});

test('refunds never exceed their payment and reference a generated txn', () => {
  const { unique, byType } = stats();
  const amounts = new Map<string, number>();
  for (const e of unique) if (e.txn_id !== undefined && e.type !== 'refund_created' && e.type !== 'dispute_created') amounts.set(e.txn_id as string, Number(e.amount));
  let known = 0;
  for (const r of byType('refund_created')) {
    const paid = amounts.get(r.txn_id as string);
    if (paid === undefined) continue; // the payment happened before the window
    known++;
    assert.ok(Number(r.amount) <= paid && Number(r.amount) > 0);
  }
  assert.ok(known > 0.9 * byType('refund_created').length);
});

test('payouts are created, then settled later with the same amount', () => {
  const { byType } = stats();
  const created = new Map(byType('payout_created').map((e) => [e.payout_id as string, e]));
  const settled = byType('payout.settled');
  assert.ok(created.size > 0 && settled.length > 0.8 * created.size);
  for (const s of settled) {
    const c = created.get(s.payout_id as string);
    assert.ok(c, 'settled without created');
    assert.equal(Number(s.amount), Number(c.amount));
    assert.ok(Date.parse(s.occurred_at as string) >= Date.parse(c.occurred_at as string));
  }
});

test('spans 20+ countries; the top 1% of merchants carry a large share', () => {
  const { sample, unique } = stats();
  const countries = new Set(sample.map((e) => e.country));
  assert.ok(countries.size >= 20, `${countries.size} countries`);
  const perMerchant = new Map<string, number>();
  const payments = unique.filter((e) => e.txn_id !== undefined && e.refund_id === undefined && e.dispute_id === undefined);
  for (const e of payments) perMerchant.set(e.merchant_id as string, (perMerchant.get(e.merchant_id as string) ?? 0) + 1);
  const counts = [...perMerchant.values()].sort((a, b) => b - a);
  const top = counts.slice(0, 100).reduce((a, b) => a + b, 0); // 1% of 10k merchants
  assert.ok(top / payments.length > 0.3, `top 1% share ${top / payments.length}`);
});

test('duplicates come at about the configured rate with identical content', () => {
  const { sample } = stats();
  const seen = new Map<string, string>();
  let dups = 0;
  for (const e of sample) {
    const text = JSON.stringify(e);
    const prior = seen.get(e.event_id as string);
    if (prior === undefined) seen.set(e.event_id as string, text);
    else {
      dups++;
      assert.equal(text, prior);
    }
  }
  assert.ok(dups > 0.006 * N && dups < 0.014 * N, `duplicates ${dups}`);
  const none = take(3, 20_000, { duplicateRate: 0 });
  assert.equal(new Set(none.map((e) => e.event_id)).size, none.length);
});

test('some outcomes arrive before their created event; some events arrive hours late', () => {
  const { sample } = stats();
  const createdAt = new Map<string, number>();
  let early = 0;
  let finals = 0;
  let late = 0;
  let maxSeen = -Infinity;
  sample.forEach((e, i) => {
    const t = Date.parse(e.occurred_at as string);
    if (t < maxSeen - 3_600_000) late++;
    maxSeen = Math.max(maxSeen, t);
    if (e.type === 'wallet_txn_created') createdAt.set(e.txn_id as string, i);
    if (e.type === 'wallet_txn_succeeded' || e.type === 'wallet_txn_failed') {
      finals++;
      if (!createdAt.has(e.txn_id as string)) early++;
    }
  });
  assert.ok(early / finals > 0.03 && early / finals < 0.08, `out of order ${early / finals}`);
  assert.ok(late / N > 0.002 && late / N < 0.01, `late ${late / N}`);
});

test('live events stay near now and never come from the future', () => {
  let now = Date.UTC(2025, 5, 1, 10);
  const it = liveEvents({ seed: 9, ratePerSecond: 200, now: () => now });
  let fresh = 0;
  let total = 0;
  for (let tick = 0; tick < 600; tick++) {
    now += 100; // the caller's pace: 20 events per 100 ms
    for (let k = 0; k < 20; k++) {
      const e = it.next().value;
      const lag = now - Date.parse(e.occurred_at as string);
      assert.ok(lag >= 0, 'event from the future');
      assert.ok(lag < 3_600_000, 'live event more than an hour old');
      total++;
      if (lag < 60_000) fresh++;
    }
  }
  assert.ok(fresh / total > 0.9, `fresh share ${fresh / total}`);
});
