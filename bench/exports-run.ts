// Bench child: merchant exports through the real app on a real socket, on a fresh platform
// (DuckDB, PGlite, the disk file store). The 1M-row case is refunds (rows seeded into the state
// store with generate_series: seconds, where ingesting 1M transactions would take minutes on 2
// cores): each format asked for, run in the background, polled until ready, then downloaded by
// its signed link through a client that discards the bytes. Transactions (ingested through the
// HTTP API, a smaller count) measure the analytics-store path. The process's RSS is sampled every
// 50 ms from before the request to the end of the download: its peak, against the RSS before
// (which holds PGlite's heap: the embedded state store lives in this process). CPU time is
// measured beside the wall time.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { join } from 'node:path';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openPlatform } from '../src/platform.ts';
import { startParts } from '../src/start-parts.ts';
import { benchLogger, mint, r1 } from './bench-support.ts';

const [rowsArg = '1000000', txnsArg = '20000', databaseUrl = ''] = process.argv.slice(2);
const ROWS = Number(rowsArg);
const TXNS = Number(txnsArg);
const SECRET = randomBytes(24).toString('hex');
const NOW = Date.parse('2026-06-01T00:00:00Z');
const FROM = '2026-01-01T00:00:00Z';
const TO = '2026-06-01T00:00:00Z';

const dir = mkdtempSync(join(tmpdir(), 'bench-exports-'));
// With a database URL the state store is that PostgreSQL server (a schema of its own, dropped
// after): the server process's RSS is then the export's, not PGlite's heap of 1M refunds.
const schema = `bench_exports_${randomBytes(4).toString('hex')}`;
const config = loadConfig({
  DATA_DIR: dir, LOG_LEVEL: 'warn', JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0', RAW_RETENTION_DAYS: '400',
  ...(databaseUrl ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
});
const log = benchLogger();
const platform = await openPlatform(config, log, () => NOW);
const app = await buildApp({ config, engine: platform.engine, store: platform.store, state: platform.state, regions: platform.regions, log, now: () => NOW });
await startParts(app, ['ingest-http']);
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const authorization = `Bearer ${await mint(SECRET, { roles: ['merchant_admin'], merchant_id: 'm_bench' }, 'bench@m_bench')}`;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    request(`${base}${path}`, { headers }, (res) => {
      let bytes = 0;
      const kept: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (kept.length < 4) kept.push(c); // answers to keep are small; a file is counted, not held
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes, body: Buffer.concat(kept).toString('utf8') }));
      res.on('error', reject);
    }).on('error', reject).end();
  });
}

async function seedRefunds(n: number) {
  const t = performance.now();
  for (let start = 1; start <= n; start += 200_000) {
    await platform.state.query(
      `INSERT INTO merchant_refunds (id, merchant_id, txn_id, amount_minor, currency, reason, status, requested_by, requested_at, txn)
       SELECT 'rf_' || g, 'm_bench', 'tx_' || (g % 50000), 100 + g % 9000, CASE WHEN g % 3 = 0 THEN 'USD' ELSE 'XOF' END,
              CASE WHEN g % 5 = 0 THEN '=HYPERLINK("x")' ELSE 'customer asked, order ' || g END, 'approved', 'bench@m_bench',
              timestamptz '2026-02-01 00:00:00+00' + g * interval '1 second', '{}'::jsonb
       FROM generate_series($1::int, $2::int) g`, [start, Math.min(n, start + 199_999)]);
  }
  return r1((performance.now() - t) / 1000);
}

async function ingestTransactions(n: number) {
  const t = performance.now();
  const ingest = { authorization: `Bearer ${await mint(SECRET, { roles: ['events:write'] }, 'bench')}` };
  for (let start = 0; start < n; start += 20_000) {
    const events = [];
    for (let i = start; i < Math.min(n, start + 20_000); i++) {
      const at = new Date(Date.parse('2026-02-01T00:00:00Z') + i * 10_000).toISOString();
      const base = { txn_id: `tx_${i}`, merchant_id: 'm_bench', amount: String(1000 + (i % 9000)), currency: 'XOF', country: 'SN', occurred_at: at };
      events.push({ event_id: `c_${i}`, type: 'wallet_txn_created', status: 'pending', ...base }, { event_id: `s_${i}`, type: 'wallet_txn_succeeded', fee: '10', ...base });
    }
    const res = await app.inject({ method: 'POST', url: '/api/v1/events', headers: ingest, payload: events });
    if (res.json().accepted !== events.length) throw new Error(`ingest: ${res.body.slice(0, 300)}`);
  }
  return r1((performance.now() - t) / 1000);
}

async function measure(kind: string, format: string, rows: number) {
  global.gc?.();
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, process.memoryUsage.rss()); }, 50);
  try {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const asked = await get(`/api/merchant/export?kind=${kind}&format=${format}&from=${FROM}&to=${TO}`, { authorization });
    if (asked.status !== 202) throw new Error(`export: ${asked.status} ${asked.body}`);
    const { id } = JSON.parse(asked.body);
    let job: { status: string; rows: number; bytes: number; download_url: string };
    for (;;) {
      job = JSON.parse((await get(`/api/merchant/exports/${id}`, { authorization })).body);
      if (job.status === 'ready' || job.status === 'failed') break;
      await new Promise((r) => setTimeout(r, 200));
    }
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    if (job.status !== 'ready' || job.rows !== rows) throw new Error(`export ${id}: ${JSON.stringify(job)}`);
    const file = await get(job.download_url);
    const t2 = performance.now();
    if (file.status !== 200 || file.bytes !== job.bytes) throw new Error(`download: ${file.status}, ${file.bytes} of ${job.bytes} bytes`);
    peak = Math.max(peak, process.memoryUsage.rss());
    return {
      rows, seconds: r1((t1 - t0) / 1000), rowsPerSecond: Math.round(rows / ((t1 - t0) / 1000)), fileMB: r1(job.bytes / 2 ** 20),
      // CPU time of the whole process (the export, the polls, the store's own threads): on a
      // shared machine the wall time says more about the neighbours than about the export.
      cpuSeconds: r1((cpu.user + cpu.system) / 1e6), rowsPerCpuSecond: Math.round(rows / ((cpu.user + cpu.system) / 1e6)),
      downloadSeconds: r1((t2 - t1) / 1000), rssBeforeMB: Math.round(before / 2 ** 20), peakRssMB: Math.round(peak / 2 ** 20),
    };
  } finally {
    clearInterval(sampler);
  }
}

try {
  // Refunds first: their RSS is then measured before the ingest of the transactions has grown the heap.
  const seeded: Record<string, number> = { refundsSeconds: await seedRefunds(ROWS) };
  const cases: Record<string, unknown> = {};
  for (const format of ['csv', 'xlsx', 'pdf']) {
    console.error(`exports: refunds ${format}…`);
    cases[`refunds ${format}`] = await measure('refunds', format, ROWS);
    console.error(JSON.stringify(cases[`refunds ${format}`]));
  }
  seeded.transactionsIngestSeconds = await ingestTransactions(TXNS);
  for (const format of ['csv', 'xlsx']) {
    console.error(`exports: transactions ${format}…`);
    cases[`transactions ${format}`] = await measure('transactions', format, TXNS);
    console.error(JSON.stringify(cases[`transactions ${format}`]));
  }
  console.log(JSON.stringify({ rows: ROWS, transactions: TXNS, stateStore: databaseUrl ? 'postgres' : 'pglite', seeded, cases }));
} finally {
  await app.close();
  await platform.close();
  if (databaseUrl) {
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await client.end();
  }
  rmSync(dir, { recursive: true, force: true });
}
