// Reads a file (or stdin) as batches of whole NDJSON lines: the batch's bytes as read, and the
// byte offset just past its last line (the source position a resumed ingest starts from). Each
// batch is cut into events by the same framing as an HTTP body (frame-events.ts).

import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

export interface LineBatch {
  /** Whole lines, as read. */
  bytes: Buffer;
  /** Byte offset after the batch's last line. */
  endOffset: number;
}

export async function* readLineBatches(input: Readable, batchSize: number, startOffset = 0): AsyncGenerator<LineBatch> {
  let parts: Buffer[] = []; // bytes read since the last batch
  let lines = 0;
  let offset = startOffset; // bytes yielded so far
  for await (const chunk of input as AsyncIterable<Buffer>) {
    let from = 0; // start of chunk bytes not yet in `parts`
    for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, nl + 1)) {
      if (++lines < batchSize) continue;
      parts.push(chunk.subarray(from, nl + 1));
      from = nl + 1;
      const bytes = Buffer.concat(parts);
      offset += bytes.length;
      yield { bytes, endOffset: offset };
      parts = [];
      lines = 0;
    }
    if (from < chunk.length) parts.push(chunk.subarray(from));
  }
  const rest = Buffer.concat(parts);
  if (rest.length > 0) yield { bytes: rest, endOffset: offset + rest.length };
}

export function openInput(path: string, startOffset = 0): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { start: startOffset, highWaterMark: 1 << 20 });
}
