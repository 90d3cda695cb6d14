// One webhook delivery attempt: POST the signed body to the endpoint and classify the outcome.
// SSRF-safe: the URL is checked first (ssrf-guard.ts), and hostnames are resolved by a custom
// `lookup` that refuses unless every resolved address is public — the socket connects to exactly
// the address that was checked (no DNS-rebinding gap). No connection pooling, no redirects
// followed (3xx = `redirect_refused`), the response body is drained up to a cap and discarded,
// never returned. Never throws: the result is what the delivery log records.

import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupAddress, LookupOptions } from 'node:dns';
import { checkTargetUrl, hostAddress, judgeAddresses, systemResolver, type Resolver } from './ssrf-guard.ts';

export type DeliveryErrorCode =
  | 'target_not_allowed'
  | 'redirect_refused'
  | 'timeout'
  | 'gone'
  | 'network_error'
  | `http_${number}`;

export type DeliveryResult = {
  ok: boolean;
  /** HTTP status, when the endpoint answered. */
  status?: number;
  error?: DeliveryErrorCode;
  /** Our own short description (refusal reason or a socket error code); never response content. */
  detail?: string;
  durationMs: number;
};

export type DeliverInput = {
  url: string;
  /** The signed headers (webhook-id/-timestamp/-signature) and any others; content-type defaults to JSON. */
  headers: Record<string, string>;
  body: string | Buffer;
  timeoutMs?: number;
  allowPrivate?: boolean;
  /** Most response bytes read (then discarded) before the connection is dropped. */
  maxResponseBytes?: number;
};

const USER_AGENT = 'molam-analytics-webhooks/1';

/** Marks refusals raised inside the guarded lookup so the request error handler can classify them. */
class TargetRefusedError extends Error {
  readonly code = 'target_not_allowed';
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http(s).request / net.connect: resolves all addresses and refuses (error code
 * `target_not_allowed`) if any of them is not public, unless allowPrivate. `resolve` is
 * injectable for tests.
 */
export function createGuardedLookup(options: { allowPrivate?: boolean; resolve?: Resolver } = {}) {
  const resolve = options.resolve ?? systemResolver;
  return (hostname: string, opts: LookupOptions, callback: LookupCallback): void => {
    resolve(hostname).then(
      (all) => {
        const wanted = opts.family === 4 || opts.family === 6 ? all.filter((a) => a.family === opts.family) : all;
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`no address for ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        const refused = judgeAddresses(wanted.map((a) => a.address), options.allowPrivate ?? false);
        if (refused) return callback(new TargetRefusedError(refused.reason), '');
        if (opts.all) return callback(null, wanted);
        return callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}

function classify(status: number): Pick<DeliveryResult, 'ok' | 'error'> {
  if (status >= 200 && status < 300) return { ok: true };
  if (status >= 300 && status < 400) return { ok: false, error: 'redirect_refused' };
  if (status === 410) return { ok: false, error: 'gone' };
  return { ok: false, error: `http_${status}` };
}

export function deliverWebhook(input: DeliverInput): Promise<DeliveryResult> {
  const { timeoutMs = 10_000, allowPrivate = false, maxResponseBytes = 64 * 1024 } = input;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);

  const check = checkTargetUrl(input.url, { allowPrivate });
  if (!check.ok) {
    return Promise.resolve({ ok: false, error: 'target_not_allowed', detail: check.reason, durationMs: elapsed() });
  }
  const url = check.url;
  const body = typeof input.body === 'string' ? Buffer.from(input.body, 'utf8') : input.body;
  const headers: Record<string, string | number> = { 'content-type': 'application/json', 'user-agent': USER_AGENT };
  for (const [k, v] of Object.entries(input.headers)) headers[k.toLowerCase()] = v;
  headers['content-length'] = body.length;

  const options: RequestOptions = {
    method: 'POST',
    protocol: url.protocol,
    hostname: hostAddress(url),
    port: url.port === '' ? undefined : Number(url.port),
    path: `${url.pathname}${url.search}`,
    headers,
    agent: false, // a fresh connection each time: no pooled socket skips the guarded lookup
    lookup: createGuardedLookup({ allowPrivate }) as RequestOptions['lookup'],
  };

  return new Promise<DeliveryResult>((resolve) => {
    let settled = false;
    let answered: Omit<DeliveryResult, 'durationMs'> | undefined;
    const finish = (r: Omit<DeliveryResult, 'durationMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...r, durationMs: elapsed() });
    };

    let req: ReturnType<typeof httpRequest>;
    try {
      req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(options);
    } catch (err) {
      // e.g. a header value with invalid characters
      resolve({ ok: false, error: 'network_error', detail: (err as NodeJS.ErrnoException).code ?? 'invalid_request', durationMs: elapsed() });
      return;
    }

    const timer = setTimeout(() => {
      // After the status line arrived, a slow body does not turn the answer into a timeout.
      finish(answered ?? { ok: false, error: 'timeout' });
      req.destroy();
    }, timeoutMs);

    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      const result = { status, ...classify(status) };
      answered = result;
      let read = 0;
      res.on('data', (chunk: Buffer) => {
        read += chunk.length; // discarded
        if (read > maxResponseBytes) {
          finish(result);
          res.destroy();
        }
      });
      res.on('end', () => finish(result));
      res.on('close', () => finish(result));
      res.on('error', () => finish(result));
    });

    req.on('error', (err: NodeJS.ErrnoException) => {
      if (answered) return finish(answered);
      if (err instanceof TargetRefusedError) return finish({ ok: false, error: 'target_not_allowed', detail: err.message });
      finish({ ok: false, error: 'network_error', detail: err.code ?? 'error' });
    });

    req.end(body);
  });
}
