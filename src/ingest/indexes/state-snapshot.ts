// A snapshot of the in-memory indexes, so a restart replays only the batches committed after it
// instead of every raw event. It is taken between batches (nothing prepared and uncommitted),
// tagged with the store's identity and its last batch id, written to a temporary file, synced
// and renamed. Only occupied entries are written, in chunks, and re-hashed on load, so the file
// is about the size of the live entries and writing it needs little extra memory. Anything
// unexpected when loading — another store, a newer batch id than the store has, a short or
// foreign file — means "no snapshot": the caller rebuilds from raw.

import { closeSync, existsSync, fsyncSync, openSync, readSync, renameSync, statSync, writeSync } from 'node:fs';
import { claimSlot, type HashTable } from './hash-table.ts';
import { createDedupeIndex } from './dedupe-index.ts';
import { createTxnIndex } from './txn-index.ts';
import { restoreTuples } from './dimensions.ts';
import type { IngestState } from './ingest-indexes.ts';

// Bump when hash96, the fingerprint, the tie-break or any index layout changes: a snapshot of
// another version is then ignored and the state rebuilt from raw.
const MAGIC = 'molam-state-v2';
const CHUNK = 1 << 20;

type Typed = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array | BigInt64Array;
type Ctor = { new (n: number): Typed; BYTES_PER_ELEMENT: number };
type AnyTable = HashTable<Record<string, Typed>>;

interface Header {
  magic: string;
  storeId: string;
  lastBatchId: number;
  tables: Record<'dedupe' | 'txns', { size: number; columns: string[] }>;
  tuplesCount: number;
}

class Writer {
  bytes = 0;
  constructor(private readonly fd: number) {}
  write(data: Uint8Array): void {
    let off = 0;
    while (off < data.length) off += writeSync(this.fd, data, off, Math.min(data.length - off, 1 << 26));
    this.bytes += data.length;
  }
  typed(a: Typed, n = a.length): void {
    this.write(new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT));
  }
}

