// The payout reads of the analytics store (store/queries/merchant-payouts.ts, merchant-balance.ts,
// merchant-payout-coverage.ts) on both backends: the same events sent to an embedded DuckDB store
// and to a real ClickHouse server give what an independent computation from the events gives —
// payouts folded per payout_id, newest first, every payout once across pages of any size, with
// the running sum of earlier payouts per currency; the balance per currency; and the FIFO
// coverage of each payout, whose parts add up exactly to its amount, a transaction split between
// two payouts — and the same answers on both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBothStores, type BothStores, type StoreSide } from '../support/both-stores.ts';
import type { PayoutPageQuery, PayoutRow, CoverageRow } from '../../src/store/analytics-store.ts';
import { DIM_MERCHANT, lookupKey } from '../../src/ingest/indexes/dimensions.ts';
import { currencyKey } from '../../src/reference/currencies.ts';
import { refundEvent, txnEvents } from '../merchant/merchant-events.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-20T12:00:00Z');
const START = NOW - 30 * DAY;
const iso = (ms: number) => new Date(ms).toISOString();

let both: BothStores;
const sides: StoreSide[] = [];
const events: Array<Record<string, string>> = [];

interface Txn { id: string; captured: number; currency: string; amount: bigint; fee: bigint; refunded: bigint; status: string }
const txns: Txn[] = [];
interface Payout { id: string; created: number; settled: number | null; amount: bigint; currency: string; events: number }
const payouts: Payout[] = [];

function payoutEvent(merchant: string, id: string, type: string, at: number, amount: string, currency: string, n: number) {
  return { event_id: `po_ev_${id}_${n}`, type, occurred_at: iso(at), payout_id: id, merchant_id: merchant, amount, currency, country: 'SN' };
}

/** Transactions of m_a in XOF and EUR (some failed, pending, refunded), m_b's, and payouts on a coarse grid. */
function makeEvents(): void {
  for (let i = 0; i < 60; i++) {
    const currency = i % 5 === 0 ? 'EUR' : 'XOF';
    const status = i % 7 === 3 ? 'failed' : i % 11 === 5 ? 'pending' : 'succeeded';
    // Many share a capture instant (a tie broken by txn_id).
    const at = START + Math.floor(i / 3) * DAY / 2;
    const amount = currency === 'XOF' ? 1000 + 37 * i : 500 + i;
    const fee = i % 2 ? 10 + i : 0;
    const id = `tx${String(i).padStart(3, '0')}`;
    events.push(...txnEvents({ merchant: 'm_a', txn: id, at: iso(at), status: status as 'succeeded', amount: currency === 'XOF' ? String(amount) : `${amount / 100}`, fee: fee ? (currency === 'XOF' ? String(fee) : `${fee / 100}`) : undefined, currency, settleAfterMs: 60_000 }));
    let refunded = 0n;
    if (status === 'succeeded' && i % 4 === 1) {
      const r = currency === 'XOF' ? 200 : 100;
      events.push(refundEvent({ merchant: 'm_a', txn: id, refund: `rf${i}`, at: iso(at + DAY), amount: currency === 'XOF' ? String(r) : `${r / 100}`, currency }));
      refunded = BigInt(r);
    }
    if (i === 13) {
      // A full refund: the fee is not returned, the net is negative, the transaction covers nothing.
      events.push(refundEvent({ merchant: 'm_a', txn: id, refund: 'rf_full', at: iso(at + DAY), amount: String(amount), currency }));
      refunded += BigInt(amount);
    }
    txns.push({ id, captured: status === 'pending' ? at : at + 60_000, currency, amount: BigInt(amount), fee: BigInt(fee), refunded, status });
    events.push(...txnEvents({ merchant: 'm_b', txn: `b${id}`, at: iso(at), status: 'succeeded', amount: '99999', currency: 'XOF' }));
  }
  let n = 0;
  for (let j = 0; j < 14; j++) {
    const currency = j % 4 === 3 ? 'EUR' : 'XOF';
    const id = `po${String(j).padStart(2, '0')}`;
    // Pairs share a creation instant.
    const created = START + 2 * DAY + Math.floor(j / 2) * 3 * DAY;
    const amount = currency === 'XOF' ? 2500n + BigInt(j * 10) : 700n;
    const text = currency === 'XOF' ? String(amount) : `${Number(amount) / 100}`;
    events.push(payoutEvent('m_a', id, 'payout_created', created, text, currency, ++n));
    let settled: number | null = null;
    let count = 1;
    if (j % 3 !== 2) {
      settled = created + DAY;
      events.push(payoutEvent('m_a', id, 'payout.settled', settled, text, currency, ++n));
      count++;
    }
    if (j === 4) {
      // Sent again later under another event_id: one payout still.
      events.push(payoutEvent('m_a', id, 'payout_created', created + 3600_000, text, currency, ++n));
      count++;
    }
    payouts.push({ id, created, settled, amount, currency, events: count });
    events.push(payoutEvent('m_b', `b${id}`, 'payout_created', created, '1', 'XOF', ++n));
  }
  // Known only from its settlement.
  const lone = START + 25 * DAY;
  events.push(payoutEvent('m_a', 'po_lone', 'payout.settled', lone, '300', 'XOF', ++n));
  payouts.push({ id: 'po_lone', created: lone, settled: lone, amount: 300n, currency: 'XOF', events: 1 });
}

