// The file store on S3-compatible storage: the contract suite against a real S3 server of this
// file's own (S3Proxy, test/support/s3-server.ts), which checks every request's SigV4 signature
// and payload hash; then what is the S3 backend's own — refused credentials, an unreachable or
// missing storage, addressing styles, the parts of a multipart upload, and openFileStore's choice.
// Parts are 5 MiB here (S3's smallest), so the large file of the contract goes as 32 parts and
// the cut body of the contract fails in the middle of a multipart upload (which must be aborted).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { loadConfig, ConfigError } from '../../src/config.ts';
import type { FileStore } from '../../src/files/file-store.ts';
import { openFileStore } from '../../src/files/open-file-store.ts';
import { s3Client } from '../../src/files/s3/s3-client.ts';
import { MIN_PART_SIZE, openS3FileStore, partsOf } from '../../src/files/s3/s3-file-store.ts';
import { startS3Server, type S3Server } from '../support/s3-server.ts';
import { fileStoreContract, readAll, rejectsWith } from './file-store-contract.ts';

let server: S3Server;
before(async () => { server = await startS3Server(); });
after(async () => { await server?.stop(); });

const buckets = new WeakMap<FileStore, string>();
function storeOn(bucket: string, secretAccessKey = server.secretAccessKey, accessKeyId = server.accessKeyId): FileStore {
  const store = openS3FileStore({
    bucket, region: server.region, endpoint: server.endpoint, forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey }, partSize: MIN_PART_SIZE,
  });
  buckets.set(store, bucket);
  return store;
}

fileStoreContract('s3', {
  open: async () => storeOn(server.createBucket()),
  // S3Proxy keeps an unfinished multipart upload as `.mpus-<upload id>-…` files and a stub named by the upload id.
  leftovers: (store) => readdirSync(server.bucketDir(buckets.get(store)!), { recursive: true }).map(String)
    .filter((f) => /^\.mpus-|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(basename(f))),
});

test('the test server checks signatures: an unsigned request is refused, and so is one signed with another secret', async () => {
  const bucket = server.createBucket();
  const unsigned = await new Promise<number>((resolve, reject) => {
    const req = request(`${server.endpoint}/${bucket}/x`, { method: 'PUT' }, (res) => { res.resume(); resolve(res.statusCode!); });
    req.once('error', reject);
    req.end('x');
  });
  assert.equal(unsigned, 403);
  const forged = s3Client({ bucket, region: server.region, endpoint: server.endpoint, forcePathStyle: true, credentials: { accessKeyId: server.accessKeyId, secretAccessKey: 'not-the-secret' } });
  const response = await forged.send({ method: 'PUT', key: 'x', body: Buffer.from('x') });
  assert.equal(response.status, 403);
  assert.match((await readAll(response.body)).toString(), /<Code>SignatureDoesNotMatch<\/Code>/);
  forged.close();
});

test('s3: wrong credentials are refused with file_store_denied by every operation, naming the storage\'s reason; nothing is written', async () => {
  const bucket = server.createBucket();
  const good = storeOn(bucket);
  await good.put('kept', Buffer.from('kept'), { contentType: 'text/plain' });
  for (const store of [storeOn(bucket, 'wrong-secret'), storeOn(bucket, server.secretAccessKey, 'unknown-key')]) {
    const denied = await rejectsWith(store.put('new', Buffer.from('x'), { contentType: 'text/plain' }), 'file_store_denied', /PUT new answered 403 (SignatureDoesNotMatch|InvalidAccessKeyId)/);
    assert.equal(denied.status, 503, 'a client of the server sees a storage failure, not its own');
    await rejectsWith(store.put('big', Buffer.alloc(MIN_PART_SIZE + 1), { contentType: 'text/plain' }), 'file_store_denied', /create upload of big answered 403/);
    await rejectsWith(store.open('kept'), 'file_store_denied', /GET kept answered 403/);
    await rejectsWith(store.stat('kept'), 'file_store_denied', /HEAD kept answered 403/);
    await rejectsWith(store.remove('kept'), 'file_store_denied', /DELETE kept answered 403/);
    await store.close();
  }
  assert.equal((await readAll((await good.open('kept'))!.body)).toString(), 'kept');
  assert.equal(await good.stat('new'), null);
  await good.close();
});

test('s3: a storage that does not answer, or a bucket that does not exist, is file_store_unavailable', async () => {
  const closedPort = await new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const port = (probe.address() as { port: number }).port;
      probe.close(() => resolve(port));
    });
  });
  const nowhere = openS3FileStore({
    bucket: 'files', region: 'us-east-1', endpoint: `http://127.0.0.1:${closedPort}`, forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
  });
  await rejectsWith(nowhere.put('a', Buffer.from('x'), { contentType: 'text/plain' }), 'file_store_unavailable', /failed after 3 attempts: ECONNREFUSED/);
  await rejectsWith(nowhere.open('a'), 'file_store_unavailable', /ECONNREFUSED/);
  await nowhere.close();

  const missing = storeOn('no-such-bucket');
  await rejectsWith(missing.put('a', Buffer.from('x'), { contentType: 'text/plain' }), 'file_store_unavailable', /NoSuchBucket/);
  await rejectsWith(missing.open('a'), 'file_store_unavailable', /bucket no-such-bucket does not exist/);
  await missing.close();
});

