// One block in ClickHouse's Native format, the server's own columnar layout, built from a
// batch's columns: a fixed-width column is its typed array's bytes, copied whole; a string is
// its length (LEB128) and its UTF-8 bytes; a Nullable column is a null map, then the values
// (empty where null). The large writes of a commit (raw events, rollups) go this way: no text
// line per row to build and to parse, and no escaping. Layout as 18.16 reads it over HTTP
// (`INSERT … FORMAT Native`, no block info): column count, row count, then per column its
// name, its type and its values.

import { endianness } from 'node:os';

// TRICKY: typed arrays are in the machine's byte order; Native is little-endian.
if (endianness() !== 'LE') throw new Error('the ClickHouse Native writer needs a little-endian machine');

type FixedArray = Int32Array | Uint32Array | Int16Array | Uint16Array | Uint8Array | BigInt64Array | Float64Array;

export type NativeColumn =
  | { name: string; type: 'Int32' | 'UInt32' | 'Int16' | 'UInt16' | 'UInt8' | 'Int64' | 'Float64'; values: FixedArray }
  | { name: string; type: 'String'; values: readonly string[] }
  | { name: string; type: 'Nullable(String)'; values: ReadonlyArray<string | null> };

/** A growable byte buffer (one copy at the end). */
class Bytes {
  private buf: Buffer;
  pos = 0;
  constructor(size: number) {
    this.buf = Buffer.allocUnsafe(Math.max(1024, size));
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  varint(n: number): void {
    this.room(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    // A string of fewer than 43 UTF-16 units takes at most 127 UTF-8 bytes: one length byte,
    // written after the bytes (no separate pass to measure them).
    if (s.length < 43) {
      this.room(1 + 3 * s.length);
      const n = this.buf.write(s, this.pos + 1, 'utf8');
      this.buf[this.pos] = n;
      this.pos += 1 + n;
      return;
    }
    const n = Buffer.byteLength(s, 'utf8');
    this.varint(n);
    this.room(n);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  bytes(a: ArrayBufferView, length: number): void {
    this.room(length);
    this.buf.set(new Uint8Array(a.buffer, a.byteOffset, length), this.pos);
    this.pos += length;
  }

  done(): Buffer {
    return this.buf.subarray(0, this.pos);
  }
}

/** The block of the first `rows` values of each column. */
export function nativeBlock(rows: number, columns: readonly NativeColumn[]): Buffer {
  const out = new Bytes(rows * columns.length * 8);
  out.varint(columns.length);
  out.varint(rows);
  for (const c of columns) {
    out.string(c.name);
    out.string(c.type);
    if (c.type === 'String') {
      for (let i = 0; i < rows; i++) out.string(c.values[i]);
    } else if (c.type === 'Nullable(String)') {
      const nulls = new Uint8Array(rows);
      for (let i = 0; i < rows; i++) nulls[i] = c.values[i] === null ? 1 : 0;
      out.bytes(nulls, rows);
      for (let i = 0; i < rows; i++) out.string(c.values[i] ?? '');
    } else {
      if (c.values.length < rows) throw new RangeError(`column ${c.name}: ${c.values.length} values for ${rows} rows`);
      out.bytes(c.values, rows * c.values.BYTES_PER_ELEMENT);
    }
  }
  return out.done();
}

/** A UInt32 column holding one value (the batch id of every row). */
export function constantUInt32(rows: number, value: number): Uint32Array {
  return new Uint32Array(rows).fill(value);
}
