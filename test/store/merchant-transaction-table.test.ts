// merchant_transactions, the table the ingest keeps for the merchant listing (src/ingest/txn-rows.ts,
// store/queries/merchant-transactions.ts), on both backends, from a stream with reordering,
// exact and re-encoded duplicates, conflicting copies and late events: the table holds every
// transaction's state exactly as an independent fold of the events says; the listing's pages
// equal those of the raw-event fold it replaced; a failed commit resent is exact; a store made
// before the table gets it filled by the migration, and later batches carry on from there.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { openDuckDbBackend } from '../../src/store/duckdb/open-duckdb-backend.ts';
import { openClickHouseBackend } from '../../src/store/clickhouse/open-clickhouse-backend.ts';
import { analyticsStore } from '../../src/store/open-analytics-store.ts';
import type { StoreBackend } from '../../src/store/backend.ts';
import type { AnalyticsStore, TransactionPageQuery, TransactionRow } from '../../src/store/analytics-store.ts';
import { createEngine, StoreUnavailableError, type Engine } from '../../src/ingest/engine.ts';
import { createLogger } from '../../src/log.ts';
import { DIM_MERCHANT, lookupKey } from '../../src/ingest/indexes/dimensions.ts';
import { randomStream } from '../support/random-stream.ts';
import { acceptedEvents } from '../support/reference-rollups.ts';
import { assertTransactionsExact } from './support/transaction-table.ts';
import { foldedTransactionPage } from './support/transaction-fold.ts';
import { committedRows } from '../../src/store/queries/committed-rows.ts';

type Event = Record<string, unknown>;
const DAY = 86_400_000;
const START = Date.parse('2026-09-20T00:00:00Z');
const NOW = START + 45 * DAY;
const { events } = randomStream({ seed: 1313, txns: 700, start: START, spanMs: 40 * DAY });
const MERCHANTS = ['m_dakar', 'm_lagos'];

/**
 * Transactions with two payment events at one instant: the listing breaks that tie as the ingest
 * does (a hash of event_id), the old fold by the greater event_id, so their latest-event fields
 * may differ. Their creation times, event counts and customers never do.
 */
const TIED = (() => {
  const seen = new Map<string, Set<number>>();
  const tied = new Set<string>();
  for (const e of acceptedEvents(events)) {
    if (!String(e.type).startsWith('wallet_txn') && e.type !== 'invoice.paid') continue;
    const at = Date.parse(e.occurred_at as string);
    const set = seen.get(e.txn_id as string) ?? new Set<number>();
    if (set.has(at)) tied.add(e.txn_id as string);
    seen.set(e.txn_id as string, set.add(at));
  }
  return tied;
})();

interface Side { name: string; backend: StoreBackend; store: AnalyticsStore; engine: Engine }
let server: ClickHouseServer;
let dir: string;
const sides: Side[] = [];
const extra: Array<{ close(): Promise<void> }> = [];

function openEngine(store: AnalyticsStore): Promise<Engine> {
  return createEngine({ store, log: createLogger('silent'), now: () => NOW, maxFutureMs: 300_000, rawRetentionDays: 400, maxBatchEvents: 60, parseWorkers: 0 });
}