test('s3: addressing — virtual-hosted for AWS, path-style when forced or when the bucket name has a dot', () => {
  const credentials = { accessKeyId: 'a', secretAccessKey: 'b' };
  const aws = s3Client({ bucket: 'molam-merchant-uploads', region: 'eu-west-1', endpoint: '', forcePathStyle: false, credentials });
  assert.deepEqual(aws.address('disputes/d1/e1.pdf'), { host: 'molam-merchant-uploads.s3.eu-west-1.amazonaws.com', path: '/disputes/d1/e1.pdf' });
  const forced = s3Client({ bucket: 'uploads', region: 'eu-west-1', endpoint: 'http://127.0.0.1:9000', forcePathStyle: true, credentials });
  assert.deepEqual(forced.address('k'), { host: '127.0.0.1:9000', path: '/uploads/k' });
  const dotted = s3Client({ bucket: 'uploads.molam.io', region: 'eu-west-1', endpoint: '', forcePathStyle: false, credentials });
  assert.deepEqual(dotted.address('k'), { host: 's3.eu-west-1.amazonaws.com', path: '/uploads.molam.io/k' });
  for (const c of [aws, forced, dotted]) c.close();
});

test('s3: a body is cut into parts of exactly the part size, the last one marked, never an empty part', async () => {
  const size = 10;
  const cut = async (lengths: number[]) => {
    const out: string[] = [];
    async function* chunks() { for (const n of lengths) yield Buffer.alloc(n, 1); }
    for await (const p of partsOf(chunks(), size)) out.push(`${p.data.length}${p.last ? '!' : ''}`);
    return out;
  };
  assert.deepEqual(await cut([]), []);
  assert.deepEqual(await cut([3]), ['3!']);
  assert.deepEqual(await cut([10]), ['10!']);
  assert.deepEqual(await cut([4, 6]), ['10!']);
  assert.deepEqual(await cut([11]), ['10', '1!']);
  assert.deepEqual(await cut([7, 7, 6]), ['10', '10!']);
  assert.deepEqual(await cut([25, 1]), ['10', '10', '6!']);
});

test('openFileStore: local disk by default, S3 when S3_BUCKET is set (with the credentials it then requires)', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'molam-files-'));
  try {
    const disk = await openFileStore(loadConfig({ DATA_DIR: dataDir }));
    assert.equal(disk.kind, 'disk');
    await disk.put('a', Buffer.from('on disk'), { contentType: 'text/plain' });
    assert.ok(readdirSync(join(dataDir, 'files')).includes('.tmp'), 'under DATA_DIR/files');
    await disk.close();

    const bucket = server.createBucket();
    const env = {
      DATA_DIR: dataDir, S3_BUCKET: bucket, S3_REGION: server.region, S3_ENDPOINT: server.endpoint, S3_FORCE_PATH_STYLE: 'true',
      AWS_ACCESS_KEY_ID: server.accessKeyId, AWS_SECRET_ACCESS_KEY: server.secretAccessKey,
    };
    const s3 = await openFileStore(loadConfig(env));
    assert.equal(s3.kind, 's3');
    await s3.put('a', Buffer.from('on s3'), { contentType: 'text/plain' });
    assert.equal((await readAll((await s3.open('a'))!.body)).toString(), 'on s3');
    assert.deepEqual(readdirSync(server.bucketDir(bucket)), ['a']);
    await s3.close();

    await assert.rejects(openFileStore(loadConfig({ ...env, AWS_SECRET_ACCESS_KEY: '' })), (e: unknown) => e instanceof ConfigError && /AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are required/.test(e.message));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('settings: S3_BUCKET, S3_ENDPOINT and S3_REGION are checked when the configuration loads', () => {
  const problem = (env: Record<string, string>) => { try { loadConfig(env); return null; } catch (e) { return (e as Error).message; } };
  assert.equal(problem({ S3_BUCKET: 'molam-merchant-uploads', S3_REGION: 'eu-west-1', S3_ENDPOINT: 'https://s3.example.net:9000' }), null);
  for (const bucket of ['ab', 'Upper', 'has_underscore', '-dash', 'a..b', '192.168.1.1', 'x'.repeat(64)]) {
    assert.match(problem({ S3_BUCKET: bucket }) ?? '', /S3_BUCKET=.*an S3 bucket name/, bucket);
  }
  for (const endpoint of ['s3.example.net', 'ftp://s3.example.net', 'https://s3.example.net/prefix', 'https://u:p@s3.example.net', 'https://s3.example.net/?x=1']) {
    assert.match(problem({ S3_ENDPOINT: endpoint }) ?? '', /S3_ENDPOINT=/, endpoint);
  }
  assert.match(problem({ S3_REGION: 'EU West' }) ?? '', /S3_REGION=/);
  const defaults = loadConfig({});
  assert.equal(defaults.S3_BUCKET, '');
  assert.equal(defaults.S3_REGION, 'us-east-1');
  assert.equal(defaults.S3_FORCE_PATH_STYLE, false);
});
