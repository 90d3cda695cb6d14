// The file store on local disk: the contract suite on a temp directory, then what is the disk
// backend's own — files named by the hash of their key (no key reaches a path), atomic writes
// through .tmp, damaged files and planted symbolic links refused, stale temp files swept.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDiskFileStore, HEADER_BYTES } from '../../src/files/disk-file-store.ts';
import { fileStoreContract, readAll, rejectsWith } from './file-store-contract.ts';

const dirs: string[] = [];
after(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
function tempRoot(): string {
  const dir = mkdtempSync(join(tmpdir(), 'molam-files-'));
  dirs.push(dir);
  return join(dir, 'files');
}
const roots = new WeakMap<object, string>();

fileStoreContract('disk', {
  async open() {
    const root = tempRoot();
    const store = await openDiskFileStore(root);
    roots.set(store, root);
    return store;
  },
  leftovers: (store) => readdirSync(join(roots.get(store)!, '.tmp')),
});

function pathOf(root: string, key: string): string {
  const digest = createHash('sha256').update(key).digest('hex');
  return join(root, digest.slice(0, 2), digest);
}

test('disk: a file lies at the hash of its key, a header then its bytes, private to the server', async () => {
  const root = tempRoot();
  const store = await openDiskFileStore(root);
  await store.put('disputes/d1/e1.png', Buffer.from('PNGBYTES'), { contentType: 'image/png' });
  const path = pathOf(root, 'disputes/d1/e1.png');
  const raw = readFileSync(path);
  assert.equal(raw.length, HEADER_BYTES + 8);
  assert.match(raw.subarray(0, HEADER_BYTES).toString(), /^molam-file 1\n\{"key":"disputes\/d1\/e1.png","contentType":"image\/png","size":8,"sha256":"[0-9a-f]{64}"\}\n +$/);
  assert.equal(raw.subarray(HEADER_BYTES).toString(), 'PNGBYTES');
  assert.deepEqual(readdirSync(root).sort(), ['.tmp', path.split('/').at(-2)!].sort(), 'nothing named after the key');
  const { statSync } = await import('node:fs');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  await store.close();
});

test('disk: a damaged file (cut short, or another key\'s) is an error, never wrong bytes; a planted symbolic link is not followed', async () => {
  const root = tempRoot();
  const store = await openDiskFileStore(root);
  await store.put('a', Buffer.from('0123456789'), { contentType: 'text/plain' });
  await store.put('b', Buffer.from('bbbb'), { contentType: 'text/plain' });
  truncateSync(pathOf(root, 'a'), HEADER_BYTES + 5);
  await rejectsWith(store.open('a'), 'file_store_unavailable', /damaged/);
  await rejectsWith(store.stat('a'), 'file_store_unavailable', /damaged/);
  writeFileSync(pathOf(root, 'a'), readFileSync(pathOf(root, 'b')));
  await rejectsWith(store.open('a'), 'file_store_unavailable', /damaged/);

  const outside = join(root, '..', 'secret.txt');
  writeFileSync(outside, 'secret');
  rmSync(pathOf(root, 'b'));
  symlinkSync(outside, pathOf(root, 'b'));
  await rejectsWith(store.open('b'), 'file_store_unavailable', /ELOOP/);
  await store.close();
});

test('disk: temp files a crash left are swept when a store opens, once they are a day old', async () => {
  const root = tempRoot();
  await (await openDiskFileStore(root)).close();
  const stale = join(root, '.tmp', 'stale');
  const fresh = join(root, '.tmp', 'fresh');
  writeFileSync(stale, 'x');
  writeFileSync(fresh, 'x');
  const twoDaysAgo = new Date(Date.now() - 48 * 3600_000);
  utimesSync(stale, twoDaysAgo, twoDaysAgo);
  const store = await openDiskFileStore(root);
  assert.equal(existsSync(stale), false);
  assert.equal(existsSync(fresh), true, 'a put under way in another process keeps its temp file');
  await store.close();
});

test('disk: an open stream keeps reading the version it opened while a put replaces the file', async () => {
  const root = tempRoot();
  const store = await openDiskFileStore(root);
  const first = Buffer.alloc(1024 * 1024, 1);
  await store.put('v', first, { contentType: 'application/octet-stream' });
  const opened = await store.open('v');
  await store.put('v', Buffer.alloc(10, 2), { contentType: 'application/octet-stream' });
  assert.deepEqual(await readAll(opened!.body), first);
  assert.equal((await store.stat('v'))?.size, 10);
  await store.close();
});
