// Standard Webhooks signing (https://www.standardwebhooks.com/): secrets are `whsec_` + base64 of
// random bytes (the HMAC key is the decoded part); the signature is
// base64(HMAC-SHA256(key, `${msgId}.${timestampSeconds}.${body}`)), sent as
// `webhook-signature: v1,<sig> [v1,<sig> ...]` — one entry per active secret, so a receiver keeps
// verifying while a secret is rotated. `verifyWebhook` is the receiver side (tests, docs, tools).

import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const SECRET_PREFIX = 'whsec_';

export type WebhookHeaders = {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
};

/** A new endpoint secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(bytes = 32): string {
  return SECRET_PREFIX + randomBytes(bytes).toString('base64');
}

/** A new message id (`webhook-id`): generate once per message and keep it across retries. */
export function newWebhookMessageId(): string {
  return 'msg_' + randomBytes(16).toString('base64url');
}

/** The HMAC key of a secret (the base64-decoded part after `whsec_`). Throws on a malformed secret. */
export function webhookSecretKey(secret: string): Buffer {
  const b64 = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  if (b64.length === 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(b64)) throw new Error('malformed webhook secret');
  const key = Buffer.from(b64, 'base64');
  if (key.length === 0) throw new Error('malformed webhook secret');
  return key;
}

function signature(key: Buffer, msgId: string, timestamp: number, body: string | Buffer): string {
  return createHmac('sha256', key).update(`${msgId}.${timestamp}.`).update(body).digest('base64');
}

/**
 * The three Standard Webhooks headers for one delivery attempt. `timestamp` is integer seconds
 * (the time of this attempt); `secrets` are the endpoint's active secrets (new first during a
 * rotation). `body` must be the exact bytes sent.
 */
export function signWebhook(input: {
  msgId: string;
  timestamp: number;
  body: string | Buffer;
  secrets: readonly string[];
}): WebhookHeaders {
  const { msgId, timestamp, body, secrets } = input;
  if (!msgId || /[\s.]/.test(msgId)) throw new Error('webhook msgId must be non-empty, without spaces or dots');
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new Error('webhook timestamp must be integer seconds');
  if (secrets.length === 0) throw new Error('at least one webhook secret is required');
  const entries = secrets.map((s) => `v1,${signature(webhookSecretKey(s), msgId, timestamp, body)}`);
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': entries.join(' '),
  };
}

export type VerifyResult =
  | { ok: true; msgId: string; timestamp: number }
  | { ok: false; reason: 'missing_headers' | 'invalid_timestamp' | 'timestamp_out_of_tolerance' | 'no_matching_signature' };

type HeaderSource =
  | { get(name: string): string | null }
  | Record<string, string | string[] | undefined>;

function header(headers: HeaderSource, name: string): string | undefined {
  if (typeof (headers as { get?: unknown }).get === 'function') {
    return (headers as { get(name: string): string | null }).get(name) ?? undefined;
  }
  const rec = headers as Record<string, string | string[] | undefined>;
  let v = rec[name];
  if (v === undefined) {
    const key = Object.keys(rec).find((k) => k.toLowerCase() === name);
    v = key === undefined ? undefined : rec[key];
  }
  return Array.isArray(v) ? v.join(' ') : v;
}

/**
 * Receiver-side verification. `secret` may be one secret or several (a receiver mid-rotation).
 * `now` is in milliseconds (default Date.now()); the timestamp must be within `toleranceSeconds`
 * either way. Signatures are compared in constant time.
 */
export function verifyWebhook(
  secret: string | readonly string[],
  headers: HeaderSource,
  body: string | Buffer,
  options: { toleranceSeconds?: number; now?: number } = {},
): VerifyResult {
  const { toleranceSeconds = 300, now = Date.now() } = options;
  const msgId = header(headers, 'webhook-id');
  const ts = header(headers, 'webhook-timestamp');
  const sigs = header(headers, 'webhook-signature');
  if (!msgId || !ts || !sigs) return { ok: false, reason: 'missing_headers' };
  if (!/^\d{1,15}$/.test(ts)) return { ok: false, reason: 'invalid_timestamp' };
  const timestamp = Number(ts);
  if (Math.abs(Math.floor(now / 1000) - timestamp) > toleranceSeconds) {
    return { ok: false, reason: 'timestamp_out_of_tolerance' };
  }
  const candidates = sigs
    .split(' ')
    .filter((e) => e.startsWith('v1,'))
    .map((e) => Buffer.from(e.slice(3), 'base64'));
  let matched = false;
  for (const s of typeof secret === 'string' ? [secret] : secret) {
    const expected = Buffer.from(signature(webhookSecretKey(s), msgId, timestamp, body), 'base64');
    for (const c of candidates) {
      // No early exit: every candidate is compared.
      if (c.length === expected.length && timingSafeEqual(c, expected)) matched = true;
    }
  }
  return matched ? { ok: true, msgId, timestamp } : { ok: false, reason: 'no_matching_signature' };
}
