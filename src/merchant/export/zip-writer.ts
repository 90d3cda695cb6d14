// A streaming ZIP writer (PKWARE APPNOTE 6.3): each entry is deflated as its bytes arrive and
// followed by a data descriptor (general-purpose flag bit 3), so neither its size nor its CRC is
// needed up front and nothing is held but a deflate window; the central directory (a few dozen
// bytes per entry) is written at the end. Names are UTF-8 (bit 11). No ZIP64: an entry or an
// archive past 4 GiB fails rather than writing a corrupt file (an XLSX export is far below:
// 1M rows ≈ 40 MB deflated).

import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { constants, crc32, createDeflateRaw } from 'node:zlib';

export interface ZipEntry {
  name: string;
  data: AsyncIterable<Buffer> | Iterable<Buffer>;
}

const LIMIT = 0xffff_ffff;
const FLAGS = 0x0808; // bit 3: sizes in a data descriptor; bit 11: UTF-8 name
const DEFLATE = 8;
const VERSION = 20;

/** DOS date and time of an instant (local fields taken in UTC). */
function dosTime(at: Date): { time: number; date: number } {
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | Math.floor(at.getUTCSeconds() / 2),
    date: ((Math.max(at.getUTCFullYear(), 1980) - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

export async function* zipChunks(entries: AsyncIterable<ZipEntry> | Iterable<ZipEntry>, at = new Date()): AsyncGenerator<Buffer> {
  const { time, date } = dosTime(at);
  const central: Buffer[] = [];
  let offset = 0;
  let count = 0;
  for await (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(FLAGS, 6);
    local.writeUInt16LE(DEFLATE, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt16LE(name.length, 26); // crc and sizes: 0, in the descriptor
    yield Buffer.concat([local, name]);
    const start = offset;
    offset += local.length + name.length;

    let crc = 0;
    let size = 0;
    let compressed = 0;
    const deflate = createDeflateRaw({ level: constants.Z_BEST_SPEED });
    const out = new PassThrough({ readableHighWaterMark: 64 * 1024 });
    const done = pipeline(Readable.from(entry.data, { objectMode: false }), async function* (source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        crc = crc32(chunk, crc);
        size += chunk.length;
        yield chunk;
      }
    }, deflate, out);
    done.catch(() => {}); // surfaced below, through the iteration of `out`
    for await (const chunk of out as AsyncIterable<Buffer>) {
      compressed += chunk.length;
      yield chunk;
    }
    await done;
    if (size > LIMIT || compressed > LIMIT) throw new Error(`zip entry ${entry.name} is over 4 GiB (no ZIP64)`);
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc >>> 0, 4);
    descriptor.writeUInt32LE(compressed, 8);
    descriptor.writeUInt32LE(size, 12);
    yield descriptor;
    offset += compressed + descriptor.length;

    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(VERSION, 4);
    header.writeUInt16LE(VERSION, 6);
    header.writeUInt16LE(FLAGS, 8);
    header.writeUInt16LE(DEFLATE, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(crc >>> 0, 16);
    header.writeUInt32LE(compressed, 20);
    header.writeUInt32LE(size, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(start, 42);
    central.push(header, name);
    count++;
  }
  if (offset > LIMIT || count > 0xffff) throw new Error('zip archive over 4 GiB or 65,535 entries (no ZIP64)');
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  yield Buffer.concat([directory, end]);
}
