// Backup and restore of the embedded stores (src/ops/backup-embedded.ts, restore-embedded.ts),
// end to end with the real server and the CLI as child processes:
// - a backup taken with `backup NAME --url` while events keep arriving over HTTP holds exactly
//   the events of the requests answered before it (a prefix of what was sent), with the rollups
//   an independent reference gives for that prefix; its manifest names the last batch and it
//   passes its own checksums;
// - restored into a fresh DATA_DIR it gives those numbers, with the state store (merchant names)
//   of the backup point; resending every event then ends exactly where the source ended;
// - restore refuses a non-empty DATA_DIR and a damaged backup (exit 1), and a dry run writes nothing;
// - a restore killed with SIGKILL leaves no DATA_DIR at all, and the next restore succeeds.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { mintToken, bearer } from '../support/tokens.ts';
import { openTempPlatform } from '../support/temp-platform.ts';
import { readRollup } from '../support/read-rollups.ts';
import { contributions, rollupOf } from '../support/reference-rollups.ts';
import { openStateStore } from '../../src/state-store/open-state-store.ts';
import type { Manifest } from '../../src/ops/backup-embedded.ts';

const run = promisify(execFile);
const CHUNK = 40;
const MINUTE = 60_000;
const START = Date.parse('2026-11-01T00:00:00Z');

let dir: string;
let server: ServerProcess | null = null;
let token: string;
const events: Array<Record<string, string>> = [];
let sentBeforeBackupAnswer = 0;
let backupOut: { code: number; stdout: string; stderr: string };

/** Payments (created, then settled a few minutes later in a later chunk) and refunds: no two final statuses at one instant. */
function makeEvents(n: number): void {
  for (let i = 0; i < n; i++) {
    const t0 = START + i * 7 * MINUTE;
    const base = { txn_id: `t${i}`, merchant_id: `m_${i % 4}`, currency: 'XOF', country: 'SN', amount: String(1000 + i) };
    events.push({ event_id: `c${i}`, type: 'wallet_txn_created', status: 'pending', occurred_at: new Date(t0).toISOString(), ...base });
    if (i >= 30) {
      const j = i - 30; // settles a transaction created 30 events earlier
      const type = j % 5 === 0 ? 'wallet_txn_failed' : 'wallet_txn_succeeded';
      events.push({ event_id: `s${j}`, type, occurred_at: new Date(START + j * 7 * MINUTE + 3 * MINUTE).toISOString(), txn_id: `t${j}`, merchant_id: `m_${j % 4}`, currency: 'XOF', country: 'SN', amount: String(1000 + j), fee: '10' });
    }
    if (i % 11 === 0) events.push({ event_id: `r${i}`, type: 'refund_created', refund_id: `r${i}`, txn_id: `t${i}`, occurred_at: new Date(t0 + 5 * MINUTE).toISOString(), merchant_id: `m_${i % 4}`, currency: 'XOF', country: 'SN', amount: '100' });
  }
}

async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
      env: { ...process.env, LOG_LEVEL: 'warn', DATA_DIR: join(dir, 'unused'), ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof e.code !== 'number') throw err;
    return { code: e.code, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

async function send(chunk: Array<Record<string, string>>): Promise<void> {
  const res = await fetch(new URL('/api/v1/events', server!.url), {
    method: 'POST', headers: { ...bearer(token), 'content-type': 'application/x-ndjson' }, body: chunk.map((e) => JSON.stringify(e)).join('\n'),
  });
  assert.equal(res.status, 200, await res.text());
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'molam-backup-'));
  makeEvents(600);
  token = await mintToken({ sub: 'ops', roles: ['analytics:ops', 'events:write'] });
  server = await startServer({ DATA_DIR: join(dir, 'source'), BACKUP_DIR: join(dir, 'backups') });
  // The state store opens once the server serves: wait until /ready says so.
  while ((await fetch(new URL('/ready', server.url))).status !== 200) await new Promise((r) => setTimeout(r, 200));
  // State written before the backup: merchant names.
  const names = await fetch(new URL('/api/v1/merchants', server.url), { method: 'PUT', headers: { ...bearer(token), 'content-type': 'text/csv' }, body: 'merchant_id,name\nm_0,Boutique Zero\n' });
  assert.equal(names.status, 200, await names.text());
  // Ingest one chunk after another; the backup starts after the tenth and runs while they go on.
  let backupDone = false;
  let sent = 0;
  let backup: Promise<void> | null = null;
  const ingest = (async () => {
    while (sent < events.length) {
      // The last five requests wait for the backup: some events always arrive after it.
      if (events.length - sent <= 5 * CHUNK && backup) await backup;
      await send(events.slice(sent, sent + CHUNK));
      sent += CHUNK;
      if (sent === 10 * CHUNK) {
        backup = cli(['backup', 'b1', '--url', server!.url, '--token', token]).then((r) => {
          backupOut = r;
          sentBeforeBackupAnswer = Math.min(sent, events.length);
          backupDone = true;
        });
      }
    }
  })();
  await ingest;
  await backup;
  assert.ok(backupDone);
  assert.ok(sentBeforeBackupAnswer < events.length, 'events were still sent after the backup');
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const manifestOf = (name: string) => JSON.parse(readFileSync(join(dir, 'backups', name, 'manifest.json'), 'utf8')) as Manifest;

