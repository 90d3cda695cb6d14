// The SigV4 signer against the worked examples of AWS's S3 documentation ("Signature
// Calculations for the Authorization Header: Transferring Payload in a Single Chunk"): the same
// request, keys and instant give the signature printed there. End to end, the S3 test server
// checks every signature of the contract suite too (s3-file-store.test.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalQuery, EMPTY_PAYLOAD_HASH, encodePath, sha256Hex, signRequest } from '../../src/files/s3/sigv4.ts';

const credentials = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' };
const now = new Date('2013-05-24T00:00:00Z');
const host = 'examplebucket.s3.amazonaws.com';

function signatureOf(headers: Record<string, string>): string {
  return /Signature=([0-9a-f]{64})$/.exec(headers.authorization)![1];
}

test('GET Object with a Range header', () => {
  const headers = signRequest({ method: 'GET', host, path: '/test.txt', headers: { Range: 'bytes=0-9' }, payloadHash: EMPTY_PAYLOAD_HASH }, credentials, 'us-east-1', now);
  assert.equal(headers.authorization,
    'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, '
    + 'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, '
    + 'Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41');
  assert.equal(headers['x-amz-date'], '20130524T000000Z');
});

test('PUT Object: a key with a character to encode, a signed payload and extra headers', () => {
  const body = 'Welcome to Amazon S3.';
  const headers = signRequest({
    method: 'PUT', host, path: '/test$file.text',
    headers: { Date: 'Fri, 24 May 2013 00:00:00 GMT', 'x-amz-storage-class': 'REDUCED_REDUNDANCY' },
    payloadHash: sha256Hex(body),
  }, credentials, 'us-east-1', now);
  assert.equal(headers['x-amz-content-sha256'], '44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
  assert.match(headers.authorization, /SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,/);
  assert.equal(signatureOf(headers), '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd');
});

test('GET Bucket lifecycle: a query parameter with no value', () => {
  const headers = signRequest({ method: 'GET', host, path: '/', query: { lifecycle: '' }, payloadHash: EMPTY_PAYLOAD_HASH }, credentials, 'us-east-1', now);
  assert.equal(signatureOf(headers), 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543');
});

test('GET Bucket (list objects): parameters sorted by name', () => {
  const headers = signRequest({ method: 'GET', host, path: '/', query: { prefix: 'J', 'max-keys': '2' }, payloadHash: EMPTY_PAYLOAD_HASH }, credentials, 'us-east-1', now);
  assert.equal(signatureOf(headers), '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7');
});

test('encoding: path segments once, slashes kept; query keys and values strictly', () => {
  assert.equal(encodePath('/bucket/a b/c$d~e(f)*!'), '/bucket/a%20b/c%24d~e%28f%29%2A%21');
  assert.equal(canonicalQuery({ uploadId: 'a/b+c=', partNumber: '2' }), 'partNumber=2&uploadId=a%2Fb%2Bc%3D');
});
