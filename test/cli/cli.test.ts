// The real command line as a child process over a temp DATA_DIR: generate NDJSON and CSV, ingest
// them (again: all duplicates; --resume at the end: nothing), load FX rates, then check the store
// holds exactly what the ingest summaries said they accepted.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { openDuckDbStore } from '../../src/store/open-analytics-store.ts';

const run = promisify(execFile);
const END = '2026-11-01T00:00:00Z'; // a fixed past window: the output never depends on today
let dir: string;
const data = () => join(dir, 'data');

interface Summary { received: number; accepted: number; duplicates: number; rejected: number; rejectedByCode: Record<string, number>; bytes: number }

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = {
    ...process.env, DATA_DIR: data(), LOG_LEVEL: 'warn',
    // The fixed window must stay inside raw retention whatever the date the test runs on.
    RAW_RETENTION_DAYS: '36500',
  };
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { env, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** The JSON summary `ingest` prints as its last stdout line. */
async function ingest(args: string[]): Promise<Summary> {
  const r = await cli(['ingest', ...args]);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Summary;
  assert.equal(r.code, summary.rejected > 0 ? 1 : 0, r.stderr);
  return summary;
}

before(() => { dir = mkdtempSync(join(tmpdir(), 'molam-cli-')); });
after(() => { rmSync(dir, { recursive: true, force: true }); });

const accepted: number[] = [];

test('generate writes the requested number of seeded events', async () => {
  const file = join(dir, 'a.ndjson');
  const r = await cli(['generate', '--count', '2000', '--seed', '7', '--days', '3', '--end', END, '--out', file]);
  assert.equal(r.code, 0, r.stderr);
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  assert.equal(lines.length, 2000);
  const times = lines.map((l) => Date.parse(JSON.parse(l).occurred_at));
  assert.ok(times.every((ms) => ms >= Date.parse(END) - 3 * 86_400_000 && ms < Date.parse(END)));
  // Same seed, same bytes.
  const again = join(dir, 'a2.ndjson');
  await cli(['generate', '--count', '2000', '--seed', '7', '--days', '3', '--end', END, '--out', again]);
  assert.equal(readFileSync(again, 'utf8'), readFileSync(file, 'utf8'));
});

test('ingest prints a summary that accounts for every line; a second ingest accepts nothing', async () => {
  const file = join(dir, 'a.ndjson');
  const first = await ingest([file]);
  assert.equal(first.received, 2000);
  assert.equal(first.accepted + first.duplicates + first.rejected, 2000);
  assert.equal(first.rejected, 0, JSON.stringify(first.rejectedByCode));
  assert.ok(first.accepted > 1900, JSON.stringify(first));
  assert.ok(first.duplicates > 0, 'the generator re-delivers some events');
  accepted.push(first.accepted);

  const second = await ingest([file]);
  assert.deepEqual([second.received, second.accepted, second.duplicates + second.rejected], [2000, 0, 2000]);
  assert.equal(second.duplicates, first.accepted + first.duplicates, 'what was accepted is now a duplicate');
  accepted.push(second.accepted);
});

test('--resume on a file already read to its end ingests nothing', async () => {
  const r = await ingest([join(dir, 'a.ndjson'), '--resume']);
  assert.deepEqual([r.received, r.accepted], [0, 0]);
  accepted.push(r.accepted);
});

test('CSV: generate --format csv, then ingest the .csv', async () => {
  const file = join(dir, 'b.csv');
  const g = await cli(['generate', '--count', '500', '--seed', '8', '--days', '2', '--end', END, '--format', 'csv', '--out', file]);
  assert.equal(g.code, 0, g.stderr);
  assert.equal(readFileSync(file, 'utf8').trim().split('\n').length, 501, 'a header and 500 rows');
  const r = await ingest([file]);
  assert.equal(r.received, 500);
  assert.equal(r.accepted + r.duplicates + r.rejected, 500);
  assert.equal(r.rejected, 0, JSON.stringify(r.rejectedByCode));
  assert.ok(r.accepted > 450);
  accepted.push(r.accepted);
});

test('the same events as CSV are duplicates of their NDJSON form', async () => {
  const file = join(dir, 'a.csv');
  await cli(['generate', '--count', '2000', '--seed', '7', '--days', '3', '--end', END, '--format', 'csv', '--out', file]);
  const r = await ingest([file]);
  assert.deepEqual([r.received, r.accepted, r.duplicates], [2000, 0, 2000], JSON.stringify(r.rejectedByCode));
  accepted.push(r.accepted);
});

test('a line that is not UTF-8 is refused on its own, whatever the batch cuts', async () => {
  const file = join(dir, 'latin1.ndjson');
  const line = (i: number, city: string) => Buffer.concat([Buffer.from(`{"event_id":"enc_${i}","type":"wallet_txn_created","status":"pending",`
    + `"occurred_at":"2026-10-30T10:00:00Z","txn_id":"enc_tx_${i}","merchant_id":"m_enc","amount":"100","currency":"XOF","country":"TG","city":"`),
  Buffer.from(city, 'latin1'), Buffer.from('"}')]);
  const nl = Buffer.from('\n');
  writeFileSync(file, Buffer.concat([line(1, 'Lome'), nl, line(2, 'Lom\xe9'), nl, line(3, 'Kara'), nl, nl, line(4, 'Sokode')]));
  for (const batch of ['1', '2', '50']) {
    const r = await ingest([file, '--batch', batch]);
    assert.equal(r.received, 4, batch);
    assert.deepEqual(r.rejectedByCode, { invalid_encoding: 1 }, batch);
    accepted.push(r.accepted);
  }
});

test('fx load prints how many rates it loaded', async () => {
  const sample = 'reference/fx-rates.sample.csv';
  const rows = readFileSync(sample, 'utf8').trim().split('\n').length - 1;
  const r = await cli(['fx', 'load', sample]);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout.trim()), { loaded: rows });

  const bad = join(dir, 'bad-fx.csv');
  writeFileSync(bad, 'date,currency,usd_per_unit\n2026-02-30,EUR,1.1\n');
  const b = await cli(['fx', 'load', bad]);
  assert.equal(b.code, 1);
  assert.match(b.stderr, /line 2\b.*2026-02-30/);
});

test('the store holds exactly what the summaries accepted, and the rates', async () => {
  const store = await openDuckDbStore({ dataDir: data(), memoryLimit: '256MB', threads: 1 });
  try {
    const counts = await store.counts();
    assert.equal(counts.rawEvents, accepted.reduce((a, b) => a + b, 0));
    assert.equal(counts.fxRates, readFileSync('reference/fx-rates.sample.csv', 'utf8').trim().split('\n').length - 1);
  } finally {
    await store.close();
  }
});