before(async () => {
  makeEvents();
  both = await openBothStores({ name: 'po', now: NOW, events, maxBatchEvents: 200 });
  sides.push(...both.sides);
});
after(async () => { await both?.close(); });

const merchantKey = (s: StoreSide, m = 'm_a') => lookupKey(s.engine.dict, DIM_MERCHANT, m)!;
const byCreation = (a: Payout, b: Payout) => a.created - b.created || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

function expectedPayouts(): PayoutRow[] {
  const before = new Map<string, bigint>();
  const rows = [...payouts].sort(byCreation).map((p) => {
    const paid = before.get(p.currency) ?? 0n;
    before.set(p.currency, paid + p.amount);
    return { payoutId: p.id, createdAt: p.created, settledAt: p.settled, amountMinor: p.amount, currencyKey: currencyKey(p.currency), paidBeforeMinor: paid, events: p.events };
  });
  return rows.reverse();
}

async function allPayouts(s: StoreSide, limit: number): Promise<PayoutRow[]> {
  const out: PayoutRow[] = [];
  let after: PayoutPageQuery['after'] = null;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 100, 'pages end');
    const page = await s.store.merchantPayoutPage({ merchantKey: merchantKey(s), payoutId: null, after, limit });
    out.push(...page);
    if (page.length < limit) return out;
    const last = page[page.length - 1];
    after = { createdAt: last.createdAt, payoutId: last.payoutId };
  }
}

const net = (t: Txn) => t.amount - t.fee - t.refunded;
const succeeded = () => txns.filter((t) => t.status === 'succeeded');

/** The FIFO line computed here: each positive-net succeeded transaction of a currency, in capture order. */
function expectedCoverage(currency: string, from: bigint, to: bigint): Array<{ txnId: string; part: bigint }> {
  const line = succeeded().filter((t) => t.currency === currency && net(t) > 0n)
    .sort((a, b) => a.captured - b.captured || (a.id < b.id ? -1 : 1));
  const out: Array<{ txnId: string; part: bigint }> = [];
  let start = 0n;
  for (const t of line) {
    const end = start + net(t);
    const lo = start > from ? start : from;
    const hi = end < to ? end : to;
    if (hi > lo) out.push({ txnId: t.id, part: hi - lo });
    start = end;
  }
  return out;
}

const part = (r: CoverageRow, from: bigint, to: bigint) => {
  const end = r.startMinor + r.netMinor;
  return (end < to ? end : to) - (r.startMinor > from ? r.startMinor : from);
};

