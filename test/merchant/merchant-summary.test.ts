// GET /api/merchant/summary against the events themselves: every figure of the period and of the
// previous one equals what this test computes, independently, from the events it sent — in
// Africa/Dakar (UTC, no DST) and Africa/Lagos (UTC+1, no DST), across the February/March month
// boundary, with events on and around every period edge; exact amounts in one currency and USD
// at the loaded rates; only the merchant's own events.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { createPrng } from '../../src/generator/prng.ts';
import { refundEvent, txnEvents, type Status, type TxnSpec } from './merchant-events.ts';

const NOW = Date.parse('2026-03-10T14:20:00Z'); // a Tuesday
const MINUTE = 60_000;
const USD_PER_UNIT = { XOF: 0.0016, EUR: 1.08 };
const EXPONENT = { XOF: 0, EUR: 2 } as const;
type Currency = keyof typeof EXPONENT;

const txns: TxnSpec[] = [];
const refunds: Array<{ txn: string; at: string; minor: bigint; currency: Currency; merchant: string }> = [];

function makeData(): Array<Record<string, string>> {
  const prng = createPrng(137);
  const edges = [
    '2026-02-19T06:59:00Z', '2026-02-19T07:00:00Z', '2026-02-19T08:30:00Z', '2026-02-19T09:00:00Z', '2026-02-28T22:59:00Z',
    '2026-02-28T23:00:00Z', '2026-02-28T23:30:00Z', '2026-03-01T00:00:00Z', '2026-03-09T00:00:00Z', '2026-03-10T00:00:00Z', '2026-03-10T14:10:00Z',
  ];
  const from = Date.parse('2026-02-15T00:00:00Z');
  const times = [...edges.map(Date.parse), ...Array.from({ length: 260 }, () => from + prng.int(0, (NOW - 20 * MINUTE - from) / MINUTE) * MINUTE)];
  const statuses: Status[] = ['succeeded', 'succeeded', 'succeeded', 'failed', 'pending'];
  times.forEach((at, i) => {
    const merchant = i % 7 === 3 ? 'm_other' : 'm_s';
    const currency: Currency = i % 4 === 1 ? 'EUR' : 'XOF';
    const minor = BigInt(prng.int(1, 4000)) * (currency === 'XOF' ? 25n : 1n);
    // Edge transactions settle within the same minute, so no later event moves their figures.
    txns.push({
      merchant, txn: `tx${i}`, at: new Date(at).toISOString(), status: statuses[i % 5], amount: major(minor, currency),
      fee: major(minor / 100n, currency), currency, settleAfterMs: i < edges.length ? 1000 : prng.int(1, 600) * 1000,
    });
  });
  // Refunds at their own times, on the edges too.
  txns.filter((t) => t.status === 'succeeded').forEach((t, k) => {
    if (k % 3 !== 0) return;
    const at = k < 12 ? edges[k % edges.length] : new Date(Date.parse(t.at) + prng.int(2, 3000) * MINUTE).toISOString();
    if (Date.parse(at) >= NOW - MINUTE || Date.parse(at) <= Date.parse(t.at)) return;
    const minor = BigInt(prng.int(1, 500)) * (t.currency === 'XOF' ? 5n : 1n);
    refunds.push({ txn: t.txn, at, minor, currency: t.currency as Currency, merchant: t.merchant });
  });
  return [
    ...txns.flatMap(txnEvents),
    ...refunds.map((r, k) => refundEvent({ merchant: r.merchant, txn: r.txn, refund: `rf${k}`, at: r.at, amount: major(r.minor, r.currency), currency: r.currency })),
  ];
}

function major(minor: bigint, currency: string): string {
  const e = EXPONENT[currency as Currency];
  if (e === 0) return minor.toString();
  const s = minor.toString().padStart(e + 1, '0');
  return `${s.slice(0, -e)}.${s.slice(-e)}`;
}
const minorOf = (amount: string, currency: Currency) => BigInt(amount.replace('.', '')) * (EXPONENT[currency] === 2 && !amount.includes('.') ? 100n : 1n);

interface Expected {
  sales: bigint; refunds: bigint; fees: bigint; net: bigint; usd: { sales: number; refunds: number; fees: number };
  transactions: number; succeeded: number; failed: number; pending: number; refund_count: number; success_rate: number | null;
}

