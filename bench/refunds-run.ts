// Bench child: merchant refunds through the real app (app.inject: routes, scope check, admission,
// idempotency, the analytics lookup, the state transaction), on a fresh platform, with the state
// store on PGlite and — when a database URL is given — on PostgreSQL (a schema of its own,
// dropped after). Two cases:
//   - one at a time: refunds of distinct transactions, one after the other (P50/P95/max);
//   - contended: 1,000 requests for one transaction sent at once (16 run at a time, the others
//     queued by the admission), 100 each of 50,000 captured: wall time and requests per second,
//     and the check that exactly 500 were approved.

import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { buildApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { openPlatform } from '../src/platform.ts';
import { startParts } from '../src/start-parts.ts';
import { benchLogger, mint, quantile } from './bench-support.ts';

const [databaseUrl = '', sequentialArg = '300'] = process.argv.slice(2);
const SEQUENTIAL = Number(sequentialArg);
const CONTENDED = 1000;
const SECRET = randomBytes(24).toString('hex');
const NOW = Date.now();

async function measure(backend: 'pglite' | 'postgres') {
  const dir = mkdtempSync(join(tmpdir(), 'bench-refunds-'));
  const schema = `bench_refunds_${randomBytes(4).toString('hex')}`;
  const config = loadConfig({
    DATA_DIR: dir, LOG_LEVEL: 'warn', JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: '0', QUERY_MAX_CONCURRENCY: '16', QUERY_QUEUE_LENGTH: '5000',
    ...(backend === 'postgres' ? { DATABASE_URL: databaseUrl, DATABASE_SCHEMA: schema } : {}),
  });
  const log = benchLogger();
  const platform = await openPlatform(config, log, () => NOW);
  const app = await buildApp({ config, engine: platform.engine, store: platform.store, state: platform.state, regions: platform.regions, log, now: () => NOW });
  try {
    await startParts(app, ['ingest-http']);
    const at = new Date(NOW - 3_600_000).toISOString();
    const txn = (id: string, amount: string) => [
      { event_id: `${id}_c`, type: 'wallet_txn_created', status: 'pending', occurred_at: at, txn_id: id, merchant_id: 'm_bench', amount, currency: 'XOF', country: 'SN' },
      { event_id: `${id}_s`, type: 'wallet_txn_succeeded', occurred_at: at, txn_id: id, merchant_id: 'm_bench', amount, currency: 'XOF', country: 'SN' },
    ];
    const events = [...Array.from({ length: SEQUENTIAL }, (_, i) => txn(`t_${i}`, '10000')).flat(), ...txn('t_hot', '50000')];
    const ingest = await app.inject({ method: 'POST', url: '/api/v1/events', headers: { authorization: `Bearer ${await mint(SECRET, { roles: ['events:write'] }, 'bench')}` }, payload: events });
    if (ingest.json().accepted !== events.length) throw new Error(`ingest: ${ingest.body}`);
    const authorization = `Bearer ${await mint(SECRET, { roles: ['merchant_admin'], merchant_id: 'm_bench' }, 'bench@m_bench')}`;
    let keys = 0;
    const refund = (transaction: string, amount: number) => app.inject({
      method: 'POST', url: '/api/merchant/refunds', payload: { transaction_id: transaction, amount, currency: 'XOF' },
      headers: { authorization, 'idempotency-key': `b-${++keys}` },
    });
    for (let i = 0; i < 20; i++) await refund(`t_${i}`, 1); // warm-up
    const times: number[] = [];
    for (let i = 0; i < SEQUENTIAL; i++) {
      const s = performance.now();
      const res = await refund(`t_${i}`, 100);
      times.push(performance.now() - s);
      if (res.statusCode !== 201) throw new Error(`refund: ${res.body}`);
    }
    times.sort((a, b) => a - b);
    const s = performance.now();
    const answers = await Promise.all(Array.from({ length: CONTENDED }, () => refund('t_hot', 100)));
    const wallMs = performance.now() - s;
    const approved = answers.filter((r) => r.statusCode === 201).length;
    const refused = answers.filter((r) => r.statusCode === 422).length;
    if (approved !== 500 || refused !== 500) throw new Error(`contended: ${approved} approved, ${refused} refused`);
    return {
      sequential: { runs: SEQUENTIAL, p50: quantile(times, 0.5), p95: quantile(times, 0.95), max: times[times.length - 1] },
      contended: { requests: CONTENDED, wallMs, perSecond: CONTENDED / (wallMs / 1000), approved, refused },
    };
  } finally {
    await app.close();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
    if (backend === 'postgres') {
      const c = new pg.Client({ connectionString: databaseUrl });
      await c.connect();
      await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await c.end();
    }
  }
}

const out: Record<string, unknown> = { pglite: await measure('pglite') };
if (databaseUrl) out.postgres = await measure('postgres');
console.log(JSON.stringify(out));
