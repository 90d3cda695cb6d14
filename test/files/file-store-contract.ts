// The file-store contract (src/files/file-store.ts), as one suite that each backend's test file
// runs against a real store: disk-file-store.test.ts on a temp directory, s3-file-store.test.ts
// on the S3-compatible test server. Whatever one backend passes, the other must.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FileStore } from '../../src/files/file-store.ts';
import { AppError } from '../../src/errors.ts';

export interface ContractSubject {
  /** A fresh, empty store. */
  open(): Promise<FileStore>;
  /** Files the storage holds besides the stored objects (temp files, unfinished uploads): none after any put. */
  leftovers(store: FileStore): string[];
}

export const LARGE_FILE_BYTES = 160 * 1024 * 1024;
/** Most the process's buffers may grow while a large file goes in and out (it is over 2.5 times this). */
export const LARGE_FILE_MEMORY_BOUND = 64 * 1024 * 1024;

export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of body) chunks.push(Buffer.from(c));
  return Buffer.concat(chunks);
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export async function rejectsWith(promise: Promise<unknown>, code: string, message?: RegExp): Promise<AppError> {
  const err = await promise.then(() => null, (e: unknown) => e);
  assert.ok(err instanceof AppError, `expected AppError ${code}, got ${err === null ? 'success' : String(err)}`);
  assert.equal(err.code, code, err.message);
  if (message) assert.match(err.message, message);
  return err;
}

/** `total` bytes of deterministic noise, 64 KiB at a time, made as they are read. */
export async function* noise(total: number, seed = 1): AsyncGenerator<Buffer> {
  let state = seed >>> 0 || 1;
  for (let done = 0; done < total;) {
    const chunk = Buffer.allocUnsafe(Math.min(64 * 1024, total - done));
    for (let i = 0; i + 4 <= chunk.length; i += 4) {
      state ^= state << 13; state >>>= 0;
      state ^= state >>> 17;
      state ^= state << 5; state >>>= 0;
      chunk.writeUInt32LE(state, i);
    }
    chunk.fill(7, chunk.length - (chunk.length % 4));
    done += chunk.length;
    yield chunk;
  }
}

/** A body that yields `good` bytes and then fails, as a client that disconnects mid-upload. */
async function* failingAfter(good: number): AsyncGenerator<Buffer> {
  for await (const chunk of noise(good, 9)) yield chunk;
  throw new Error('client went away');
}

