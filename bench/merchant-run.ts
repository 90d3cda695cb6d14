// Bench child: the merchant portal's reads over an ingested data directory, for its largest
// merchant — transaction pages (the first, one deep in the listing by cursor, by amount,
// filtered, a customer search), one transaction with its events, and the month-to-date summary
// (uncached: the result cache is left out). Warm-up runs, then N timed runs each, P50/P95, and
// the process's CPU time a run (DuckDB's threads included): on a shared machine the figure to compare.

import { loadConfig } from '../src/config.ts';
import { benchLogger } from './bench-support.ts';
import { openPlatform } from '../src/platform.ts';
import { runQuery } from '../src/query/run-query.ts';
import { listTransactions, type TransactionFilters } from '../src/merchant/list-transactions.ts';
import { getTransaction } from '../src/merchant/get-transaction.ts';
import { merchantSummary } from '../src/merchant/merchant-summary.ts';

const [dataDir, runsArg = '50'] = process.argv.slice(2);
const runs = Number(runsArg);
const config = loadConfig({ ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn' });
const platform = await openPlatform(config, benchLogger());
const { store, engine, regions } = platform;
const now = Number((await store.loadMeta()).maxOccurredAt) + 60_000; // "now" = just after the data's end
const queryDeps = {
  store, regions, now: () => now, get dict() { return engine.state.dict; },
  limits: { minuteDays: config.MINUTE_RETENTION_DAYS, hourDays: config.HOUR_RETENTION_DAYS, maxBuckets: 10_000, maxMinuteSpanDays: 31 },
};
const top = await runQuery(queryDeps, {
  metrics: ['tx_count'], dimensions: ['merchant_id'], filters: {}, from: 0, to: now,
  granularity: 'all', tz: 'UTC', orderBy: { metric: 'tx_count', desc: true }, limit: 1,
});
const merchant = top.rows[0].dims.merchant_id!;
const transactions = top.rows[0].metrics.tx_count!;
const deps = { store, dims: { regions, get dict() { return engine.state.dict; } }, now: () => now, maxFutureMs: 300_000 };
const none: TransactionFilters = { statuses: [], currencies: [], methods: [], providers: [] };

// A cursor 20 pages deep, and ids to look up, from the listing itself.
let cursor: string | undefined;
let first = await listTransactions(deps, merchant, none, { sort: '-created_at', limit: 50 });
for (let i = 0; i < 19; i++) {
  cursor = first.next_cursor ?? undefined;
  first = await listTransactions(deps, merchant, none, { sort: '-created_at', cursor, limit: 50 });
}
const sample = first.items.find((x) => x.customer_id !== null) ?? first.items[0];
const currency = sample.currency;

const ctx = { run: (spec: Parameters<typeof runQuery>[1]) => runQuery(queryDeps, spec), asOf: () => now, now: () => now };
const cases: Record<string, () => Promise<unknown>> = {
  'transactions, first page of 50': () => listTransactions(deps, merchant, none, { sort: '-created_at', limit: 50 }),
  'transactions, page 20 by cursor': () => listTransactions(deps, merchant, none, { sort: '-created_at', cursor, limit: 50 }),
  'transactions, first page by amount': () => listTransactions(deps, merchant, none, { sort: '-amount', limit: 50 }),
  'transactions, succeeded in one currency': () => listTransactions(deps, merchant, { ...none, statuses: ['succeeded'], currencies: [currency] }, { sort: '-created_at', limit: 50 }),
  'transactions, a customer search': () => listTransactions(deps, merchant, { ...none, search: sample.customer_id ?? sample.txn_id }, { sort: '-created_at', limit: 50 }),
  'one transaction with its events': () => getTransaction(deps, merchant, sample.txn_id),
  'summary, month to date, uncached': () => merchantSummary(ctx, { merchantId: merchant, period: 'mtd', tz: 'Africa/Dakar', currency }),
};
const results: Record<string, { p50: number; p95: number; max: number; cpuMs: number }> = {};
for (const [name, run] of Object.entries(cases)) {
  for (let i = 0; i < 5; i++) await run();
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < runs; i++) {
    const s = performance.now();
    await run();
    times.push(performance.now() - s);
  }
  const used = process.cpuUsage(cpu);
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.ceil(p * times.length) - 1)];
  results[name] = { p50: q(0.5), p95: q(0.95), max: times[times.length - 1], cpuMs: (used.user + used.system) / 1000 / runs };
}
const counts = await store.counts();
await platform.close();
console.log(JSON.stringify({ merchant, transactions, rawEvents: counts.rawEvents, runs, cases: results }));
