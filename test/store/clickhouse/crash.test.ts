// Exactly once across process deaths: a process ingesting into ClickHouse through the engine is
// killed with SIGKILL mid-commit (after a rollup write; after the commit marker, before the
// answer; while a commit is written again after a transient failure) and at a moment the parent
// picks; each time a new process opens the same database (recovery at open) and carries on; a
// last one resends everything. Every total is exact.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { startClickHouse } from '../../support/clickhouse-server.ts';
import { openClickHouseBackend } from '../../../src/store/clickhouse/open-clickhouse-backend.ts';
import { assertExact, testStream } from '../support/clickhouse-ingest.ts';

const server = await startClickHouse();
after(() => server.stop());

const CHILD = fileURLToPath(new URL('../support/clickhouse-ingest-child.ts', import.meta.url));
const STREAM = { SEED: '31', TXNS: '150', CHUNK: '50' };

interface Run {
  signal: NodeJS.Signals | null;
  code: number | null;
  committed: number;
  output: string;
}

/** Runs the child; `killAfterCommits` makes the parent SIGKILL it once it reported that many commits. */
function runChild(env: Record<string, string>, killAfterCommits?: number): Promise<Run> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let committed = 0;
  child.stderr!.on('data', (d) => { output += d; });
  createInterface({ input: child.stdout! }).on('line', (line) => {
    output += line + '\n';
    if (line.startsWith('committed ') && ++committed === killAfterCommits) child.kill('SIGKILL');
  });
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, committed, output })));
}

test('SIGKILL mid-commit and mid-ingest, reopen, resend everything: exact totals', { timeout: 180_000 }, async () => {
  const database = await server.createDatabase();
  const base = { CH_URL: server.url, CH_DATABASE: database, ...STREAM };

  const afterRollup = await runChild({ ...base, KILL_STEP: 'rollup_hour', KILL_AT: '3' });
  assert.equal(afterRollup.signal, 'SIGKILL', afterRollup.output);
  assert.equal(afterRollup.committed, 2, 'killed while writing the third batch');

  const anyMoment = await runChild(base, 3);
  assert.equal(anyMoment.signal, 'SIGKILL', anyMoment.output);

  const afterMarker = await runChild({ ...base, KILL_STEP: 'ingest_batches', KILL_AT: '2' });
  assert.equal(afterMarker.signal, 'SIGKILL', afterMarker.output);
  assert.equal(afterMarker.committed, 1, 'the second batch was committed, never acknowledged');

  const last = await runChild({ ...base, RESEND: '1' });
  assert.equal(last.code, 0, last.output);
  assert.match(last.output, /^done$/m);

  const backend = await openClickHouseBackend({ url: server.url, database, leaseMs: 300 });
  try {
    await assertExact(backend, testStream(Number(STREAM.SEED), Number(STREAM.TXNS), Number(STREAM.CHUNK)).events);
  } finally {
    await backend.close();
  }
});

test('SIGKILL while a commit is written again after a transient failure: reopen, resend everything, exact', { timeout: 180_000 }, async () => {
  const database = await server.createDatabase();
  const base = { CH_URL: server.url, CH_DATABASE: database, ...STREAM };
  // The third batch's rollup_hour write "fails" after it went through; the retry is killed
  // after writing raw_events again: the first attempt's rows were removed, the second's are left.
  const duringRetry = await runChild({ ...base, TRANSIENT_STEP: 'rollup_hour', TRANSIENT_AT: '3', KILL_STEP: 'raw_events', KILL_AT: '4' });
  assert.equal(duringRetry.signal, 'SIGKILL', duringRetry.output);
  assert.equal(duringRetry.committed, 2, 'killed while writing the third batch a second time');

  const last = await runChild({ ...base, RESEND: '1' });
  assert.equal(last.code, 0, last.output);
  const backend = await openClickHouseBackend({ url: server.url, database, leaseMs: 300 });
  try {
    await assertExact(backend, testStream(Number(STREAM.SEED), Number(STREAM.TXNS), Number(STREAM.CHUNK)).events);
  } finally {
    await backend.close();
  }
});
