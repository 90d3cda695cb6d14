// A restart from a snapshot plus the batches committed after it yields exactly the state a full
// rebuild from raw yields; a snapshot of another store, or a damaged one, is ignored.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, truncateSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTempPlatform } from '../../support/temp-platform.ts';
import { randomStream } from '../../support/random-stream.ts';
import { rebuildState } from '../../../src/ingest/ingest-state.ts';
import type { IngestState } from '../../../src/ingest/indexes/ingest-indexes.ts';
import { openDuckDbStore } from '../../../src/store/open-analytics-store.ts';
import type { HashTable } from '../../../src/ingest/indexes/hash-table.ts';

const START = Date.parse('2026-11-01T00:00:00Z');
const NOW = START + 12 * 86_400_000;

/** Every entry of a hash table as "key → payload", independent of slot layout. */
function entries(t: Pick<HashTable<never>, 'capacity' | 'used' | 'k1' | 'k2' | 'k3'> & { cols: Record<string, ArrayLike<unknown>> }): Map<string, string> {
  const out = new Map<string, string>();
  const names = Object.keys(t.cols).sort();
  for (let i = 0; i < t.capacity; i++) {
    if (t.used[i] !== 1) continue;
    out.set(`${t.k1[i]}:${t.k2[i]}:${t.k3[i]}`, names.map((n) => String(t.cols[n][i])).join('|'));
  }
  return out;
}

function sameState(a: IngestState, b: IngestState): void {
  assert.deepEqual(entries(a.dedupe as never), entries(b.dedupe as never));
  // Tuple ids may differ between the two; compare transactions through their tuples' keys.
  const txnView = (s: IngestState) => {
    const m = entries(s.txns as never);
    const keysOf = (id: number) => Array.from(s.tuples.keys.subarray(id * 6, id * 6 + 6)).join(',');
    const names = Object.keys(s.txns.cols).sort();
    const ct = names.indexOf('createdTuple');
    const wt = names.indexOf('winTuple');
    return new Map([...m].map(([k, v]) => {
      const f = v.split('|');
      f[ct] = keysOf(Number(f[ct]));
      f[wt] = keysOf(Number(f[wt]));
      return [k, f.join('|')];
    }));
  };
  assert.deepEqual(txnView(a), txnView(b));
  assert.equal(a.nextBatchId, b.nextBatchId);
}

test('snapshot + replay of later batches = full rebuild; foreign or damaged snapshots are ignored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'molam-snap-'));
  const other = mkdtempSync(join(tmpdir(), 'molam-snap-other-'));
  const snap = join(dir, 'ingest-state.snapshot');
  try {
    const { events } = randomStream({ seed: 5, txns: 600, start: START, spanMs: 10 * 86_400_000 });
    const half = Math.floor(events.length / 2);
    const p = await openTempPlatform({ dir, now: () => NOW });
    await p.engine.submit({ source: 't', items: events.slice(0, half) });
    assert.ok((await p.engine.snapshot()) > 0);
    copyFileSync(snap, `${snap}.early`);
    for (let i = half; i < events.length; i += 97) {
      await p.engine.submit({ source: 't', items: events.slice(i, i + 97) });
    }
    await p.close(); // writes a final snapshot; put the early one back, as after a crash
    copyFileSync(`${snap}.early`, snap);

    const store = await openDuckDbStore({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
    try {
      const fromSnap = await rebuildState(store, snap);
      const full = await rebuildState(store, null);
      assert.equal(fromSnap.fromSnapshot, true);
      assert.ok(fromSnap.events > 0 && fromSnap.events < full.events, 'only later batches were replayed');
      sameState(fromSnap.state, full.state);

      truncateSync(snap, statSync(snap).size - 10);
      assert.equal((await rebuildState(store, snap)).fromSnapshot, false, 'a damaged snapshot is ignored');
    } finally {
      await store.close();
    }

    const q = await openTempPlatform({ dir: other, now: () => NOW });
    await q.engine.submit({ source: 't', items: events.slice(0, 10) });
    await q.close();
    copyFileSync(`${snap}.early`, join(other, 'ingest-state.snapshot'));
    const otherStore = await openDuckDbStore({ dataDir: other, memoryLimit: '256MB', threads: 1 });
    try {
      assert.equal((await rebuildState(otherStore, join(other, 'ingest-state.snapshot'))).fromSnapshot, false,
        "another store's snapshot is ignored");
    } finally {
      await otherStore.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  }
});

test('the state rebuilt from raw equals the live state, fingerprints included (every field of the contract)', async () => {
  const { generateEvents } = await import('../../../src/generator/generate.ts');
  const end = NOW - 86_400_000;
  const events = [...generateEvents({ seed: 11, count: 6000, start: end - 5 * 86_400_000, end })];
  assert.ok(events.some((e) => e.metadata !== undefined) && events.some((e) => e.type === 'dispute_created'));
  const p = await openTempPlatform({ now: () => NOW });
  try {
    for (let i = 0; i < events.length; i += 700) {
      const items = events.slice(i, i + 700);
      await p.engine.submit({ source: 't', items: i % 1400 === 0 ? items : items.map((e) => JSON.stringify(e)) });
    }
    const rebuilt = await rebuildState(p.store, null);
    sameState(p.engine.state, rebuilt.state);
    // And resending everything after a rebuild is all duplicates, not conflicts.
    const again = await p.engine.submit({ source: 't', items: events.slice(0, 500) });
    assert.ok(again.every((r) => r.status === 'duplicate'));
  } finally {
    await p.close();
  }
});
