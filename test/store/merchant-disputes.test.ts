// The merchant dispute listing (store/queries/merchant-disputes.ts) on both backends: the same
// dispute_created events sent to an embedded DuckDB store and to a real ClickHouse server give,
// for every page size, the pages an independent fold of the events gives — every dispute once,
// newest first, ties on the opening time included, a dispute sent twice folded to its earliest
// event — and the same answer on both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBothStores, type BothStores, type StoreSide } from '../support/both-stores.ts';
import type { DisputePageQuery, DisputeRow } from '../../src/store/analytics-store.ts';
import { DIM_MERCHANT, lookupKey } from '../../src/ingest/indexes/dimensions.ts';
import { currencyKey } from '../../src/reference/currencies.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-20T12:00:00Z');
const START = NOW - 30 * DAY;

let both: BothStores;
const sides: StoreSide[] = [];
const events: Array<Record<string, string>> = [];

interface Expected { disputeId: string; txnId: string; createdAt: number; amountMinor: bigint; currency: string; reason: string; events: number }
const expected: Expected[] = [];

/** Disputes of two merchants, opened on a coarse grid (many share an instant); some sent twice, the resend later. */
function makeEvents(): void {
  let n = 0;
  for (let i = 0; i < 90; i++) {
    const merchant = i % 5 === 4 ? 'm_b' : 'm_a';
    const at = START + (i % 7) * 3 * DAY + (i % 3) * 3600_000;
    const currency = i % 4 === 0 ? 'EUR' : 'XOF';
    const amount = currency === 'XOF' ? String(1000 + i) : `${i}.50`;
    const base = { type: 'dispute_created', dispute_id: `d${String(i).padStart(3, '0')}`, txn_id: `t${i}`, merchant_id: merchant, currency, country: 'SN', reason: `r${i % 3}` };
    events.push({ event_id: `e${String(++n).padStart(4, '0')}`, ...base, occurred_at: new Date(at).toISOString(), amount });
    const resent = i % 6 === 0;
    if (resent) events.push({ event_id: `e${String(++n).padStart(4, '0')}`, ...base, occurred_at: new Date(at + DAY).toISOString(), amount: '1', reason: 'later' });
    if (merchant === 'm_a') {
      expected.push({ disputeId: base.dispute_id, txnId: base.txn_id, createdAt: at, amountMinor: BigInt(amount.replace('.', '')), currency, reason: base.reason, events: resent ? 2 : 1 });
    }
  }
  // A payment of m_a: never a dispute.
  events.push({ event_id: 'p1', type: 'wallet_txn_created', txn_id: 'p1', merchant_id: 'm_a', status: 'pending', amount: '5', currency: 'XOF', country: 'SN', occurred_at: new Date(START).toISOString() });
  expected.sort((a, b) => b.createdAt - a.createdAt || (a.disputeId < b.disputeId ? 1 : -1));
}

before(async () => {
  makeEvents();
  both = await openBothStores({ name: 'dsp', now: NOW, events });
  sides.push(...both.sides);
});
after(async () => { await both?.close(); });

function query(s: StoreSide, o: Partial<DisputePageQuery> = {}): DisputePageQuery {
  return { merchantKey: lookupKey(s.engine.dict, DIM_MERCHANT, 'm_a')!, from: 0, to: NOW + DAY, disputeId: null, after: null, limit: 25, ...o };
}

async function allRows(s: StoreSide, q: DisputePageQuery): Promise<DisputeRow[]> {
  const out: DisputeRow[] = [];
  let after: DisputePageQuery['after'] = null;
  for (let pages = 0; ; pages++) {
    assert.ok(pages < 200, 'pages end');
    const page = await s.store.merchantDisputePage({ ...q, after });
    assert.ok(page.length <= q.limit);
    out.push(...page);
    if (page.length < q.limit) return out;
    const last = page[page.length - 1];
    after = { createdAt: last.createdAt, disputeId: last.disputeId, merchantKey: last.merchantKey };
  }
}

const asExpected = (s: StoreSide) => (e: Expected): DisputeRow => ({
  merchantKey: lookupKey(s.engine.dict, DIM_MERCHANT, 'm_a')!, disputeId: e.disputeId, txnId: e.txnId, createdAt: e.createdAt, amountMinor: e.amountMinor, currencyKey: currencyKey(e.currency), reason: e.reason, events: e.events,
});

test('pages: every dispute of the merchant once, newest first, folded to its earliest event, on both backends', async () => {
  const answers: DisputeRow[][] = [];
  for (const s of sides) {
    const want = expected.map(asExpected(s));
    for (const limit of [1, 4, 7, 200]) {
      assert.deepEqual(await allRows(s, query(s, { limit })), want, `${s.name}, pages of ${limit}`);
    }
    answers.push(await allRows(s, query(s, { limit: 5 })));
  }
  assert.deepEqual(answers[0], answers[1], 'the same answer on both');
});

test('every merchant\'s disputes (merchantKey null): each once, in pages of any size, on both backends', async () => {
  for (const s of sides) {
    for (const limit of [1, 6, 500]) {
      const rows = await allRows(s, query(s, { merchantKey: null, limit }));
      assert.equal(rows.length, 90, `${s.name}, pages of ${limit}`);
      assert.equal(new Set(rows.map((r) => `${r.merchantKey}/${r.disputeId}`)).size, 90);
      assert.deepEqual(rows.filter((r) => r.merchantKey === lookupKey(s.engine.dict, DIM_MERCHANT, 'm_a')).map((r) => r.disputeId), expected.map((e) => e.disputeId));
    }
  }
});

test('the opening range and one dispute by id, on both backends', async () => {
  const from = START + 6 * DAY;
  const to = START + 12 * DAY + 3600_000;
  for (const s of sides) {
    const rows = await allRows(s, query(s, { from, to, limit: 3 }));
    assert.deepEqual(rows, expected.filter((e) => e.createdAt >= from && e.createdAt < to).map(asExpected(s)), s.name);
    // The resend lies in the range, its dispute opened before it: not in the range.
    assert.deepEqual(await s.store.merchantDisputePage(query(s, { disputeId: 'd000' })), [asExpected(s)(expected.find((e) => e.disputeId === 'd000')!)], s.name);
    assert.deepEqual(await s.store.merchantDisputePage(query(s, { disputeId: 'd004' })), [], `${s.name}: another merchant's`);
    assert.deepEqual(await s.store.merchantDisputePage(query(s, { disputeId: 'p1' })), [], `${s.name}: a payment is no dispute`);
  }
});

test('text in an id or cursor is data, on both backends', async () => {
  for (const s of sides) {
    for (const text of ["d000' OR 1=1 --", 'd000\\', '\u0000', 'é']) {
      assert.deepEqual(await s.store.merchantDisputePage(query(s, { disputeId: text })), [], s.name);
      await s.store.merchantDisputePage(query(s, { after: { createdAt: NOW, disputeId: text } }));
    }
  }
});
