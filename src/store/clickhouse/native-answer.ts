// Reading an answer in ClickHouse's Native format (`SELECT … FORMAT Native`): the server's
// blocks, column by column, as native-block.ts writes them. A fixed-width value is read from its
// bytes, so a long answer costs no text to split and no number to parse (a merchant's hourly
// year, 8,760 rows of five columns: docs/benchmarks.md). Values decode as tsv.ts decodes them
// (the conventions are stated there), for the types whose bytes give exactly the TabSeparated
// value: integers, Decimal(P, 0), Float64, String, Nullable of those, Nothing. Any other type is
// refused (read it as TabSeparated).
//
// TRICKY: 18.16 drops a WITH TOTALS row from a Native answer (TabSeparated keeps it), and a
// failure met after the first blocks were sent arrives as plain text appended to the body: a
// block that does not decode, or bytes left over, is an error.

import { endianness } from 'node:os';
import type { TypedAnswer } from './tsv.ts';

type Reader = (buf: Buffer, at: number, rows: number, out: unknown[], from: number) => number;

// TRICKY: a column is viewed as a typed array, in the machine's byte order; Native is little-endian.
if (endianness() !== 'LE') throw new Error('the ClickHouse Native reader needs a little-endian machine');

type View = new (buffer: ArrayBuffer) => ArrayLike<number | bigint>;

const FIXED: Record<string, [width: number, view: View]> = {
  UInt8: [1, Uint8Array], Int8: [1, Int8Array], UInt16: [2, Uint16Array], Int16: [2, Int16Array],
  UInt32: [4, Uint32Array], Int32: [4, Int32Array], UInt64: [8, BigUint64Array], Int64: [8, BigInt64Array],
  Float64: [8, Float64Array],
};

/** A column's bytes copied to an aligned buffer (a typed array cannot view them in place). */
function aligned(buf: Buffer, at: number, bytes: number): ArrayBuffer {
  need(buf, at, bytes);
  const copy = new Uint8Array(bytes);
  copy.set(buf.subarray(at, at + bytes));
  return copy.buffer;
}

function fixed(width: number, View: View): Reader {
  return (buf, at, rows, out, from) => {
    const values = new View(aligned(buf, at, width * rows));
    for (let i = 0; i < rows; i++) out[from + i] = values[i];
    return at + width * rows;
  };
}

/** Decimal128 (two's complement): one 64-bit read when the high half only extends the low half's sign. */
const decimal128: Reader = (buf, at, rows, out, from) => {
  const bytes = aligned(buf, at, 16 * rows);
  const words = new Int32Array(bytes);
  const halves = new BigInt64Array(bytes);
  for (let i = 0; i < rows; i++) {
    const high = words[4 * i + 3];
    out[from + i] = high === words[4 * i + 2] && high === words[4 * i + 1] >> 31
      ? halves[2 * i]
      : (halves[2 * i + 1] << 64n) | BigInt.asUintN(64, halves[2 * i]);
  }
  return at + 16 * rows;
};

const DECIMAL = /^Decimal(?:\((\d+),\s*(\d+)\)|(32|64|128)\((\d+)\))$/;

function varint(buf: Buffer, at: number): [number, number] {
  let n = 0;
  let scale = 1;
  for (;;) {
    need(buf, at, 1);
    const byte = buf[at++];
    n += (byte & 0x7f) * scale;
    if (byte < 0x80) return [n, at];
    scale *= 128;
    if (scale > 2 ** 49) throw new Error('ClickHouse Native answer broken: a length beyond 2^49');
  }
}

function need(buf: Buffer, at: number, n: number): void {
  if (at + n > buf.length) throw new Error('ClickHouse Native answer broken: it ends inside a block');
}

const readString: Reader = (buf, at, rows, out, from) => {
  for (let i = 0; i < rows; i++) {
    const [n, start] = varint(buf, at);
    need(buf, start, n);
    out[from + i] = buf.toString('utf8', start, start + n);
    at = start + n;
  }
  return at;
};

/** The reader of one column type; undefined for a type this reader does not take. */
function readerOf(type: string): Reader | undefined {
  const nullable = /^Nullable\((.*)\)$/.exec(type);
  if (nullable) {
    // Nullable(Nothing), a NULL literal's type: one placeholder byte per row after the null map.
    if (nullable[1] === 'Nothing') {
      return (buf, at, rows, out, from) => {
        need(buf, at, 2 * rows);
        for (let i = 0; i < rows; i++) out[from + i] = null;
        return at + 2 * rows;
      };
    }
    const inner = readerOf(nullable[1]);
    if (!inner) return undefined;
    return (buf, at, rows, out, from) => {
      need(buf, at, rows);
      const end = inner(buf, at + rows, rows, out, from);
      for (let i = 0; i < rows; i++) if (buf[at + i] !== 0) out[from + i] = null;
      return end;
    };
  }
  if (Object.hasOwn(FIXED, type)) return fixed(...FIXED[type]);
  if (type === 'String') return readString;
  const decimal = DECIMAL.exec(type);
  if (decimal && Number(decimal[2] ?? decimal[4]) === 0) {
    const precision = Number(decimal[1] ?? { 32: 9, 64: 18, 128: 38 }[decimal[3]]);
    if (precision <= 9) {
      const int32 = fixed(...FIXED.Int32);
      return (buf, at, rows, out, from) => {
        const end = int32(buf, at, rows, out, from);
        for (let i = 0; i < rows; i++) out[from + i] = BigInt(out[from + i] as number);
        return end;
      };
    }
    if (precision <= 18) return fixed(...FIXED.Int64);
    if (precision <= 38) return decimal128;
  }
  return undefined;
}

function header(buf: Buffer, at: number): [string, number] {
  const [n, start] = varint(buf, at);
  need(buf, start, n);
  return [buf.toString('utf8', start, start + n), start + n];
}

/** Parses a Native answer (HTTP: no block info). An empty answer has no block, so no names. */
export function parseNative(buf: Buffer): TypedAnswer {
  let names: string[] = [];
  let types: string[] = [];
  let readers: Reader[] = [];
  let columns: unknown[][] = [];
  let rowCount = 0;
  let at = 0;
  try {
    for (let block = 0; at < buf.length; block++) {
      let width: number;
      let rows: number;
      [width, at] = varint(buf, at);
      [rows, at] = varint(buf, at);
      if (block === 0) {
        names = new Array<string>(width);
        types = new Array<string>(width);
        readers = new Array<Reader>(width);
        columns = Array.from({ length: width }, () => []);
      } else if (width !== names.length) {
        throw new Error(`a block of ${width} columns after blocks of ${names.length}`);
      }
      for (let c = 0; c < width; c++) {
        let name: string;
        let type: string;
        [name, at] = header(buf, at);
        [type, at] = header(buf, at);
        if (readers[c] === undefined) {
          const reader = readerOf(type);
          if (!reader) throw new Error(`column ${name} of type ${type}, which this reader does not take`);
          [names[c], types[c], readers[c]] = [name, type, reader];
        } else if (name !== names[c] || type !== types[c]) {
          throw new Error(`column ${c} is ${name} ${type} after blocks where it was ${names[c]} ${types[c]}`);
        }
        at = readers[c](buf, at, rows, columns[c], rowCount);
      }
      rowCount += rows;
    }
  } catch (err) {
    const text = buf.subarray(Math.max(0, at - 64), at + 436).toString('latin1');
    throw new Error(`ClickHouse Native answer broken at byte ${at} (${(err as Error).message}): ${JSON.stringify(text)}`);
  }
  return { names, types, columns, rowCount };
}
