// The few S3 requests the file store makes, signed (sigv4.ts) and sent with node:http(s) over a
// keep-alive agent. Bodies are Buffers (a part at most): each request can be sent again, so a
// network failure or a 500/502/503/504 is retried (ATTEMPTS in all, backing off), as AWS asks
// of its clients. Answers come back as the raw response, for streaming; `failure` turns an
// unexpected one into a coded error that names the storage's own error code.
//
// Addressing: virtual-hosted (`bucket.host/key`, what AWS wants) unless forcePathStyle
// (`host/bucket/key`, what most S3-compatible servers want) or the bucket name has a dot (its
// host name would not match the endpoint's TLS certificate; AWS's SDKs fall back the same way).

import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { AppError } from '../../errors.ts';
import { canonicalQuery, encodePath, EMPTY_PAYLOAD_HASH, sha256Hex, signRequest, type Credentials } from './sigv4.ts';

export interface S3Target {
  bucket: string;
  region: string;
  /** `https://host[:port]`; empty = AWS's endpoint of the region. */
  endpoint: string;
  forcePathStyle: boolean;
  credentials: Credentials;
}

export interface S3Request {
  method: 'GET' | 'HEAD' | 'PUT' | 'POST' | 'DELETE';
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: Buffer;
}

export interface S3Response {
  status: number;
  headers: IncomingHttpHeaders;
  /** The body stream: read it, or destroy it, before the connection can serve another request. */
  body: IncomingMessage;
}

export interface S3Client {
  send(request: S3Request): Promise<S3Response>;
  /** An error for an answer the caller did not expect (reads and discards its body). */
  failure(response: S3Response, what: string): Promise<AppError>;
  /** `host` and path of a key, as requests are addressed (for tests and logs). */
  address(key: string): { host: string; path: string };
  close(): void;
}

const ATTEMPTS = 3;
const RETRY_BASE_MS = 100;
/** No byte either way for this long: the request fails (and is retried). */
const IDLE_TIMEOUT_MS = 30_000;
const RETRIED_STATUS = new Set([500, 502, 503, 504]);
/** S3 error codes that mean the credentials or their rights, not the storage. */
const DENIED = /^(AccessDenied|SignatureDoesNotMatch|InvalidAccessKeyId|InvalidToken|ExpiredToken|TokenRefreshRequired|AllAccessDisabled|RequestTimeTooSkewed|AuthorizationHeaderMalformed)$/;

export function s3Client(target: S3Target): S3Client {
  const endpoint = new URL(target.endpoint || `https://s3.${target.region}.amazonaws.com`);
  const secure = endpoint.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 16 });
  const pathStyle = target.forcePathStyle || target.bucket.includes('.');
  const host = pathStyle ? endpoint.host : `${target.bucket}.${endpoint.host}`;
  const hostname = pathStyle ? endpoint.hostname : `${target.bucket}.${endpoint.hostname}`;

  function address(key: string): { host: string; path: string } {
    return { host, path: pathStyle ? `/${target.bucket}/${key}` : `/${key}` };
  }

  function sendOnce(request: S3Request): Promise<S3Response> {
    const { path } = address(request.key);
    const body = request.body;
    const headers = signRequest({
      method: request.method, host, path, query: request.query, headers: request.headers,
      payloadHash: body ? sha256Hex(body) : EMPTY_PAYLOAD_HASH,
    }, target.credentials, target.region, new Date());
    if (body) headers['content-length'] = String(body.length);
    const query = canonicalQuery(request.query);
    return new Promise((resolve, reject) => {
      const req = transport.request({
        protocol: endpoint.protocol, hostname, port: endpoint.port || undefined, agent,
        method: request.method, path: encodePath(path) + (query ? `?${query}` : ''), headers,
      }, (res) => {
        res.setTimeout(IDLE_TIMEOUT_MS, () => res.destroy(new Error(`no data for ${IDLE_TIMEOUT_MS} ms`)));
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: res });
      });
      req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no answer for ${IDLE_TIMEOUT_MS} ms`)));
      req.once('error', (err) => reject(err));
      req.end(body);
    });
  }

  async function send(request: S3Request): Promise<S3Response> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (attempt > 1) await new Promise((r) => setTimeout(r, RETRY_BASE_MS * 2 ** (attempt - 2) * (0.5 + Math.random())));
      let response: S3Response;
      try {
        response = await sendOnce(request);
      } catch (err) {
        lastError = err;
        continue;
      }
      if (!RETRIED_STATUS.has(response.status) || attempt === ATTEMPTS) return response;
      response.body.resume(); // drained, so the connection can serve the next attempt
    }
    const e = lastError as NodeJS.ErrnoException;
    throw new AppError('file_store_unavailable',
      `file store (S3 ${host}): ${request.method} failed after ${ATTEMPTS} attempts: ${[e.code, e.message].filter(Boolean).join(' ')}`,
      { cause: e.code });
  }

  async function failure(response: S3Response, what: string): Promise<AppError> {
    const text = await readText(response.body, 64 * 1024).catch(() => '');
    const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1] ?? '';
    const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? '';
    const detail = `file store (S3 ${host}, bucket ${target.bucket}): ${what} answered ${response.status}${code ? ` ${code}` : ''}${message ? `: ${message}` : ''}`;
    const details = { status: response.status, s3Code: code || undefined };
    // A HEAD answer has no body: its 403 is all there is to go on.
    return DENIED.test(code) || (response.status === 403 && !code)
      ? new AppError('file_store_denied', detail, details)
      : new AppError('file_store_unavailable', detail, details);
  }

  return { send, failure, address, close: () => agent.destroy() };
}

/** A response body as text, at most `limit` bytes of it (the rest discarded). */
export async function readText(body: IncomingMessage, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < limit) chunks.push(chunk as Buffer);
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}