async function submitRetrying(engine: Engine, items: unknown[]): Promise<void> {
  for (;;) {
    try {
      await engine.submit({ source: 'test', items });
      return;
    } catch (err) {
      if (!(err instanceof StoreUnavailableError)) throw err;
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}

async function ingest(engine: Engine, list: Event[]): Promise<void> {
  for (let i = 0; i < list.length; i += 60) await submitRetrying(engine, list.slice(i, i + 60));
  await engine.flush();
}

before(async () => {
  server = await startClickHouse();
  dir = mkdtempSync(join(tmpdir(), 'molam-txntable-'));
  const duck = await openDuckDbBackend({ dataDir: join(dir, 'main'), memoryLimit: '256MB', threads: 1 });
  const click = await openClickHouseBackend({ url: server.url, database: await server.createDatabase('txn') });
  for (const [name, backend] of [['duckdb', duck], ['clickhouse', click]] as const) {
    const store = analyticsStore(backend);
    const engine = await openEngine(store);
    await ingest(engine, events);
    sides.push({ name, backend, store, engine });
  }
});

after(async () => {
  for (const s of sides) {
    await s.engine.close();
    await s.store.close();
  }
  for (const x of extra) await x.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('the stream has the cases: reordering, duplicates, late and tied events, transactions moved by an earlier event', () => {
  assert.ok(acceptedEvents(events).length < events.length, 'duplicates');
  assert.ok(TIED.size > 5, 'tied instants');
  // A transaction whose first arriving payment event is not its earliest: a later batch moves its creation time.
  const firstSeen = new Map<string, number>();
  let moved = 0;
  for (const e of acceptedEvents(events)) {
    if (e.txn_id === undefined || !(String(e.type).startsWith('wallet_txn') || e.type === 'invoice.paid')) continue;
    const at = Date.parse(e.occurred_at as string);
    const first = firstSeen.get(e.txn_id as string);
    if (first === undefined) firstSeen.set(e.txn_id as string, at);
    else if (at < first) moved++;
  }
  assert.ok(moved > 10, `moved transactions (${moved})`);
});

test('the table holds each transaction once, in the state the events give, on both backends', async () => {
  for (const s of sides) await assertTransactionsExact(s.backend, events, s.name);
});

function query(s: Side, merchant: string, o: Partial<TransactionPageQuery>): TransactionPageQuery {
  return {
    merchantKey: lookupKey(s.engine.dict, DIM_MERCHANT, merchant)!, from: 0, to: NOW + DAY,
    statuses: null, currencyKeys: null, methodKeys: null, providerKeys: null, amountMin: null, amountMax: null,
    txnId: null, search: null, sort: 'created', descending: true, after: null, limit: 13, ...o,
  };
}

async function allRows(read: (q: TransactionPageQuery) => Promise<TransactionRow[]>, q: TransactionPageQuery): Promise<TransactionRow[]> {
  const out: TransactionRow[] = [];
  let after: TransactionPageQuery['after'] = null;
  for (;;) {
    const page = await read({ ...q, after });
    out.push(...page);
    if (page.length < q.limit) return out;
    const last = page[page.length - 1];
    after = { key: q.sort === 'created' ? BigInt(last.createdAt) : last.amountMinor, txnId: last.txnId };
  }
}

test('pages equal the raw-event fold\'s, every sort and filter, on both backends', async () => {
  const cases: Array<[string, Partial<TransactionPageQuery>]> = [
    ['newest first', {}], ['oldest first', { descending: false }], ['by amount', { sort: 'amount' }],
    ['by amount, smallest first', { sort: 'amount', descending: false }],
    ['by amount, succeeded', { sort: 'amount', statuses: [2] }],
    ['succeeded', { statuses: [2] }], ['a creation range', { from: START + 10 * DAY, to: START + 20 * DAY }],
  ];
  for (const s of sides) {
    for (const merchant of MERCHANTS) {
      for (const [name, o] of cases) {
        const q = query(s, merchant, o);
        const got = await allRows((x) => s.store.merchantTransactionPage(x), q);
        const want = await allRows((x) => foldedTransactionPage(s.backend, x), q);
        const what = `${s.name} ${merchant} ${name}`;
        assert.ok(want.length > 10, `${what}: the case has rows`);
        // Tied transactions may differ in status and amount: compare the others' order and rows.
        const plain = (rows: TransactionRow[]) => rows.filter((r) => !TIED.has(r.txnId));
        assert.deepEqual(plain(got), plain(want), what);
        if (name === 'newest first' || name === 'oldest first') assert.deepEqual(got.map((r) => r.txnId), want.map((r) => r.txnId), `${what}: order`);
      }
    }
  }
});

test('a customer search and one transaction equal the fold\'s', async () => {
  const customer = acceptedEvents(events).find((e) => e.merchant_id === 'm_dakar' && e.customer_id)?.customer_id as string | undefined;
  const txn = acceptedEvents(events).find((e) => e.merchant_id === 'm_dakar' && e.type === 'wallet_txn_succeeded' && !TIED.has(e.txn_id as string))!.txn_id as string;
  for (const s of sides) {
    for (const o of [{ search: customer ?? txn }, { search: txn }, { txnId: txn }, { txnId: 'no-such' }]) {
      const q = query(s, 'm_dakar', o);
      assert.deepEqual(await allRows((x) => s.store.merchantTransactionPage(x), q), await allRows((x) => foldedTransactionPage(s.backend, x), q), `${s.name} ${JSON.stringify(o)}`);
    }
  }
});

test('DuckDB: a commit that fails is rolled back; the events resent give the exact table', async () => {
  const backend = await openDuckDbBackend({ dataDir: join(dir, 'failing'), memoryLimit: '256MB', threads: 1 });
  const real = analyticsStore(backend);
  extra.push(real);
  let commits = 0;
  const failing: AnalyticsStore = {
    ...real,
    async commitBatch(b) {
      if (++commits === 4) throw new Error('injected: disk full');
      return real.commitBatch(b);
    },
  };
  const engine = await openEngine(failing);
  try {
    const chunks: Event[][] = [];
    for (let i = 0; i < events.length; i += 60) chunks.push(events.slice(i, i + 60));
    const outcomes = await Promise.allSettled(chunks.map((items) => engine.submit({ source: 'test', items })));
    assert.ok(outcomes.some((o) => o.status === 'rejected'), 'the failure reached a submitter');
    for (const items of chunks) await submitRetrying(engine, items);
    await engine.flush();
    await assertTransactionsExact(backend, events, 'after a failed commit');
  } finally {
    await engine.close();
  }
});

/** Makes the store look as it did before the table's migration (ClickHouse's exec waits for the mutation). */
async function unmigrate(b: StoreBackend, version: number): Promise<void> {
  if (b.kind === 'duckdb') {
    await b.exec(['DROP TABLE merchant_transactions', `DELETE FROM schema_migrations WHERE version = ${version}`]);
    return;
  }
  await b.exec(['DROP TABLE merchant_transactions', `ALTER TABLE schema_migrations DELETE WHERE version = ${version}`]);
}

test('a store made before the table: the migration fills it from the raw events, and later batches carry on', async () => {
  const first = events.slice(0, Math.floor(events.length * 0.7));
  const later = events.slice(first.length);
  const database = await server.createDatabase('old');
  const opens: Array<[string, () => Promise<StoreBackend>, number]> = [
    ['duckdb', () => openDuckDbBackend({ dataDir: join(dir, 'old'), memoryLimit: '256MB', threads: 1 }), 5],
    ['clickhouse', () => openClickHouseBackend({ url: server.url, database }), 6],
  ];
  for (const [name, open, version] of opens) {
    let b = await open();
    let engine = await openEngine(analyticsStore(b));
    await ingest(engine, first);
    await engine.close();
    await unmigrate(b, version);
    await b.close();
    b = await open();
    const tied = new Set(TIED);
    await assertTransactionsExact(b, first, `${name}, filled by the migration`, tied);
    engine = await openEngine(analyticsStore(b));
    await ingest(engine, later);
    await engine.close();
    // Tied transactions whose last event came before the migration keep the fold's tie-break.
    await assertTransactionsExact(b, events, `${name}, then ingesting on`, tied);
    await b.close();
  }
});

/**
 * The straightforward read a page by amount must equal: every key's latest committed row (the
 * table grouped), removals and other merchants left out, filtered, sorted by (amount, txn_id)
 * and cut after the cursor. Tied transactions included: both read the same rows.
 */
async function groupedByAmount(b: StoreBackend, q: TransactionPageQuery): Promise<string[]> {
  const last = b.kind === 'duckdb' ? 'arg_max' : 'argMax';
  const rows = await b.select(`SELECT created_at, txn_id, ${last}(amount_minor, batch_id) AS l_amount, ${last}(status, batch_id) AS l_status,
      ${last}(updated_at, batch_id) AS l_updated, ${last}(fee_minor, batch_id) AS l_fee, ${last}(removed, batch_id) AS l_removed
    FROM merchant_transactions WHERE merchant_key = ${q.merchantKey} AND ${committedRows(b.kind)} GROUP BY created_at, txn_id`);
  const dir = q.descending ? -1 : 1;
  return rows
    .filter((r) => Number(r.l_removed) === 0 && Number(r.created_at) >= q.from && Number(r.created_at) < q.to)
    .filter((r) => q.statuses === null || q.statuses.includes(Number(r.l_status)))
    .map((r) => ({ id: String(r.txn_id), amount: BigInt(r.l_amount as bigint), line: `${String(r.txn_id)}|${Number(r.created_at)}|${Number(r.l_updated)}|${Number(r.l_status)}|${String(r.l_amount)}|${String(r.l_fee)}` }))
    .filter((r) => q.amountMin === null || r.amount >= q.amountMin)
    .filter((r) => q.amountMax === null || r.amount <= q.amountMax)
    .sort((x, y) => dir * (x.amount === y.amount ? (x.id < y.id ? -1 : x.id > y.id ? 1 : 0) : x.amount < y.amount ? -1 : 1))
    .filter((r) => !q.after || dir * (r.amount === q.after.key ? (r.id < q.after.txnId ? -1 : r.id > q.after.txnId ? 1 : 0) : r.amount < q.after.key ? -1 : 1) > 0)
    .map((r) => r.line);
}

const lines = (rows: TransactionRow[]) => rows.map((r) => `${r.txnId}|${r.createdAt}|${r.updatedAt}|${r.status}|${r.amountMinor}|${r.feeMinor}`);

// Last: it changes the shared stores' transactions (the tests above compare them with `events`).
test('a page by amount reads the top rows and keeps each key\'s latest: equal to the grouped table, amounts changed by later batches and between pages, on both backends', async () => {
  // m_dakar's transactions (XOF, no minor digits) get new amounts in later batches: some rise to the
  // top — ten to one shared amount — and fall back, so the table's top rows are mostly superseded.
  const txns = [...new Set(acceptedEvents(events).filter((e) => e.merchant_id === 'm_dakar' && e.type === 'wallet_txn_succeeded').map((e) => e.txn_id as string))]
    .filter((t) => !TIED.has(t)).slice(0, 40);
  assert.equal(txns.length, 40);
  let seq = 0;
  const change = (round: number, amount: (i: number) => number) => txns.map((txn_id, i) => ({
    event_id: `amount_${round}_${seq++}`, type: 'wallet_txn_succeeded', txn_id, merchant_id: 'm_dakar', currency: 'XOF', country: 'SN',
    occurred_at: new Date(START + (41 + round) * DAY + i * 60_000).toISOString(), amount: String(amount(i)), fee: '10',
  }));
  const rounds = [
    change(1, (i) => (i < 10 ? 9_000_000 : 8_000_000 + i * 1000)),
    change(2, (i) => (i % 2 ? 9_000_000 : 7_000_000 - i)),
  ];
  for (const s of sides) {
    const byAmount = (o: Partial<TransactionPageQuery>) => query(s, 'm_dakar', { sort: 'amount', ...o });
    const check = async (what: string) => {
      for (const o of [{}, { limit: 1 }, { limit: 3, descending: false }, { statuses: [2] }, { amountMin: 8_000_000n, limit: 4 }]) {
        const q = byAmount(o);
        assert.deepEqual(lines(await allRows((x) => s.store.merchantTransactionPage(x), q)), await groupedByAmount(s.backend, q), `${s.name} ${what} ${JSON.stringify(o, (_, v) => (typeof v === 'bigint' ? String(v) : v))}`);
      }
    };
    const first = await s.store.merchantTransactionPage(byAmount({ limit: 5 }));
    // Each round in batches of 7 events: a transaction's rows of several batches.
    for (let r = 0; r < rounds.length; r++) {
      for (let i = 0; i < rounds[r].length; i += 7) await ingest(s.engine, rounds[r].slice(i, i + 7));
      await check(`after round ${r + 1}`);
    }
    // The first page was read before the changes: the next one starts strictly after its last row, in today's state.
    const cursor = { key: first[4].amountMinor, txnId: first[4].txnId };
    const q = byAmount({ after: cursor });
    assert.deepEqual(lines(await s.store.merchantTransactionPage(q)), (await groupedByAmount(s.backend, q)).slice(0, q.limit), `${s.name}: a page after a cursor of before`);
  }
});