export function fileStoreContract(name: string, subject: ContractSubject): void {
  const withStore = (title: string, body: (store: FileStore) => Promise<void>) => test(`${name}: ${title}`, async () => {
    const store = await subject.open();
    try {
      await body(store);
      assert.deepEqual(subject.leftovers(store), [], 'no temp file or unfinished upload is left behind');
    } finally {
      await store.close();
    }
  });

  withStore('put, stat, open and remove a file; missing keys are null, removing one is no error', async (store) => {
    const bytes = Buffer.from('%PDF-1.7\nreceipt\n%%EOF\n');
    const before = Date.now();
    const put = await store.put('disputes/dsp_1/ev_1.pdf', bytes, { contentType: 'application/pdf', size: bytes.length });
    assert.deepEqual(put, { key: 'disputes/dsp_1/ev_1.pdf', size: bytes.length, sha256: sha256(bytes) });

    const info = await store.stat('disputes/dsp_1/ev_1.pdf');
    assert.ok(info);
    assert.equal(info.size, bytes.length);
    assert.equal(info.contentType, 'application/pdf');
    assert.ok(Math.abs(info.modifiedAt.getTime() - before) < 5 * 60_000, `modifiedAt ${info.modifiedAt.toISOString()} is now`);

    const opened = await store.open('disputes/dsp_1/ev_1.pdf');
    assert.ok(opened);
    assert.equal(opened.contentType, 'application/pdf');
    assert.equal(opened.size, bytes.length);
    assert.deepEqual(await readAll(opened.body), bytes);

    assert.equal(await store.stat('disputes/dsp_1/ev_2.pdf'), null);
    assert.equal(await store.open('disputes/dsp_1/ev_2.pdf'), null);
    assert.equal(await store.open('disputes'), null, 'a prefix of a key is no file');
    await store.remove('disputes/dsp_1/ev_2.pdf');

    await store.remove('disputes/dsp_1/ev_1.pdf');
    assert.equal(await store.stat('disputes/dsp_1/ev_1.pdf'), null);
    assert.equal(await store.open('disputes/dsp_1/ev_1.pdf'), null);
    await store.remove('disputes/dsp_1/ev_1.pdf');
  });

  withStore('bodies as a Readable, an async iterable, and empty', async (store) => {
    const text = Buffer.from('a'.repeat(100_000));
    await store.put('x/text', Readable.from([text.subarray(0, 10), text.subarray(10)]), { contentType: 'text/plain' });
    await store.put('x/y', (async function* () { yield new Uint8Array([1, 2, 3]); })(), { contentType: 'image/png' });
    await store.put('x/empty', Buffer.alloc(0), { contentType: 'application/octet-stream', size: 0 });
    assert.deepEqual(await readAll((await store.open('x/text'))!.body), text);
    assert.deepEqual(await readAll((await store.open('x/y'))!.body), Buffer.from([1, 2, 3]));
    const empty = await store.open('x/empty');
    assert.equal(empty?.size, 0);
    assert.deepEqual(await readAll(empty!.body), Buffer.alloc(0));
  });

  withStore('a put over a key replaces the file whole: bytes, size and type', async (store) => {
    await store.put('k.bin', Buffer.from('first version, longer'), { contentType: 'application/pdf' });
    await store.put('k.bin', Buffer.from('second'), { contentType: 'image/jpeg' });
    const opened = await store.open('k.bin');
    assert.equal(opened?.contentType, 'image/jpeg');
    assert.equal(opened?.size, 6);
    assert.equal((await readAll(opened!.body)).toString(), 'second');
  });

  withStore('concurrent puts to one key: the file is one of them, whole', async (store) => {
    const versions = Array.from({ length: 6 }, (_, i) => randomBytes(200_000 + i * 1000));
    await Promise.all(versions.map((v) => store.put('race.bin', Readable.from(chunked(v, 16_384)), { contentType: 'application/octet-stream' })));
    const stored = await readAll((await store.open('race.bin'))!.body);
    assert.ok(versions.some((v) => v.equals(stored)), 'the stored bytes are exactly one version');
  });

  withStore('keys are checked: traversal, absolute paths, hidden names and foreign characters are refused by every operation', async (store) => {
    const bad = [
      '', '../escape', 'a/../../escape', '..', '.', './a', 'a/./b', '/etc/passwd', 'a//b', 'a/', '/', '.hidden', 'a/.tmp/x',
      'A.pdf', 'a\\b', '..\\..\\x', 'a\u0000b', 'a b', 'a%2e%2e', 'é.pdf', 'a\nb', 'x'.repeat(513), 'a/'.repeat(16) + 'b',
    ];
    for (const key of bad) {
      await rejectsWith(store.put(key, Buffer.from('x'), { contentType: 'text/plain' }), 'invalid_file_key');
      await rejectsWith(store.open(key), 'invalid_file_key');
      await rejectsWith(store.stat(key), 'invalid_file_key');
      await rejectsWith(store.remove(key), 'invalid_file_key');
    }
    for (const good of ['a', 'a.b', 'disputes/dsp_01/ev-2.tar.gz', '0/1/2/3', 'x'.repeat(128)]) {
      await store.put(good, Buffer.from(good), { contentType: 'text/plain' });
      assert.equal((await readAll((await store.open(good))!.body)).toString(), good);
    }
    await rejectsWith(store.put('ok', Buffer.from('x'), { contentType: 'text/html\r\nX-Injected: 1' }), 'bad_request');
  });

  withStore('size rules: past maxBytes, past or short of the declared size, nothing is stored and the previous file stays', async (store) => {
    await store.put('doc', Buffer.from('previous'), { contentType: 'text/plain' });
    const big = randomBytes(300_000);
    const tooLarge = await rejectsWith(store.put('doc', Readable.from(chunked(big, 65_536)), { contentType: 'text/plain', maxBytes: 200_000 }), 'file_too_large');
    assert.equal(tooLarge.details?.maxBytes, 200_000);
    await rejectsWith(store.put('doc', big, { contentType: 'text/plain', size: 1_000_000, maxBytes: 200_000 }), 'file_too_large', /at most 200000/);
    await rejectsWith(store.put('doc', Readable.from(chunked(big, 65_536)), { contentType: 'text/plain', size: 100_000 }), 'file_too_large');
    await rejectsWith(store.put('doc', Readable.from(chunked(big, 65_536)), { contentType: 'text/plain', size: 400_000 }), 'file_size_mismatch', /after 300000 of its declared 400000/);
    await rejectsWith(store.put('new', big, { contentType: 'text/plain', maxBytes: 1000 }), 'file_too_large');
    assert.equal((await readAll((await store.open('doc'))!.body)).toString(), 'previous');
    assert.equal(await store.stat('new'), null);
    const exact = await store.put('doc', big, { contentType: 'text/plain', size: big.length, maxBytes: big.length });
    assert.equal(exact.size, big.length);
  });

  withStore('a body that fails half-way stores nothing and keeps the previous file', async (store) => {
    await store.put('cut.bin', Buffer.from('previous'), { contentType: 'application/octet-stream' });
    await assert.rejects(store.put('cut.bin', failingAfter(12 * 1024 * 1024), { contentType: 'application/octet-stream' }), /client went away/);
    await assert.rejects(store.put('cut-new.bin', failingAfter(100_000), { contentType: 'application/octet-stream' }), /client went away/);
    assert.equal((await readAll((await store.open('cut.bin'))!.body)).toString(), 'previous');
    assert.equal(await store.stat('cut-new.bin'), null);
  });

  withStore(`a large file (${LARGE_FILE_BYTES / 2 ** 20} MiB) goes in and out streamed, in bounded memory`, async (store) => {
    const baseline = process.memoryUsage();
    let peak = 0;
    const sample = () => { peak = Math.max(peak, process.memoryUsage().arrayBuffers - baseline.arrayBuffers); };
    const source = (async function* () { for await (const chunk of noise(LARGE_FILE_BYTES, 42)) { sample(); yield chunk; } })();
    const put = await store.put('large/file.bin', source, { contentType: 'application/octet-stream', size: LARGE_FILE_BYTES });
    assert.equal(put.size, LARGE_FILE_BYTES);
    const expected = createHash('sha256');
    for await (const chunk of noise(LARGE_FILE_BYTES, 42)) expected.update(chunk);
    assert.equal(put.sha256, expected.digest('hex'));

    const opened = await store.open('large/file.bin');
    assert.equal(opened?.size, LARGE_FILE_BYTES);
    const hash = createHash('sha256');
    let read = 0;
    for await (const chunk of opened!.body) { hash.update(chunk as Buffer); read += (chunk as Buffer).length; sample(); }
    assert.equal(read, LARGE_FILE_BYTES);
    assert.equal(hash.digest('hex'), put.sha256);
    assert.ok(peak < LARGE_FILE_MEMORY_BOUND, `buffers grew by ${(peak / 2 ** 20).toFixed(1)} MiB (bound ${LARGE_FILE_MEMORY_BOUND / 2 ** 20} MiB)`);
  });
}

function* chunked(data: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}