/** The figures of [from, to) for the merchant, from the transactions and refunds as sent. */
function expected(from: number, to: number, currency: Currency | null): Expected {
  const inRange = (iso: string) => Date.parse(iso) >= from && Date.parse(iso) < to;
  const mine = txns.filter((t) => t.merchant === 'm_s' && inRange(t.at) && (currency === null || t.currency === currency));
  const ok = mine.filter((t) => t.status === 'succeeded');
  const rf = refunds.filter((r) => r.merchant === 'm_s' && inRange(r.at) && (currency === null || r.currency === currency));
  const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
  const usd = (minor: bigint, c: Currency) => Number(minor) / 10 ** EXPONENT[c] * USD_PER_UNIT[c];
  const sales = sum(ok.map((t) => minorOf(t.amount, t.currency as Currency)));
  const fees = sum(ok.map((t) => minorOf(t.fee!, t.currency as Currency)));
  const refunded = sum(rf.map((r) => r.minor));
  const failed = mine.filter((t) => t.status === 'failed').length;
  return {
    sales, refunds: refunded, fees, net: sales - refunded - fees,
    usd: {
      sales: ok.reduce((a, t) => a + usd(minorOf(t.amount, t.currency as Currency), t.currency as Currency), 0),
      refunds: rf.reduce((a, r) => a + usd(r.minor, r.currency), 0),
      fees: ok.reduce((a, t) => a + usd(minorOf(t.fee!, t.currency as Currency), t.currency as Currency), 0),
    },
    transactions: mine.length, succeeded: ok.length, failed, pending: mine.filter((t) => t.status === 'pending').length,
    refund_count: rf.length, success_rate: ok.length + failed ? ok.length / (ok.length + failed) : null,
  };
}

let t: TempApp;
let admin: string;
before(async () => {
  t = await openTempApp({ now: () => NOW });
  const events = makeData();
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events });
  assert.equal(res.json().accepted, events.length, res.body);
  const csv = ['date,currency,usd_per_unit', ...Object.entries(USD_PER_UNIT).map(([c, r]) => `2026-01-01,${c},${r}`)].join('\n');
  assert.equal((await t.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: csv })).statusCode, 200);
  admin = await mintToken({ sub: 'boss@m_s', roles: ['merchant_admin'], merchantId: 'm_s' });
});
after(async () => { await t.close(); });

async function summary(params: string, token = admin) {
  const res = await t.app.inject({ url: `/api/merchant/summary?${params}`, headers: bearer(token) });
  assert.equal(res.statusCode, 200, res.body);
  return res.json();
}

function assertFigures(got: Record<string, unknown>, want: Expected, currency: Currency | null, what: string) {
  const close = (a: unknown, b: number, name: string) => assert.ok(Math.abs(Number(a) - b) <= 1e-6 * Math.max(1, Math.abs(b)), `${what} ${name}: ${a} vs ${b}`);
  assert.deepEqual(
    [got.transactions, got.succeeded, got.failed, got.pending, got.refund_count],
    [want.transactions, want.succeeded, want.failed, want.pending, want.refund_count], `${what} counts`);
  if (want.success_rate === null) assert.equal(got.success_rate, null);
  else close(got.success_rate, want.success_rate, 'success_rate');
  close(got.sales_usd, want.usd.sales, 'sales_usd');
  close(got.refunds_usd, want.usd.refunds, 'refunds_usd');
  close(got.fees_usd, want.usd.fees, 'fees_usd');
  close(got.net_revenue_usd, want.usd.sales - want.usd.refunds - want.usd.fees, 'net_revenue_usd');
  if (currency === null) {
    assert.deepEqual([got.sales, got.refunds, got.fees, got.net_revenue], [null, null, null, null], what);
  } else {
    assert.deepEqual([got.sales, got.refunds, got.fees, got.net_revenue],
      [want.sales, want.refunds, want.fees, want.net].map((m) => major(m, currency)), `${what} exact amounts`);
  }
}

const at = (iso: string) => Date.parse(iso);

test('month to date in Africa/Dakar: the period and the previous one of equal length across the month boundary, every figure', async () => {
  for (const currency of [null, 'XOF', 'EUR'] as const) {
    const s = await summary(`period=mtd${currency ? `&currency=${currency}` : ''}`);
    assert.deepEqual([s.tz, s.from, s.to, s.previous_from, s.previous_to], [
      'Africa/Dakar', '2026-03-01T00:00:00.000Z', '2026-03-10T15:00:00.000Z', '2026-02-19T09:00:00.000Z', '2026-03-01T00:00:00.000Z',
    ]);
    assert.equal(s.merchant_id, 'm_s');
    assert.equal(s.currency, currency);
    assertFigures(s.current, expected(at('2026-03-01T00:00:00Z'), at('2026-03-10T15:00:00Z'), currency), currency, `mtd ${currency}`);
    assertFigures(s.previous, expected(at('2026-02-19T09:00:00Z'), at('2026-03-01T00:00:00Z'), currency), currency, `previous ${currency}`);
    const cur = expected(at('2026-03-01T00:00:00Z'), at('2026-03-10T15:00:00Z'), currency);
    const prev = expected(at('2026-02-19T09:00:00Z'), at('2026-03-01T00:00:00Z'), currency);
    assert.ok(cur.sales > 0n && prev.sales > 0n && cur.refunds > 0n, `${currency}: the case has sales and refunds`);
    if (currency) assert.ok(Math.abs(s.change.sales - (Number(cur.sales) - Number(prev.sales)) / Number(prev.sales)) < 1e-9, `${currency}: ${s.change.sales} ${cur.sales} ${prev.sales}`);
    assert.equal(s.change.transactions, (cur.transactions - prev.transactions) / prev.transactions);
  }
});

