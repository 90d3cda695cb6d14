// Backfill from a real PostgreSQL wallet_transactions table (its own schema) and from a CSV
// export, through the engine: the dry run sends nothing; a run cut short resumes where it
// stopped; the rows of the range become exactly their events; running it again (even from the
// start) changes nothing; a row whose status changed since adds only its final event.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openTempPlatform, type TempPlatform } from '../support/temp-platform.ts';
import { readRollup } from '../support/read-rollups.ts';
import { TEST_DATABASE_URL, dropSchemas } from '../support/state-backends.ts';
import { runBackfill, type BackfillOptions } from '../../src/backfill/run-backfill.ts';
import { fileReader, postgresReader } from '../../src/backfill/wallet-transaction-reader.ts';
import { mapWalletTransaction } from '../../src/backfill/wallet-transaction-mapping.ts';
import { positionFile } from '../../src/backfill/position-file.ts';
import { httpSubmitter } from '../../src/ingest/sources/ingest-file.ts';
import { openTempApp } from '../support/temp-app.ts';
import { bearer } from '../support/tokens.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const FROM = NOW - 10 * DAY;
const TO = NOW - DAY;
const STATUSES = ['succeeded', 'failed', 'pending', 'completed', 'declined'];

const schema = `bf_${randomBytes(5).toString('hex')}`;
after(() => dropSchemas([schema]));

/** 30 rows in range (one of an unknown status), two outside it. */
function rows() {
  const out = Array.from({ length: 30 }, (_, i) => ({
    id: 1000 + i, merchant_id: `m${i % 3}`, amount: `${100 + i}.50`, currency: 'USD', country: 'SN',
    status: i === 7 ? 'weird' : STATUSES[i % STATUSES.length],
    occurred_at: new Date(FROM + i * 3 * 3_600_000 + 123), updated_at: new Date(FROM + i * 3 * 3_600_000 + 60_000),
    fee: i % 2 ? '1.25' : null, payment_method: 'wallet', provider: i % 2 ? 'wave' : 'orange_money', failure_reason: 'insufficient_funds',
  }));
  out.push({ ...out[0], id: 1, occurred_at: new Date(FROM - 1) }, { ...out[1], id: 2, occurred_at: new Date(TO) });
  return out;
}

