// The merchant transaction listing (store/queries/merchant-transactions.ts) on both backends: the
// same events sent to an embedded DuckDB store and to a real ClickHouse server give, for every
// sort, filter and page size, the pages an independent fold of the events gives — every
// transaction exactly once, in order, ties on the sort key included — and the same answer on both.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { openDuckDbBackend } from '../../src/store/duckdb/open-duckdb-backend.ts';
import { openClickHouseBackend } from '../../src/store/clickhouse/open-clickhouse-backend.ts';
import { analyticsStore } from '../../src/store/open-analytics-store.ts';
import type { AnalyticsStore, TransactionPageQuery, TransactionRow } from '../../src/store/analytics-store.ts';
import { createEngine, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import { DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER, lookupKey } from '../../src/ingest/indexes/dimensions.ts';
import { currencyKey } from '../../src/reference/currencies.ts';
import { createPrng } from '../../src/generator/prng.ts';
import { assertSame } from '../support/same-answer.ts';
import { hash96 } from '../../src/ingest/hash.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-03-20T12:00:00Z');
const START = NOW - 64 * DAY; // the last lifecycle ends before NOW: no event is refused as future
const STATUS = { pending: 1, succeeded: 2, failed: 3 } as const;
type Status = keyof typeof STATUS;

interface Side { name: string; store: AnalyticsStore; engine: Engine }
let server: ClickHouseServer;
let dir: string;
const sides: Side[] = [];
const events: Array<Record<string, string>> = [];

/**
 * Transactions of two merchants. Creation times sit on a coarse grid (many share one), amounts
 * come from a short list (many share one), some lifecycles cross a day and the listing's first
 * window, some have a final status at their creation instant, a few two final statuses at one
 * instant; a gap of 20 days makes a page widen its window more than once.
 */