test('month to date in Africa/Lagos (UTC+1): the month starts an hour earlier, by the tz parameter and by the merchant\'s setting', async () => {
  const set = await t.app.inject({ method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: 'Africa/Lagos' }, headers: bearer(admin) });
  assert.equal(set.statusCode, 200, set.body);
  try {
    for (const s of [await summary('period=mtd&currency=XOF&tz=Africa/Lagos'), await summary('period=mtd&currency=XOF')]) {
      assert.deepEqual([s.tz, s.from, s.to, s.previous_from, s.previous_to], [
        'Africa/Lagos', '2026-02-28T23:00:00.000Z', '2026-03-10T15:00:00.000Z', '2026-02-19T07:00:00.000Z', '2026-02-28T23:00:00.000Z',
      ]);
      assertFigures(s.current, expected(at('2026-02-28T23:00:00Z'), at('2026-03-10T15:00:00Z'), 'XOF'), 'XOF', 'Lagos mtd');
      assertFigures(s.previous, expected(at('2026-02-19T07:00:00Z'), at('2026-02-28T23:00:00Z'), 'XOF'), 'XOF', 'Lagos previous');
    }
    // The tz parameter still wins over the setting.
    assert.equal((await summary('period=mtd&tz=Africa/Dakar')).from, '2026-03-01T00:00:00.000Z');
  } finally {
    await t.app.inject({ method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: 'Africa/Dakar' }, headers: bearer(admin) });
  }
});

test('today, week to date, a custom range across the month boundary, year to date', async () => {
  const cases: Array<[string, [string, string, string, string]]> = [
    ['period=today', ['2026-03-10T00:00:00Z', '2026-03-10T15:00:00Z', '2026-03-09T09:00:00Z', '2026-03-10T00:00:00Z']],
    ['period=wtd', ['2026-03-09T00:00:00Z', '2026-03-10T15:00:00Z', '2026-03-07T09:00:00Z', '2026-03-09T00:00:00Z']],
    ['period=custom&from=2026-02-26T12:00:00Z&to=2026-03-03T12:00:00Z', ['2026-02-26T12:00:00Z', '2026-03-03T12:00:00Z', '2026-02-21T12:00:00Z', '2026-02-26T12:00:00Z']],
    ['period=custom&from=2026-02-28T23:00:00%2B01:00&to=2026-03-01T00:30:00Z', ['2026-02-28T22:00:00Z', '2026-03-01T00:30:00Z', '2026-02-28T19:30:00Z', '2026-02-28T22:00:00Z']],
    ['period=ytd', ['2026-01-01T00:00:00Z', '2026-03-11T00:00:00Z', '2025-10-24T00:00:00Z', '2026-01-01T00:00:00Z']],
    ['period=qtd', ['2026-01-01T00:00:00Z', '2026-03-10T15:00:00Z', '2025-10-24T09:00:00Z', '2026-01-01T00:00:00Z']],
  ];
  for (const [params, [from, to, pFrom, pTo]] of cases) {
    const s = await summary(`${params}&currency=XOF`);
    assert.deepEqual([s.from, s.to, s.previous_from, s.previous_to], [from, to, pFrom, pTo].map((x) => new Date(x).toISOString()), params);
    assertFigures(s.current, expected(at(from), at(to), 'XOF'), 'XOF', params);
    assertFigures(s.previous, expected(at(pFrom), at(pTo), 'XOF'), 'XOF', `${params} previous`);
  }
});

test('refused: custom without its range, a range with a preset, a range backwards, an unknown currency or zone', async () => {
  for (const params of ['period=custom', 'period=custom&from=2026-03-01T00:00:00Z', 'period=mtd&from=2026-03-01T00:00:00Z',
    'period=custom&from=2026-03-02T00:00:00Z&to=2026-03-01T00:00:00Z', 'currency=ZZZ', 'currency=xof', 'tz=Mars/Olympus', 'period=decade']) {
    const res = await t.app.inject({ url: `/api/merchant/summary?${params}`, headers: bearer(admin) });
    assert.equal(res.statusCode, 400, `${params}: ${res.body}`);
  }
});

test('ops acting for the merchant get the same figures; the accountant too; another merchant gets its own', async () => {
  const mine = await summary('period=mtd&currency=XOF');
  const ops = await mintToken({ sub: 'ops', roles: ['analytics:ops'] });
  const res = await t.app.inject({ url: '/api/merchant/summary?period=mtd&currency=XOF', headers: { ...bearer(ops), 'x-merchant-id': 'm_s' } });
  assert.deepEqual(res.json(), mine);
  assert.deepEqual(await summary('period=mtd&currency=XOF', await mintToken({ roles: ['merchant_accountant'], merchantId: 'm_s' })), mine);
  const other = await summary('period=mtd', await mintToken({ roles: ['merchant_admin'], merchantId: 'm_other' }));
  assert.equal(other.current.transactions, txns.filter((x) => x.merchant === 'm_other' && x.at >= '2026-03-01' && x.at < '2026-03-10T15').length);
});