async function table(): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
  await c.connect();
  await c.query(`CREATE SCHEMA ${schema}`);
  await c.query(`CREATE TABLE ${schema}.wallet_transactions (id bigint PRIMARY KEY, merchant_id text, amount numeric(20, 2), currency text,
    country text, status text, occurred_at timestamptz, updated_at timestamptz, fee numeric(20, 2), payment_method text, provider text, failure_reason text)`);
  for (const r of rows()) {
    await c.query(`INSERT INTO ${schema}.wallet_transactions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [r.id, r.merchant_id, r.amount, r.currency, r.country, r.status, r.occurred_at, r.updated_at, r.fee, r.payment_method, r.provider, r.failure_reason]);
  }
  return c;
}

const SOURCE = 'backfill:test';
function through(p: TempPlatform): Pick<BackfillOptions, 'submit' | 'positions'> {
  return {
    submit: (events, position) => p.engine.submit({ source: SOURCE, positions: [{ source: SOURCE, position }], items: events }),
    positions: { load: () => p.store.sourcePosition(SOURCE), save: async () => {} },
  };
}

const expectedEvents = rows().slice(0, 30).filter((r) => r.status !== 'weird').reduce((n, r) => n + (r.status === 'pending' ? 1 : 2), 0);

test('mapping: a row gives its created event and its final one, with ids from the row id', () => {
  const m = mapWalletTransaction({ id: 7, merchant_id: 'm', amount: '10.00', currency: 'USD', country: 'SN', status: 'Completed',
    occurred_at: '2026-11-01 10:00:00+00', updated_at: '2026-11-01T10:01:00Z', fee: null });
  assert.deepEqual(m, { events: [
    { event_id: 'wtx:7:created', type: 'wallet_txn_created', status: 'pending', occurred_at: '2026-11-01T10:00:00.000Z', txn_id: '7', merchant_id: 'm', amount: '10.00', currency: 'USD', country: 'SN' },
    { event_id: 'wtx:7:succeeded', type: 'wallet_txn_succeeded', status: 'succeeded', occurred_at: '2026-11-01T10:01:00.000Z', txn_id: '7', merchant_id: 'm', amount: '10.00', currency: 'USD', country: 'SN' },
  ] });
  assert.deepEqual(mapWalletTransaction({ id: 8, status: 'nope', occurred_at: '2026-11-01T10:00:00Z' }), { skip: 'unknown_status' });
  assert.deepEqual(mapWalletTransaction({ status: 'failed', occurred_at: '2026-11-01T10:00:00Z' }), { skip: 'missing_id' });
});

test('PostgreSQL table: dry run, a run cut short and resumed, then again from the start: exactly once', async () => {
  const c = await table();
  const p = await openTempPlatform({ now: () => NOW });
  const range = { fromMs: FROM, toMs: TO, pageSize: 4 };
  const url = `${TEST_DATABASE_URL}?table=${schema}.wallet_transactions`;
  const run = async (o: Partial<BackfillOptions> = {}) => {
    const reader = postgresReader(url, range);
    try {
      return await runBackfill({ reader, ...through(p), ...o });
    } finally {
      await reader.close();
    }
  };
  try {
    const reader = postgresReader(url, range);
    assert.equal(await reader.count(), 30);
    await reader.close();

    const dry = await run({ submit: null, sampleSize: 2 });
    assert.equal(dry.rows, 30);
    assert.equal(dry.events, expectedEvents);
    assert.deepEqual(dry.skippedByReason, { unknown_status: 1 });
    assert.equal(dry.sample.length, 2);
    assert.equal(dry.sample[0].event_id, 'wtx:1000:created');
    assert.equal((await p.store.counts()).rawEvents, 0, 'a dry run sends nothing');

    const first = await run({ limitRows: 6 });
    assert.equal(first.rows, 8, 'whole pages');
    const rest = await run();
    assert.equal(rest.resumedFrom, first.position);
    assert.equal(first.rows + rest.rows, 30, 'resumed where it stopped: no row read twice');
    assert.equal(first.accepted + rest.accepted, expectedEvents);
    assert.equal(first.rejected + rest.rejected, 0);
    assert.equal((await p.store.counts()).rawEvents, expectedEvents);
    const once = await readRollup(p.store, 'day');

    assert.equal((await run()).rows, 0, 'nothing left after the end');
    const again = await run({ restart: true });
    assert.equal(again.accepted, 0);
    assert.equal(again.duplicates, expectedEvents);
    assert.deepEqual(await readRollup(p.store, 'day'), once, 'twice equals once');

    // A pending transaction completed since: only its final event is new, and it moves the transaction.
    await c.query(`UPDATE ${schema}.wallet_transactions SET status = 'succeeded' WHERE id = 1002`);
    const moved = await run({ restart: true });
    assert.equal(moved.accepted, 1);
    const day = await readRollup(p.store, 'day');
    const kinds = (m: Map<string, string>, kind: number) => [...m].filter(([k]) => k.endsWith(`|${kind}`)).reduce((n, [, v]) => n + Number(v.split('/')[0]), 0);
    assert.equal(kinds(day, 1), kinds(once, 1) - 1, 'one pending fewer');
    assert.equal(kinds(day, 2), kinds(once, 2) + 1, 'one succeeded more');
  } finally {
    await p.close();
    await c.end();
  }
});

test('CSV export: every row of the range sent once, its position the rows read, and a rerun reads none', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-bf-'));
  const p = await openTempPlatform({ now: () => NOW });
  try {
    const cols = ['id', 'merchant_id', 'amount', 'currency', 'country', 'status', 'occurred_at', 'updated_at', 'fee', 'payment_method', 'provider', 'failure_reason'] as const;
    const csv = [cols.join(','), ...rows().map((r) => cols.map((k) => {
      const v = r[k];
      return v === null ? '' : v instanceof Date ? v.toISOString() : String(v);
    }).join(','))].join('\n');
    writeFileSync(join(dir, 'wallet_transactions.csv'), csv);
    const reader = fileReader(join(dir, 'wallet_transactions.csv'), { fromMs: FROM, toMs: TO, pageSize: 7 });
    const s = await runBackfill({ reader, ...through(p) });
    assert.equal(s.rows, 30);
    assert.equal(s.accepted, expectedEvents);
    assert.equal(s.position, '30');
    const resumed = await runBackfill({ reader, ...through(p) });
    assert.equal(resumed.rows, 0);
  } finally {
    await p.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('to a running server over HTTP: the position kept in a file after each acknowledged page, resumed from it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-bf-http-'));
  const t = await openTempApp();
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address() as { port: number };
    const http = httpSubmitter(`http://127.0.0.1:${address.port}`, bearer(t.adminToken));
    const submit = (events: string[]) => http({ items: events, refused: [], position: null });
    const cols = ['id', 'merchant_id', 'amount', 'currency', 'country', 'status', 'occurred_at'];
    const at = (i: number) => new Date(Date.now() - 3 * DAY + i * 60_000).toISOString();
    writeFileSync(join(dir, 'w.csv'), [cols.join(','), ...Array.from({ length: 9 }, (_, i) => `h${i},m1,5.00,USD,SN,${i % 2 ? 'failed' : 'completed'},${at(i)}`)].join('\n'));
    const reader = fileReader(join(dir, 'w.csv'), { fromMs: Date.now() - 5 * DAY, toMs: Date.now(), pageSize: 4 });
    const positions = positionFile(join(dir, 'pos', 'p.position'));
    const first = await runBackfill({ reader, submit, positions, limitRows: 4, ratePerSecond: 1_000_000 });
    assert.equal(first.accepted, 8);
    assert.equal(await positions.load(), '4');
    const rest = await runBackfill({ reader, submit, positions });
    assert.equal(rest.resumedFrom, '4');
    assert.equal(rest.rows, 5);
    assert.equal(rest.accepted, 10);
    assert.equal((await t.platform.store.counts()).rawEvents, 18);
    const again = await runBackfill({ reader, submit, positions, restart: true });
    assert.equal(again.duplicates, 18);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
