// A snapshot of the in-memory indexes, so a restart replays only the batches committed after it
// instead of every raw event. It is taken between batches (nothing prepared and uncommitted),
// tagged with the store's identity and its last batch id, written to a temporary file, synced
// and renamed. Anything unexpected when loading — another store, a newer batch id than the
// store has, a short or foreign file — means "no snapshot": the caller rebuilds from raw.

import { closeSync, fsyncSync, openSync, readSync, renameSync, writeSync, existsSync, statSync } from 'node:fs';
import type { IngestState } from '../ingest/ingest-state.ts';

// Bump when hash96, the fingerprint, the tie-break or any index layout changes: a snapshot of
// another version is then ignored and the state rebuilt from raw.
const MAGIC = 'molam-state-v1';

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array | BigInt64Array;
const CTORS: Record<string, { new (n: number): Typed }> = {
  Uint8Array, Uint16Array, Uint32Array, Int32Array, Float64Array, BigInt64Array,
};

interface Header {
  magic: string;
  storeId: string;
  lastBatchId: number;
  dedupe: { size: number; capacity: number };
  txns: { size: number; capacity: number };
  tuplesCount: number;
  arrays: Array<{ name: string; type: string; length: number }>;
}

function arraysOf(s: Pick<IngestState, 'dedupe' | 'txns' | 'tuples'>): Array<[string, Typed]> {
  const out: Array<[string, Typed]> = [];
  for (const [prefix, t] of [['dedupe', s.dedupe], ['txns', s.txns]] as const) {
    out.push([`${prefix}.used`, t.used], [`${prefix}.k1`, t.k1], [`${prefix}.k2`, t.k2], [`${prefix}.k3`, t.k3]);
    for (const [name, col] of Object.entries(t.cols)) out.push([`${prefix}.${name}`, col as Typed]);
  }
  out.push(['tuples.slots', s.tuples.slots], ['tuples.keys', s.tuples.keys]);
  return out;
}

/** Writes the snapshot synchronously (the caller holds the engine between batches). */
export function writeSnapshot(path: string, state: IngestState, storeId: string): number {
  const arrays = arraysOf(state);
  const header: Header = {
    magic: MAGIC, storeId, lastBatchId: state.nextBatchId - 1,
    dedupe: { size: state.dedupe.size, capacity: state.dedupe.capacity },
    txns: { size: state.txns.size, capacity: state.txns.capacity },
    tuplesCount: state.tuples.count,
    arrays: arrays.map(([name, a]) => ({ name, type: a.constructor.name, length: a.length })),
  };
  const head = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(4);
  len.writeUInt32LE(head.length);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  let bytes = 0;
  try {
    bytes += writeSync(fd, len);
    bytes += writeSync(fd, head);
    for (const [, a] of arrays) bytes += writeAll(fd, new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return bytes;
}

function writeAll(fd: number, data: Uint8Array): number {
  let off = 0;
  while (off < data.length) off += writeSync(fd, data, off, Math.min(data.length - off, 1 << 26));
  return off;
}

/** Loads the snapshot into `state` (dedupe, txns, tuples) and returns its last batch id, or null. */
export function readSnapshot(path: string, state: IngestState, expect: { storeId: string; lastBatchId: number }): number | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const len = Buffer.alloc(4);
    if (readSync(fd, len, 0, 4, 0) !== 4) return null;
    const headLen = len.readUInt32LE();
    if (headLen > 1 << 20) return null;
    const head = Buffer.alloc(headLen);
    if (readSync(fd, head, 0, headLen, 4) !== headLen) return null;
    const header = JSON.parse(head.toString()) as Header;
    if (header.magic !== MAGIC || header.storeId !== expect.storeId || header.lastBatchId > expect.lastBatchId) return null;
    let pos = 4 + headLen;
    const loaded = new Map<string, Typed>();
    for (const a of header.arrays) {
      const Ctor = CTORS[a.type];
      if (!Ctor) return null;
      const arr = new Ctor(a.length);
      const view = new Uint8Array(arr.buffer);
      let off = 0;
      while (off < view.length) {
        const n = readSync(fd, view, off, Math.min(view.length - off, 1 << 26), pos + off);
        if (n <= 0) return null;
        off += n;
      }
      pos += view.length;
      loaded.set(a.name, arr);
    }
    if (pos !== statSync(path).size) return null;
    const expected = arraysOf(state).map(([name]) => name);
    if (expected.some((name) => !loaded.has(name))) return null;
    for (const [prefix, t, meta] of [['dedupe', state.dedupe, header.dedupe], ['txns', state.txns, header.txns]] as const) {
      t.used = loaded.get(`${prefix}.used`) as Uint8Array;
      t.k1 = loaded.get(`${prefix}.k1`) as Uint32Array;
      t.k2 = loaded.get(`${prefix}.k2`) as Uint32Array;
      t.k3 = loaded.get(`${prefix}.k3`) as Uint32Array;
      for (const name of Object.keys(t.cols)) (t.cols as Record<string, Typed>)[name] = loaded.get(`${prefix}.${name}`)!;
      t.size = meta.size;
      t.capacity = meta.capacity;
    }
    state.tuples.slots = loaded.get('tuples.slots') as Int32Array;
    state.tuples.keys = loaded.get('tuples.keys') as Int32Array;
    state.tuples.count = header.tuplesCount;
    return header.lastBatchId;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