function makeEvents(): void {
  const prng = createPrng(4242);
  const rnd = () => prng.float();
  const pick = <T>(xs: readonly T[]): T => prng.pick(xs);
  let n = 0;
  const ev = (o: Record<string, string | undefined>) => {
    const e = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Record<string, string>;
    events.push({ event_id: `e${String(++n).padStart(5, '0')}`, ...e });
  };
  for (let i = 0; i < 420; i++) {
    const merchant = i % 6 === 5 ? 'm_b' : 'm_a';
    const txn = `t${String(i).padStart(4, '0')}`;
    // Days 0-24 and 45-59 of the span: a 20-day gap.
    const day = rnd() < 0.5 ? Math.floor(rnd() * 25) : 45 + Math.floor(rnd() * 15);
    const at = START + day * DAY + Math.floor(rnd() * 6) * 4 * 3600_000;
    const currency = pick(['XOF', 'XOF', 'EUR']);
    const amount = currency === 'XOF' ? pick(['500', '1000', '2500', '1000']) : pick(['10.00', '25.50']);
    const base = {
      txn_id: txn, merchant_id: merchant, currency, country: 'SN',
      customer_id: rnd() < 0.7 ? `c${Math.floor(rnd() * 40)}` : undefined,
    };
    ev({ ...base, type: 'wallet_txn_created', occurred_at: iso(at), status: 'pending', amount,
      payment_method: pick(['card', 'wallet']), provider: pick(['wave', 'orange_money']) });
    const r = rnd();
    if (r < 0.55) {
      const later = rnd() < 0.15 ? 0 : Math.floor(rnd() * 2.5 * DAY);
      ev({ ...base, type: 'wallet_txn_succeeded', occurred_at: iso(at + later), amount, fee: currency === 'XOF' ? '10' : '0.30',
        provider: rnd() < 0.5 ? undefined : 'wave', customer_id: undefined });
      if (rnd() < 0.2) ev({ type: 'refund_created', refund_id: `r${i}`, txn_id: txn, merchant_id: merchant, currency, country: 'SN', amount, occurred_at: iso(at + later + 3600_000) });
    } else if (r < 0.8) {
      ev({ ...base, type: 'wallet_txn_failed', occurred_at: iso(at + Math.floor(rnd() * 3600_000)), amount, failure_reason: 'insufficient_funds' });
    } else if (r < 0.85) {
      // Two final statuses at the same instant: the ingest's tie-break (a hash of event_id) decides.
      ev({ ...base, type: 'wallet_txn_failed', occurred_at: iso(at + 60_000), amount, failure_reason: 'timeout' });
      ev({ ...base, type: 'wallet_txn_succeeded', occurred_at: iso(at + 60_000), amount, fee: currency === 'XOF' ? '5' : '0.10' });
    }
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

// What the listing must say, folded here from the events themselves.
interface Expected { txnId: string; merchant: string; createdAt: number; status: number; amount: bigint; currency: string; customers: Set<string>; method: string | undefined; provider: string | null }

const minor = (amount: string, currency: string) => BigInt(currency === 'XOF' ? amount : amount.replace('.', ''));

function fold(): Expected[] {
  const byTxn = new Map<string, Array<Record<string, string>>>();
  for (const e of events) {
    if (!e.type.startsWith('wallet_txn')) continue;
    (byTxn.get(e.txn_id) ?? byTxn.set(e.txn_id, []).get(e.txn_id)!).push(e);
  }
  return [...byTxn.entries()].map(([txnId, es]) => {
    const status = (e: Record<string, string>): number => STATUS[(e.status ?? (e.type === 'wallet_txn_failed' ? 'failed' : 'succeeded')) as Status];
    // The ingest's order: a tie between two final statuses goes to the greater hash of event_id.
    const key = (e: Record<string, string>) => [Date.parse(e.occurred_at), status(e) === 1 ? 0 : 1, hash96(e.event_id).h1] as const;
    const later = (a: Record<string, string>, b: Record<string, string>) => {
      const [x, y] = [key(a), key(b)];
      return x[0] !== y[0] ? x[0] > y[0] : x[1] !== y[1] ? x[1] > y[1] : x[2] > y[2];
    };
    const latest = es.reduce((w, e) => (later(e, w) ? e : w));
    const first = es.reduce((w, e) => (Date.parse(e.occurred_at) < Date.parse(w.occurred_at)
      || (e.occurred_at === w.occurred_at && hash96(e.event_id).h1 < hash96(w.event_id).h1) ? e : w));
    return {
      txnId, merchant: latest.merchant_id, createdAt: Math.min(...es.map((e) => Date.parse(e.occurred_at))), status: status(latest),
      amount: minor(latest.amount, latest.currency), currency: latest.currency,
      customers: new Set(es.map((e) => e.customer_id).filter(Boolean)),
      method: latest.payment_method ?? first.payment_method, provider: latest.provider ?? first.provider ?? null,
    };
  });
}

before(async () => {
  makeEvents();
  server = await startClickHouse();
  dir = mkdtempSync(join(tmpdir(), 'molam-txn-'));
  const duck = analyticsStore(await openDuckDbBackend({ dataDir: dir, memoryLimit: '256MB', threads: 1 }));
  const click = analyticsStore(await openClickHouseBackend({ url: server.url, database: await server.createDatabase('txn') }));
  for (const [name, store] of [['duckdb', duck], ['clickhouse', click]] as const) {
    const engine = await createEngine({
      store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 400, maxBatchEvents: 300, parseWorkers: 0,
    });
    for (let i = 0; i < events.length; i += 300) await engine.submit({ source: 'txn', positions: [], items: events.slice(i, i + 300) });
    await engine.flush();
    sides.push({ name, store, engine });
  }
});

after(async () => {
  for (const s of sides) {
    await s.engine.close();
    await s.store.close();
  }
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function baseQuery(s: Side, o: Partial<TransactionPageQuery> = {}): TransactionPageQuery {
  return {
    merchantKey: lookupKey(s.engine.dict, DIM_MERCHANT, 'm_a')!, from: 0, to: NOW + DAY,
    statuses: null, currencyKeys: null, methodKeys: null, providerKeys: null, amountMin: null, amountMax: null,
    txnId: null, search: null, sort: 'created', descending: true, after: null, limit: 25, ...o,
  };
}

/** Every page until the last, each page starting after the previous one's last row. */
async function allPages(s: Side, q: TransactionPageQuery): Promise<TransactionRow[][]> {
  const pages: TransactionRow[][] = [];
  let after: TransactionPageQuery['after'] = null;
  for (;;) {
    const page = await s.store.merchantTransactionPage({ ...q, after });
    pages.push(page);
    if (page.length < q.limit) return pages;
    const last = page[page.length - 1];
    after = { key: q.sort === 'created' ? BigInt(last.createdAt) : last.amountMinor, txnId: last.txnId };
  }
}

function expectedOrder(rows: Expected[], sort: 'created' | 'amount', descending: boolean): string[] {
  const key = (r: Expected) => (sort === 'created' ? BigInt(r.createdAt) : r.amount);
  const sorted = [...rows].sort((a, b) => {
    const c = key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.txnId < b.txnId ? -1 : a.txnId > b.txnId ? 1 : 0;
    return descending ? -c : c;
  });
  return sorted.map((r) => r.txnId);
}

test('the events make the cases the listing must handle', () => {
  const mine = fold().filter((r) => r.merchant === 'm_a');
  const created = new Map<number, number>();
  for (const r of mine) created.set(r.createdAt, (created.get(r.createdAt) ?? 0) + 1);
  assert.ok([...created.values()].some((n) => n > 2), 'ties on the creation time');
  assert.ok(mine.length > 300);
  assert.ok(new Set(mine.map((r) => r.status)).size === 3);
});

for (const [sort, descending] of [['created', true], ['created', false], ['amount', true], ['amount', false]] as const) {
  test(`pages by ${sort} ${descending ? 'descending' : 'ascending'}: every transaction once, in order, on both backends`, async () => {
    const mine = fold().filter((r) => r.merchant === 'm_a');
    const want = expectedOrder(mine, sort, descending);
    const answers: TransactionRow[][][] = [];
    for (const s of sides) {
      for (const limit of sort === 'created' ? [2, 7, 1000] : [3, 7, 1000]) {
        const pages = await allPages(s, baseQuery(s, { sort, descending, limit }));
        assert.deepEqual(pages.flat().map((r) => r.txnId), want, `${s.name}, pages of ${limit}`);
        if (limit === 7) answers.push(pages);
      }
    }
    assertSame(answers[1], answers[0], 'duckdb and clickhouse');
  });
}

test('each row is the fold of its events', async () => {
  const byId = new Map(fold().map((r) => [r.txnId, r]));
  for (const s of sides) {
    const rows = await s.store.merchantTransactionPage(baseQuery(s, { limit: 1000 }));
    for (const row of rows) {
      const e = byId.get(row.txnId)!;
      const what = `${s.name} ${row.txnId}`;
      assert.equal(row.createdAt, e.createdAt, what);
      assert.equal(row.status, e.status, what);
      assert.equal(row.amountMinor, e.amount, what);
      assert.equal(row.currencyKey, currencyKey(e.currency), what);
      assert.equal(row.methodKey, e.method === undefined ? 0 : lookupKey(s.engine.dict, DIM_METHOD, e.method), what);
      assert.equal(row.providerKey, e.provider === null ? 0 : lookupKey(s.engine.dict, DIM_PROVIDER, e.provider), what);
      assert.ok(row.customerId === null ? e.customers.size === 0 : e.customers.has(row.customerId), what);
    }
  }
});

test('filters apply to the folded transaction; a creation range takes transactions created in it, whole', async () => {
  const mine = fold().filter((r) => r.merchant === 'm_a');
  const from = START + 10 * DAY;
  const to = START + 50 * DAY;
  const cases: Array<[string, Partial<TransactionPageQuery>, (r: Expected) => boolean]> = [
    ['succeeded', { statuses: [2] }, (r) => r.status === 2],
    ['pending or failed', { statuses: [1, 3] }, (r) => r.status !== 2],
    ['EUR', { currencyKeys: [currencyKey('EUR')!] }, (r) => r.currency === 'EUR'],
    ['amount 1000..2500', { amountMin: 1000n, amountMax: 2500n }, (r) => r.amount >= 1000n && r.amount <= 2500n],
    ['created in a range', { from, to }, (r) => r.createdAt >= from && r.createdAt < to],
    ['search by customer', { search: 'c7' }, (r) => r.customers.has('c7')],
    ['search by transaction id', { search: 't0010' }, (r) => r.txnId === 't0010'],
    ['one transaction', { txnId: 't0012' }, (r) => r.txnId === 't0012'],
    ['another merchant\'s transaction', { txnId: 't0005' }, () => false],
  ];
  for (const [name, filter, keep] of cases) {
    const want = expectedOrder(mine.filter(keep), 'created', true);
    assert.ok(want.length > 0 || name.startsWith('another'), `${name}: the case has rows`);
    const got: string[][] = [];
    for (const s of sides) {
      const q = baseQuery(s, { ...filter, limit: 9 });
      got.push((await allPages(s, q)).flat().map((r) => r.txnId));
      assert.deepEqual(got[got.length - 1], want, `${s.name}: ${name}`);
    }
  }
  // A method filter: keys of this side's dictionary.
  for (const s of sides) {
    const card = lookupKey(s.engine.dict, DIM_METHOD, 'card')!;
    const rows = (await allPages(s, baseQuery(s, { methodKeys: [card], limit: 50 }))).flat();
    assert.deepEqual(rows.map((r) => r.txnId), expectedOrder(mine.filter((r) => r.method === 'card'), 'created', true), `${s.name}: card`);
  }
});

test('a transaction updated inside a range but created before it stays out; one created inside keeps its later events', async () => {
  const mine = fold().filter((r) => r.merchant === 'm_a');
  // A range whose start cuts through lifecycles: created before, succeeded after.
  const crossing = events.find((e) => e.type === 'wallet_txn_succeeded' && e.merchant_id === 'm_a'
    && Date.parse(e.occurred_at) - mine.find((r) => r.txnId === e.txn_id)!.createdAt > 3600_000)!;
  const cut = Date.parse(crossing.occurred_at) - 1;
  for (const s of sides) {
    const rows = (await allPages(s, baseQuery(s, { from: cut, limit: 50 }))).flat();
    assert.ok(!rows.some((r) => r.txnId === crossing.txn_id), `${s.name}: created before the range`);
    const inside = (await allPages(s, baseQuery(s, { to: cut, limit: 50 }))).flat().find((r) => r.txnId === crossing.txn_id);
    assert.equal(inside?.status, 2, `${s.name}: its success after the range end is folded in`);
  }
});

test('text in a search or cursor is data, on both backends', async () => {
  for (const s of sides) {
    for (const text of ["t0010' OR 1=1 --", 't0010\\', '\u0000', 'é']) {
      assert.deepEqual(await s.store.merchantTransactionPage(baseQuery(s, { search: text })), [], s.name);
      await s.store.merchantTransactionPage(baseQuery(s, { after: { key: BigInt(NOW), txnId: text } }));
    }
  }
});
