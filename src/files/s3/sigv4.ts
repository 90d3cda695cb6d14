// AWS Signature Version 4 for S3 requests (Authorization header form), on node:crypto.
//
// Why our own signer rather than @aws-sdk/client-s3: the file store needs six calls (PUT, GET,
// HEAD, DELETE, and multipart's create/part/complete/abort), and the SDK brings ~100 packages
// (the AWS packages are not even served at one version here), its own retry, credential chain
// and streaming layers to learn and pin. SigV4 is one page of specification; this file is it,
// checked against AWS's published example (test/files/sigv4.test.ts) and, end to end, by the
// test server (S3Proxy), which verifies every signature: a signing bug fails the tests with
// SignatureDoesNotMatch. (`aws4` would have saved these lines but not the request code around
// them, and it signs through Node's request options, which we build ourselves anyway.)
//
// S3's rules differ from the generic ones in two places: the path is encoded once, not twice,
// and the payload hash is sent as x-amz-content-sha256 (the hex SHA-256 of the body, or
// UNSIGNED-PAYLOAD for a body streamed without a hash).

import { createHash, createHmac } from 'node:crypto';

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export interface RequestToSign {
  method: string;
  /** Host header value (with the port when not the scheme's default). */
  host: string;
  /** The URI path, not yet encoded: `/bucket/key` or `/key`. */
  path: string;
  query?: Record<string, string>;
  /** Headers to send and sign (any case); host, x-amz-date and x-amz-content-sha256 are added. */
  headers?: Record<string, string>;
  /** Hex SHA-256 of the body, or 'UNSIGNED-PAYLOAD'. */
  payloadHash: string;
}

export const EMPTY_PAYLOAD_HASH = createHash('sha256').update('').digest('hex');

/** RFC 3986 encoding as SigV4 wants it: everything but A-Z a-z 0-9 - . _ ~ is %XX (uppercase). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path as sent and as signed: each segment encoded, slashes kept. */
export function encodePath(path: string): string {
  return path.split('/').map(uriEncode).join('/');
}

export function canonicalQuery(query: Record<string, string> = {}): string {
  return Object.entries(query)
    .map(([k, v]) => [uriEncode(k), uriEncode(v)])
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** `20130524T000000Z` */
export function amzDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/**
 * The headers to send: the request's own, plus host, x-amz-date, x-amz-content-sha256 and
 * Authorization. Every header given is signed.
 */
export function signRequest(request: RequestToSign, credentials: Credentials, region: string, now: Date, service = 's3'): Record<string, string> {
  const date = amzDate(now);
  const day = date.slice(0, 8);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) headers[name.toLowerCase()] = value;
  headers.host = request.host;
  headers['x-amz-date'] = date;
  headers['x-amz-content-sha256'] = request.payloadHash;

  const names = Object.keys(headers).sort();
  const canonicalHeaders = names.map((n) => `${n}:${headers[n].trim().replace(/\s+/g, ' ')}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method.toUpperCase(),
    encodePath(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders,
    request.payloadHash,
  ].join('\n');
  const scope = `${day}/${region}/${service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', date, scope, sha256Hex(canonicalRequest)].join('\n');
  const signature = hmac(signingKey(credentials.secretAccessKey, day, region, service), stringToSign).toString('hex');
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}

function signingKey(secret: string, day: string, region: string, service: string): Buffer {
  const kDate = hmac(`AWS4${secret}`, day);
  const kRegion = hmac(kDate, region);
  const kService = hmac(kRegion, service);
  return hmac(kService, 'aws4_request');
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