test('a backup during ingest holds a prefix of the events sent, with its last batch and checksums', async () => {
  assert.equal(backupOut.code, 0, backupOut.stderr);
  assert.match(backupOut.stdout, /backup written and checked/);
  const m = manifestOf('b1');
  const k = m.analytics.rows.raw_events;
  assert.ok(k >= 10 * CHUNK && k <= sentBeforeBackupAnswer, `${k} raw events: those answered before the backup began, at most those sent before it ended`);
  assert.equal(k % CHUNK, 0, 'whole requests only');
  assert.ok(m.analytics.last_batch_id > 0);
  assert.ok(m.state && m.state.schema_version > 0);
  // A second backup to the same name is refused (409 → exit 1), and a dry run writes nothing.
  const again = await cli(['backup', 'b1', '--url', server!.url, '--token', token]);
  assert.equal(again.code, 1, again.stderr);
  assert.match(again.stderr, /backup_exists/);
  const dry = await cli(['backup', 'b2', '--url', server!.url, '--token', token, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(existsSync(join(dir, 'backups', 'b2')), false);
  // A token without analytics:ops may not (deny by default).
  const viewer = await cli(['backup', 'b3', '--url', server!.url, '--token', await mintToken({ sub: 'v', roles: ['analytics:view'] })]);
  assert.notEqual(viewer.code, 0);
  assert.equal(existsSync(join(dir, 'backups', 'b3')), false);
});

test('restored into a fresh DATA_DIR: the numbers of the backup point, the state store too; resending everything ends exact', async () => {
  await server!.stop();
  server = null;
  const m = manifestOf('b1');
  const k = m.analytics.rows.raw_events;
  const target = join(dir, 'restored');
  const dry = await cli(['restore', join(dir, 'backups', 'b1'), '--data-dir', target, '--dry-run']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(existsSync(target), false, 'a dry run writes nothing');
  const r = await cli(['restore', join(dir, 'backups', 'b1'), '--data-dir', target]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, new RegExp(`last batch ${m.analytics.last_batch_id}`));

  const state = await openStateStore({ databaseUrl: '', dataDir: target });
  assert.deepEqual(await state.query('SELECT merchant_id, name FROM merchant_names'), [{ merchant_id: 'm_0', name: 'Boutique Zero' }]);
  await state.close();

  const restored = await openTempPlatform({ dir: target, now: () => START + 10 * 86_400_000 });
  const source = await openTempPlatform({ dir: join(dir, 'source'), now: () => START + 10 * 86_400_000 });
  try {
    const prefix = events.slice(0, k);
    for (const table of ['minute', 'hour', 'day'] as const) {
      const period = { minute: 1, hour: 60, day: 1440 }[table];
      assert.deepEqual(await readRollup(restored.store, table), rollupOf(contributions(prefix), period), `${table}: the backup point's numbers`);
    }
    // Everything again, from the first event: what the backup held is deduped, the rest counted once.
    for (let i = 0; i < events.length; i += 500) await restored.engine.submit({ source: 'resend', items: events.slice(i, i + 500) });
    await restored.engine.flush();
    for (const table of ['minute', 'hour', 'day'] as const) {
      const want = await readRollup(source.store, table);
      assert.deepEqual(await readRollup(restored.store, table), want, `${table}: the source's final numbers`);
      assert.deepEqual(want, rollupOf(contributions(events), { minute: 1, hour: 60, day: 1440 }[table]));
    }
  } finally {
    await restored.close();
    await source.close();
  }
});

test('restore refuses a non-empty DATA_DIR and a damaged backup, writing nothing', async () => {
  const full = join(dir, 'full');
  mkdirSync(full);
  writeFileSync(join(full, 'something'), 'x');
  const r = await cli(['restore', join(dir, 'backups', 'b1'), '--data-dir', full]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, /not empty/);
  assert.deepEqual(readdirSync(full), ['something']);

  const damaged = join(dir, 'damaged');
  cpSync(join(dir, 'backups', 'b1'), damaged, { recursive: true });
  const tar = readFileSync(join(damaged, 'state.tar'));
  tar[tar.length >> 1] ^= 0xff;
  writeFileSync(join(damaged, 'state.tar'), tar);
  const d = await cli(['restore', damaged, '--data-dir', join(dir, 'fresh-d')]);
  assert.equal(d.code, 1, d.stderr);
  assert.match(d.stderr, /state\.tar: checksum differs/);
  assert.equal(existsSync(join(dir, 'fresh-d')), false);
});

test('a restore killed with SIGKILL leaves no DATA_DIR; the next one succeeds and clears what the killed one left', async () => {
  const target = join(dir, 'killed');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'restore', join(dir, 'backups', 'b1'), '--data-dir', target], {
    env: { ...process.env, LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
  // Killed once it copies the stores (the progress line of that step).
  await new Promise<void>((resolve) => {
    let err = '';
    child.stderr!.on('data', (d) => {
      err += d;
      if (/analytics store/.test(err)) resolve();
    });
    child.once('exit', () => resolve());
  });
  child.kill('SIGKILL');
  assert.equal(await exited, 'SIGKILL');
  assert.equal(existsSync(target), false, 'no half-restored DATA_DIR');

  const r = await cli(['restore', join(dir, 'backups', 'b1'), '--data-dir', target]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(existsSync(join(target, 'analytics.duckdb')) && existsSync(join(target, 'state', 'PG_VERSION')));
  assert.deepEqual(readdirSync(dir).filter((n) => n.startsWith('.killed.restoring-')), [], 'the killed restore\'s leftovers are gone');
});