class Reader {
  pos = 0;
  constructor(private readonly fd: number) {}
  into(a: Typed, n: number): void {
    const view = new Uint8Array(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
    let off = 0;
    while (off < view.length) {
      const got = readSync(this.fd, view, off, view.length - off, this.pos + off);
      if (got <= 0) throw new Error('snapshot is truncated');
      off += got;
    }
    this.pos += view.length;
  }
}

/** The columns of a table in a fixed order: the three key words, then the payload columns. */
function columnsOf(t: AnyTable): Array<[string, Typed]> {
  return [['k1', t.k1], ['k2', t.k2], ['k3', t.k3], ...Object.entries(t.cols).sort(([a], [b]) => a.localeCompare(b))];
}

// TRICKY: copies go through integer views of the same width (8-byte columns as pairs of
// 32-bit words): one monomorphic loop per width, no BigInt allocated per element.
function words(a: Typed): Uint8Array | Uint16Array | Int32Array {
  const w = a.BYTES_PER_ELEMENT;
  if (w === 1) return new Uint8Array(a.buffer, a.byteOffset, a.length);
  if (w === 2) return new Uint16Array(a.buffer, a.byteOffset, a.length);
  return new Int32Array(a.buffer, a.byteOffset, (a.length * w) / 4);
}

function gather(dst: Typed, src: Typed, idx: Int32Array, n: number): void {
  const d = words(dst);
  const s = words(src);
  const k = src.BYTES_PER_ELEMENT === 8 ? 2 : 1;
  if (k === 2) {
    const d32 = d as Int32Array;
    const s32 = s as Int32Array;
    for (let i = 0; i < n; i++) { d32[2 * i] = s32[2 * idx[i]]; d32[2 * i + 1] = s32[2 * idx[i] + 1]; }
  } else {
    for (let i = 0; i < n; i++) d[i] = s[idx[i]];
  }
}

function scatter(dst: Typed, src: Typed, idx: Int32Array, n: number): void {
  const d = words(dst);
  const s = words(src);
  if (src.BYTES_PER_ELEMENT === 8) {
    const d32 = d as Int32Array;
    const s32 = s as Int32Array;
    for (let i = 0; i < n; i++) { d32[2 * idx[i]] = s32[2 * i]; d32[2 * idx[i] + 1] = s32[2 * i + 1]; }
  } else {
    for (let i = 0; i < n; i++) d[idx[i]] = s[i];
  }
}

function writeTable(w: Writer, t: AnyTable): void {
  const cols = columnsOf(t);
  const scratch = cols.map(([, a]) => new (a.constructor as Ctor)(CHUNK));
  const idx = new Int32Array(CHUNK);
  const count = new Uint32Array(1);
  let n = 0;
  const flush = () => {
    count[0] = n;
    w.typed(count);
    cols.forEach(([, col], c) => {
      gather(scratch[c], col, idx, n);
      w.typed(scratch[c], n);
    });
    n = 0;
  };
  for (let slot = 0; slot < t.capacity; slot++) {
    if (t.used[slot] !== 1) continue;
    idx[n] = slot;
    if (++n === CHUNK) flush();
  }
  if (n > 0) flush();
}

function readTable(r: Reader, t: AnyTable, size: number): void {
  const scratch = columnsOf(t).map(([, a]) => new (a.constructor as Ctor)(CHUNK));
  const idx = new Int32Array(CHUNK);
  const count = new Uint32Array(1);
  const h = { h1: 0, h2: 0, h3: 0 };
  let seen = 0;
  while (seen < size) {
    r.into(count, 1);
    const n = count[0];
    if (n === 0 || n > CHUNK || seen + n > size) throw new Error('snapshot chunk is malformed');
    scratch.forEach((buf) => r.into(buf, n));
    const [k1, k2, k3] = scratch as Uint32Array[];
    for (let i = 0; i < n; i++) {
      h.h1 = k1[i];
      h.h2 = k2[i];
      h.h3 = k3[i];
      idx[i] = claimSlot(t, h).slot;
    }
    // The table is presized for `size`, so claiming never grew it: the slots stay valid.
    columnsOf(t).slice(3).forEach(([, col], c) => scatter(col, scratch[c + 3], idx, n));
    seen += n;
  }
}

/** Writes the snapshot synchronously (the caller holds the engine between batches). */
export function writeSnapshot(path: string, state: IngestState, storeId: string): number {
  const header: Header = {
    magic: MAGIC, storeId, lastBatchId: state.nextBatchId - 1,
    tables: {
      dedupe: { size: state.dedupe.size, columns: columnsOf(state.dedupe as never).map(([n]) => n) },
      txns: { size: state.txns.size, columns: columnsOf(state.txns as never).map(([n]) => n) },
    },
    tuplesCount: state.tuples.count,
  };
  const head = Buffer.from(JSON.stringify(header));
  const len = new Uint32Array([head.length]);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  const w = new Writer(fd);
  try {
    w.typed(len);
    w.write(head);
    writeTable(w, state.dedupe as never);
    writeTable(w, state.txns as never);
    w.typed(state.tuples.keys, state.tuples.count * 6);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  return w.bytes;
}

/** Loads the snapshot into `state` (dedupe, txns, tuples) and returns its last batch id, or null. */
export function readSnapshot(path: string, state: IngestState, expect: { storeId: string; lastBatchId: number }): number | null {
  if (!existsSync(path)) return null;
  const fd = openSync(path, 'r');
  try {
    const r = new Reader(fd);
    const len = new Uint32Array(1);
    r.into(len, 1);
    if (len[0] > 1 << 20) return null;
    const head = new Uint8Array(len[0]);
    r.into(head, len[0]);
    const header = JSON.parse(Buffer.from(head).toString()) as Header;
    if (header.magic !== MAGIC || header.storeId !== expect.storeId || header.lastBatchId > expect.lastBatchId) return null;
    const dedupe = createDedupeIndex(header.tables.dedupe.size);
    const txns = createTxnIndex(header.tables.txns.size);
    for (const [name, t] of [['dedupe', dedupe], ['txns', txns]] as const) {
      const expected = columnsOf(t as never).map(([n]) => n);
      if (JSON.stringify(expected) !== JSON.stringify(header.tables[name].columns)) return null;
    }
    readTable(r, dedupe as never, header.tables.dedupe.size);
    readTable(r, txns as never, header.tables.txns.size);
    const keys = new Int32Array(Math.max(header.tuplesCount * 6, 6 * 4096));
    r.into(keys, header.tuplesCount * 6);
    if (r.pos !== statSync(path).size) return null;
    state.dedupe = dedupe;
    state.txns = txns;
    restoreTuples(state.tuples, keys, header.tuplesCount);
    return header.lastBatchId;
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}
