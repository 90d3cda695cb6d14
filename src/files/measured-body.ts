// A put's body as a stream of chunks, counted and hashed on the way, with the size rules of the
// port applied as early as they can be: past maxBytes or the declared size the stream fails at
// once (the rest is never read), and one ending short of the declared size fails at its end.
// Both backends read their bodies through it, so both apply the rules alike.

import { createHash } from 'node:crypto';
import { AppError } from '../errors.ts';
import type { FileBody, PutOptions } from './file-store.ts';

export interface MeasuredBody {
  chunks: AsyncIterable<Buffer>;
  /** Bytes read so far; the whole size once `chunks` has ended. */
  readonly size: number;
  /** SHA-256 (hex) of the body; valid once `chunks` has ended. */
  sha256(): string;
}

export function measuredBody(body: FileBody, options: Pick<PutOptions, 'size' | 'maxBytes'>): MeasuredBody {
  const { size: declared, maxBytes } = options;
  if (declared !== undefined && !(Number.isSafeInteger(declared) && declared >= 0)) {
    throw new AppError('bad_request', `invalid declared size ${declared}`);
  }
  if (declared !== undefined && maxBytes !== undefined && declared > maxBytes) {
    throw new AppError('file_too_large', `the file is ${declared} bytes; at most ${maxBytes} are accepted`, { maxBytes });
  }
  const hash = createHash('sha256');
  let count = 0;
  async function* chunks(): AsyncGenerator<Buffer> {
    const source: AsyncIterable<Uint8Array> | Iterable<Uint8Array> = body instanceof Uint8Array ? [body] : body;
    for await (const piece of source) {
      const chunk = Buffer.isBuffer(piece) ? piece : Buffer.from(piece.buffer, piece.byteOffset, piece.byteLength);
      if (chunk.length === 0) continue;
      count += chunk.length;
      if (maxBytes !== undefined && count > maxBytes) {
        throw new AppError('file_too_large', `the file is larger than ${maxBytes} bytes`, { maxBytes });
      }
      if (declared !== undefined && count > declared) {
        throw new AppError('file_too_large', `the file is larger than its declared ${declared} bytes`, { maxBytes: declared });
      }
      hash.update(chunk);
      yield chunk;
    }
    if (declared !== undefined && count !== declared) {
      throw new AppError('file_size_mismatch', `the file ended after ${count} of its declared ${declared} bytes`);
    }
  }
  let digest: string | undefined;
  return {
    chunks: chunks(),
    get size() { return count; },
    sha256: () => (digest ??= hash.digest('hex')),
  };
}