test('payouts: folded per payout_id, newest first, every payout once across pages, with the running sum per currency, on both backends', async () => {
  const want = expectedPayouts();
  const answers: PayoutRow[][] = [];
  for (const s of sides) {
    for (const limit of [1, 2, 3, 50]) assert.deepEqual(await allPayouts(s, limit), want, `${s.name}, pages of ${limit}`);
    answers.push(await allPayouts(s, 4));
    const [one] = await s.store.merchantPayoutPage({ merchantKey: merchantKey(s), payoutId: 'po05', after: null, limit: 1 });
    assert.deepEqual(one, want.find((p) => p.payoutId === 'po05'), `${s.name}: one payout keeps its running sum`);
    assert.deepEqual(await s.store.merchantPayoutPage({ merchantKey: merchantKey(s), payoutId: 'bpo05', after: null, limit: 1 }), [], `${s.name}: another merchant's`);
    for (const text of ["po01' OR 1=1 --", 'po01\\', '\u0000']) {
      assert.deepEqual(await s.store.merchantPayoutPage({ merchantKey: merchantKey(s), payoutId: text, after: null, limit: 1 }), [], s.name);
    }
  }
  assert.deepEqual(answers[0], answers[1], 'the same answer on both');
});

test('balance per currency: captured, fees, refunds, held back from a cutoff, paid out, on both backends', async () => {
  const heldFrom = START + 5 * DAY;
  const want = ['EUR', 'XOF'].map((c) => {
    const of = succeeded().filter((t) => t.currency === c);
    const sum = (f: (t: Txn) => bigint, ts = of) => ts.reduce((a, t) => a + f(t), 0n);
    return {
      currencyKey: currencyKey(c), capturedMinor: sum((t) => t.amount), feesMinor: sum((t) => t.fee), refundedMinor: sum((t) => t.refunded),
      heldMinor: sum(net, of.filter((t) => t.captured >= heldFrom)),
      paidOutMinor: payouts.filter((p) => p.currency === c).reduce((a, p) => a + p.amount, 0n),
    };
  }).sort((a, b) => a.currencyKey - b.currencyKey);
  assert.ok(want.every((w) => w.heldMinor > 0n), 'some transactions are held back');
  for (const s of sides) assert.deepEqual(await s.store.merchantBalance({ merchantKey: merchantKey(s), heldFrom }), want, s.name);
});

test('coverage: FIFO by capture time, every payout\'s parts add up to its amount, a transaction split between two, on both backends', async () => {
  const answers: unknown[] = [];
  let splits = 0;
  for (const s of sides) {
    const seen = new Map<string, bigint>();
    const all: unknown[] = [];
    for (const p of expectedPayouts().reverse()) {
      const from = p.paidBeforeMinor;
      const to = from + p.amountMinor;
      const rows = await s.store.merchantPayoutCoverage({ merchantKey: merchantKey(s), currencyKey: p.currencyKey, from, to });
      const parts = rows.map((r) => ({ txnId: r.txnId, part: part(r, from, to) }));
      assert.deepEqual(parts, expectedCoverage(p.currencyKey === currencyKey('EUR') ? 'EUR' : 'XOF', from, to), `${s.name} ${p.payoutId}`);
      assert.equal(parts.reduce((a, x) => a + x.part, 0n), p.amountMinor, `${s.name} ${p.payoutId}: the parts add up to its amount`);
      for (const x of parts) {
        if (seen.has(x.txnId)) splits++;
        seen.set(x.txnId, (seen.get(x.txnId) ?? 0n) + x.part);
      }
      all.push(rows);
    }
    for (const [id, covered] of seen) {
      const t = txns.find((x) => x.id === id)!;
      assert.ok(t.status === 'succeeded' && covered <= net(t), `${s.name}: ${id} covered at most its net`);
    }
    assert.ok(!seen.has('tx013'), 'a fully refunded transaction covers nothing');
    answers.push(all);
  }
  assert.ok(splits > 0, 'some transaction is split between two payouts');
  assert.deepEqual(answers[0], answers[1], 'the same answer on both');
});

test('coverage past the end of the line: only what the transactions brought', async () => {
  const total = succeeded().filter((t) => t.currency === 'EUR' && net(t) > 0n).reduce((a, t) => a + net(t), 0n);
  for (const s of sides) {
    const rows = await s.store.merchantPayoutCoverage({ merchantKey: merchantKey(s), currencyKey: currencyKey('EUR'), from: total - 5n, to: total + 1000n });
    assert.equal(rows.length, 1, s.name);
    assert.equal(part(rows[0], total - 5n, total + 1000n), 5n, s.name);
    assert.deepEqual(await s.store.merchantPayoutCoverage({ merchantKey: merchantKey(s, 'm_b'), currencyKey: currencyKey('EUR'), from: 0n, to: 10n }), [], s.name);
  }
});
