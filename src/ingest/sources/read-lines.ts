// Reads a file (or stdin) as batches of NDJSON lines, each with the byte offset just past its
// last line: the source position a resumed ingest starts from.

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface LineBatch {
  lines: string[];
  /** Byte offset after the batch's last line. */
  endOffset: number;
}

export async function* readLineBatches(input: Readable, batchSize: number, startOffset = 0): AsyncGenerator<LineBatch> {
  let carry: Buffer = Buffer.alloc(0);
  let offset = startOffset; // bytes consumed up to the start of `carry`
  let lines: string[] = [];
  for await (const chunk of input as AsyncIterable<Buffer>) {
    const buf = carry.length ? Buffer.concat([carry, chunk]) : chunk;
    let start = 0;
    for (;;) {
      const nl = buf.indexOf(10, start);
      if (nl < 0) break;
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      if (end > start) lines.push(buf.toString('utf8', start, end));
      start = nl + 1;
      if (lines.length >= batchSize) {
        yield { lines, endOffset: offset + start };
        lines = [];
      }
    }
    offset += start;
    carry = buf.subarray(start);
  }
  if (carry.length > 0 && carry.toString('utf8').trim() !== '') {
    lines.push(carry.toString('utf8'));
    offset += carry.length;
  }
  if (lines.length > 0) yield { lines, endOffset: offset };
}

export function openInput(path: string, startOffset = 0): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { start: startOffset, highWaterMark: 1 << 20 });
}
