// The operations commands as a child process over a DATA_DIR: `reprocess` (usage errors exit 2;
// a dry run over ingested days that match their raw events exits 0 and reports no change; on
// ClickHouse, sums per currency that drifted are counted, then mended) and
// `retention run` (the dry run and the run report the same counts for every store; exit 0).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startClickHouse } from '../support/clickhouse-server.ts';

const run = promisify(execFile);
let dir: string;
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'molam-cli-ops-'));
  const events = [0, 1, 2].flatMap((d) => [
    { event_id: `c${d}`, type: 'wallet_txn_created', status: 'pending', occurred_at: new Date(today - (d + 2) * DAY + 3_600_000).toISOString(), txn_id: `t${d}`, merchant_id: 'm1', amount: '100', currency: 'XOF', country: 'SN' },
    { event_id: `s${d}`, type: 'wallet_txn_succeeded', occurred_at: new Date(today - (d + 2) * DAY + 3_660_000).toISOString(), txn_id: `t${d}`, merchant_id: 'm1', amount: '100', currency: 'XOF', country: 'SN' },
  ]);
  writeFileSync(join(dir, 'events.ndjson'), events.map((e) => JSON.stringify(e)).join('\n') + '\n');
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const { CONFIG_FILE: _c, DATABASE_URL: _u, ...inherited } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args],
      { env: { ...inherited, DATA_DIR: join(dir, 'data'), LOG_LEVEL: 'warn', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

const lastJson = (stdout: string) => JSON.parse(stdout.slice(stdout.lastIndexOf('\n{') + 1));

test('reprocess: usage errors exit 2; a dry run over consistent days exits 0 with no change', async () => {
  assert.equal((await cli(['reprocess', '--from', 'yesterday'])).code, 2);
  assert.equal((await cli(['reprocess', '--from', '2026-01-02', '--to', '2026-01-01'])).code, 2);
  const ingest = await cli(['ingest', join(dir, 'events.ndjson')]);
  assert.equal(ingest.code, 0, ingest.stderr);
  const from = new Date(today - 5 * DAY).toISOString();
  const to = new Date(today).toISOString();
  const dry = await cli(['reprocess', '--from', from, '--to', to, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  const r = JSON.parse(dry.stdout.trim());
  assert.equal(r.raw_events, 6);
  assert.deepEqual(r.tables.day, { cellsChanged: 0, bucketsChanged: 0 });
  assert.deepEqual(r.correction_batches, []);
});

test('reprocess on ClickHouse: a dry run counts the sums per currency that drifted (exit 1), the run mends them, a second dry run exits 0', async () => {
  const server = await startClickHouse();
  try {
    const env = { ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: server.url, CLICKHOUSE_DATABASE: await server.createDatabase(), DATA_DIR: join(dir, 'ch') };
    const ingest = await cli(['ingest', join(dir, 'events.ndjson')], env);
    assert.equal(ingest.code, 0, ingest.stderr);
    // A day's sum written past the view, by a committed batch: the day rows no longer add up to it.
    const sql = async (q: string) => {
      const res = await fetch(`${server.url}/?database=${env.CLICKHOUSE_DATABASE}`, { method: 'POST', body: q, headers: { connection: 'close' } });
      assert.equal(res.status, 200, await res.text());
    };
    await sql(`INSERT INTO rollup_day_by_currency (minute, currency_key, kind, cnt, amount_minor, fee_minor, batch_id)
      SELECT minute, currency_key, kind, 1, 500, 0, 1 FROM rollup_day_by_currency WHERE cnt > 0 ORDER BY minute LIMIT 1`);
    const range = ['--from', new Date(today - 5 * DAY).toISOString(), '--to', new Date(today).toISOString()];
    const dry = await cli(['reprocess', ...range, '--dry-run'], env);
    assert.equal(dry.code, 1, dry.stderr);
    assert.match(dry.stdout, /^day sums per currency: 1 cell differs from the day rows$/m);
    assert.deepEqual([lastJson(dry.stdout).summaries, lastJson(dry.stdout).tables.day.cellsChanged], [{ hour: 0, day: 1 }, 0]);
    const real = await cli(['reprocess', ...range], env);
    assert.equal(real.code, 0, real.stderr);
    assert.match(real.stdout, /^day sums per currency: 1 cell mended to the day rows$/m);
    const again = await cli(['reprocess', ...range, '--dry-run'], env);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(lastJson(again.stdout).summaries, { hour: 0, day: 0 });
  } finally {
    await server.stop();
  }
});

test('backfill: usage errors exit 2; a dry run sends nothing; the run, then a rerun, from a CSV export', async () => {
  assert.equal((await cli(['backfill', '--from', '2026-01-01', '--to', '2026-01-02'])).code, 2);
  const csv = ['id,merchant_id,amount,currency,country,status,occurred_at',
    ...[0, 1, 2].map((i) => `r${i},m2,1${i}.00,USD,SN,succeeded,${new Date(today - 3 * DAY + i * 60_000).toISOString()}`)].join('\n');
  writeFileSync(join(dir, 'wallet.csv'), csv);
  const args = ['backfill', '--from', new Date(today - 5 * DAY).toISOString(), '--to', new Date(today).toISOString(), '--source', join(dir, 'wallet.csv')];
  const dry = await cli([...args, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(lastJson(dry.stdout).events, 6);
  assert.equal(lastJson(dry.stdout).accepted, 0);
  const real = await cli(args);
  assert.equal(real.code, 0, real.stderr);
  assert.equal(lastJson(real.stdout).accepted, 6);
  const again = await cli(args);
  assert.equal(again.code, 0, again.stderr);
  assert.equal(lastJson(again.stdout).rows, 0);
});

test('retention run: the dry run and the run report the same, for both stores', async () => {
  assert.equal((await cli(['retention'])).code, 2);
  const dry = await cli(['retention', 'run', '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  const real = await cli(['retention', 'run']);
  assert.equal(real.code, 0, real.stderr);
  const a = lastJson(dry.stdout);
  const b = lastJson(real.stdout);
  assert.equal(a.dry_run, true);
  assert.equal(b.dry_run, false);
  for (const k of ['raw_events', 'transaction_rows', 'minute_rows', 'hour_rows', 'custom_raw_events', 'custom_rollup_rows']) {
    assert.equal(typeof a.analytics[k], 'number', k);
    assert.equal(a.analytics[k], b.analytics[k], k);
  }
  assert.deepEqual(Object.keys(a.state).sort(), ['audit_log', 'exports', 'idempotency_keys', 'kafka_outbox', 'merchant_audit', 'resolved_alerts', 'webhook_outbox']);
  // The cutoffs follow each run's clock; what they select must be the same.
  const counts = (x: Record<string, { before?: string }>) => Object.fromEntries(Object.entries(x).map(([k, { before: _b, ...v }]) => [k, v]));
  assert.deepEqual(counts(a.state), counts(b.state));
});
