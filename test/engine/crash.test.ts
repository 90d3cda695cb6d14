// Crash safety: SIGKILL the server while batches are in flight, restart it, resend everything:
// every rollup equals the reference exactly, raw holds each event once.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer } from '../support/server-process.ts';
import { randomStream } from '../support/random-stream.ts';
import { acceptedEvents, contributions, rollupOf } from '../support/reference-rollups.ts';
import { readRollup } from '../support/read-rollups.ts';
import { openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import { bearer, mintToken } from '../support/tokens.ts';

const ingestToken = mintToken({ roles: ['events:write'] });
const opsToken = mintToken({ roles: ['analytics:ops'] });

function withoutConflicts(events: Array<Record<string, unknown>>) {
  const first = new Map<string, number>();
  return events.filter((e) => {
    const amount = Number(e.amount);
    const seen = first.get(e.event_id as string);
    if (seen === undefined) {
      first.set(e.event_id as string, amount);
      return true;
    }
    return seen === amount;
  });
}

async function post(url: string, chunk: Array<Record<string, unknown>>): Promise<number> {
  const res = await fetch(new URL('/api/v1/events', url), {
    method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...bearer(await ingestToken) }, body: chunk.map((e) => JSON.stringify(e)).join('\n'),
  });
  await res.arrayBuffer();
  return res.status;
}

test('SIGKILL mid-ingest, restart, resend everything: exact totals', { timeout: 180_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-crash-'));
  const start = Date.now() - 12 * 86_400_000;
  const events = withoutConflicts(randomStream({ seed: 4242, txns: 4000, start, spanMs: 10 * 86_400_000 }).events);
  const chunks: Array<Array<Record<string, unknown>>> = [];
  for (let i = 0; i < events.length; i += 150) chunks.push(events.slice(i, i + 150));
  // Snapshots every second, so the restart loads one taken mid-ingest and replays what followed.
  const env = { DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '512MB', STATE_SNAPSHOT_INTERVAL_SECONDS: '1' };
  try {
    // Run 1: everything in flight at once; kill after a few batches were acknowledged.
    const s1 = await startServer(env);
    let acknowledged = 0;
    const killed = new Promise<void>((resolve) => {
      for (const c of chunks) {
        post(s1.url, c).then((status) => {
          if (status === 200 && ++acknowledged === 5) {
            s1.child.kill('SIGKILL');
            resolve();
          }
        }, () => undefined);
      }
    });
    await killed;
    await s1.stop('SIGKILL');
    assert.ok(acknowledged >= 5);

    // Run 2: restart on the same data and resend everything, in order.
    const s2 = await startServer(env);
    for (const c of chunks) assert.equal(await post(s2.url, c), 200);
    const summary = await (await fetch(new URL(`/api/v1/metrics?from=${new Date(start - 86_400_000).toISOString()}&to=${new Date(Date.now() + 60_000).toISOString()}&metrics=tx_count,refund_count`, s2.url), { headers: bearer(await opsToken) })).json();
    await s2.stop('SIGTERM');

    const expected = contributions(events);
    assert.equal(summary.rows[0].metrics.tx_count, expected.filter((c) => c.kind <= 3).length);
    const store = await openDuckDbStore({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
    try {
      for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
        assert.deepEqual(await readRollup(store, table), rollupOf(expected, period), `rollup_${table}`);
      }
      const counts = await store.counts();
      assert.equal(counts.rawEvents, acceptedEvents(events).length);
      assert.equal(counts.distinctEventIds, counts.rawEvents);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
