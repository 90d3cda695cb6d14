// Webhook notifications (issue 5): Standard Webhooks signatures checked by an independent HMAC
// written here from the documented format, the SSRF guard (literal addresses, schemes,
// credentials, hostnames refused at connect time, redirects never followed), delivery to loopback
// receivers (exactly one signed POST, 410, timeout, body never echoed), and the retry schedule.
// No test touches the internet: every connection goes to a loopback server.

import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { newWebhookSecret, newWebhookMessageId, signWebhook, verifyWebhook } from '../../src/alerts/webhooks/webhook-signature.ts';
import { checkTargetUrl, isPublicAddress } from '../../src/alerts/webhooks/ssrf-guard.ts';
import { createGuardedLookup, deliverWebhook } from '../../src/alerts/webhooks/deliver-webhook.ts';
import {
  nextAttemptAt,
  RETRY_BASE_MS,
  RETRY_MAX_STEP_MS,
  RETRY_MIN_DELAY_MS,
  RETRY_WINDOW_MS,
} from '../../src/alerts/webhooks/retry-schedule.ts';

// --- independent receiver-side check, from the Standard Webhooks spec, not from our module ---
function independentVerify(secret: string, headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const id = headers['webhook-id'];
  const ts = headers['webhook-timestamp'];
  const sig = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') return false;
  assert.match(secret, /^whsec_/);
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest();
  return sig.split(' ').some((entry) => {
    const [version, b64] = entry.split(',');
    const got = Buffer.from(b64 ?? '', 'base64');
    return version === 'v1' && got.length === expected.length && timingSafeEqual(got, expected);
  });
}

const nowS = () => Math.floor(Date.now() / 1000);

describe('signing', () => {
  const body = JSON.stringify({ type: 'alert.triggered', data: { rule: 'auth_rate_drop', value: 0.81 } });

  test('secrets are whsec_ + base64 of 32 random bytes', () => {
    const s = newWebhookSecret();
    assert.match(s, /^whsec_[A-Za-z0-9+/]+=*$/);
    assert.equal(Buffer.from(s.slice(6), 'base64').length, 32);
    assert.notEqual(newWebhookSecret(), s);
    assert.notEqual(newWebhookMessageId(), newWebhookMessageId());
  });

  test('headers verify with an independent HMAC implementation', () => {
    const secret = newWebhookSecret();
    const ts = nowS();
    const h = signWebhook({ msgId: 'msg_abc123', timestamp: ts, body, secrets: [secret] });
    assert.equal(h['webhook-id'], 'msg_abc123');
    assert.equal(h['webhook-timestamp'], String(ts));
    assert.match(h['webhook-signature'], /^v1,[A-Za-z0-9+/]+=*$/);
    assert.ok(independentVerify(secret, h, body));
    assert.equal(independentVerify(newWebhookSecret(), h, body), false);
    assert.deepEqual(verifyWebhook(secret, h, body), { ok: true, msgId: 'msg_abc123', timestamp: ts });
  });

  test('a known vector: fixed key, id, timestamp and body', () => {
    const secret = 'whsec_' + Buffer.from('0123456789abcdef0123456789abcdef').toString('base64');
    const h = signWebhook({ msgId: 'msg_1', timestamp: 1700000000, body: '{"a":1}', secrets: [secret] });
    const expected = createHmac('sha256', Buffer.from('0123456789abcdef0123456789abcdef'))
      .update('msg_1.1700000000.{"a":1}')
      .digest('base64');
    assert.equal(h['webhook-signature'], `v1,${expected}`);
  });

  test('rotation: two v1 entries, either secret verifies', () => {
    const oldSecret = newWebhookSecret();
    const newSecret = newWebhookSecret();
    const h = signWebhook({ msgId: newWebhookMessageId(), timestamp: nowS(), body, secrets: [newSecret, oldSecret] });
    const entries = h['webhook-signature'].split(' ');
    assert.equal(entries.length, 2);
    assert.ok(entries.every((e) => e.startsWith('v1,')));
    for (const s of [oldSecret, newSecret]) {
      assert.ok(independentVerify(s, h, body));
      assert.equal(verifyWebhook(s, h, body).ok, true);
    }
    assert.equal(verifyWebhook(newWebhookSecret(), h, body).ok, false);
  });

  test('verifyWebhook rejects a tampered body, a wrong secret, stale or future timestamps, missing headers', () => {
    const secret = newWebhookSecret();
    const ts = nowS();
    const h = signWebhook({ msgId: 'msg_x', timestamp: ts, body, secrets: [secret] });
    assert.deepEqual(verifyWebhook(secret, h, body.replace('0.81', '0.18')), { ok: false, reason: 'no_matching_signature' });
    assert.deepEqual(verifyWebhook(newWebhookSecret(), h, body), { ok: false, reason: 'no_matching_signature' });
    assert.deepEqual(verifyWebhook(secret, { ...h, 'webhook-id': 'msg_y' }, body), { ok: false, reason: 'no_matching_signature' });

    const stale = signWebhook({ msgId: 'msg_x', timestamp: ts - 301, body, secrets: [secret] });
    assert.deepEqual(verifyWebhook(secret, stale, body), { ok: false, reason: 'timestamp_out_of_tolerance' });
    const future = signWebhook({ msgId: 'msg_x', timestamp: ts + 301, body, secrets: [secret] });
    assert.deepEqual(verifyWebhook(secret, future, body), { ok: false, reason: 'timestamp_out_of_tolerance' });
    // `now` and the tolerance are parameters.
    assert.equal(verifyWebhook(secret, stale, body, { now: (ts - 301) * 1000 }).ok, true);
    assert.equal(verifyWebhook(secret, stale, body, { toleranceSeconds: 600 }).ok, true);

    assert.deepEqual(verifyWebhook(secret, { ...h, 'webhook-timestamp': '12e3' }, body), { ok: false, reason: 'invalid_timestamp' });
    assert.deepEqual(verifyWebhook(secret, { 'webhook-id': 'msg_x' }, body), { ok: false, reason: 'missing_headers' });
    // A fetch-style Headers object works too.
    assert.equal(verifyWebhook(secret, new Headers(h), body).ok, true);
  });
});

describe('SSRF guard', () => {
  const refusedLiterals = [
    'http://169.254.169.254/latest/meta-data',
    'http://127.1/',
    'http://2130706433/',
    'http://0x7f.1/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::1]:8080/',
    'http://10.0.0.5/',
    'http://0.0.0.0/',
    'http://[fd00::1]/',
    'http://[64:ff9b::a9fe:a9fe]/',
    'https://192.168.1.1/',
    'file:///etc/passwd',
    'gopher://example.com/',
    'ftp://example.com/',
    'http://user:pw@example.com/',
    'http://user@example.com/',
    'not a url',
  ];

  for (const url of refusedLiterals) {
    test(`refuses ${url}`, async () => {
      const check = checkTargetUrl(url, { allowPrivate: false });
      assert.equal(check.ok, false);
      assert.equal(!check.ok && check.code, 'target_not_allowed');
      const delivered = await deliverWebhook({ url, headers: {}, body: '{}' });
      assert.equal(delivered.ok, false);
      assert.equal(delivered.error, 'target_not_allowed');
    });
  }

  test('public literals and hostnames pass the URL check (hostnames are checked at connect time)', () => {
    for (const url of ['http://93.184.216.34/', 'https://hooks.example.com/molam?x=1', 'https://[2606:4700::1111]/']) {
      const check = checkTargetUrl(url, { allowPrivate: false });
      assert.equal(check.ok, true, url);
    }
  });

  test('allowPrivate admits loopback and private literals but never other schemes or credentials', () => {
    assert.equal(checkTargetUrl('http://127.0.0.1:9/', { allowPrivate: true }).ok, true);
    assert.equal(checkTargetUrl('http://10.0.0.5/', { allowPrivate: true }).ok, true);
    assert.equal(checkTargetUrl('file:///etc/passwd', { allowPrivate: true }).ok, false);
    assert.equal(checkTargetUrl('http://u:p@127.0.0.1/', { allowPrivate: true }).ok, false);
  });

  test('http://localhost/ is refused at connect time (it resolves to loopback)', async () => {
    assert.equal(checkTargetUrl('http://localhost/', { allowPrivate: false }).ok, true);
    const r = await deliverWebhook({ url: 'http://localhost/', headers: {}, body: '{}', allowPrivate: false });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'target_not_allowed');
    assert.equal(r.status, undefined);
  });

  test('the connect-time lookup refuses a name with any non-public address (no rebinding via mixed records)', async () => {
    const lookup = createGuardedLookup({
      resolve: async () => [
        { address: '93.184.216.34', family: 4 },
        { address: '10.0.0.1', family: 4 },
      ],
    });
    const err = await new Promise<NodeJS.ErrnoException | null>((resolve) => lookup('evil.example', { all: true }, (e) => resolve(e)));
    assert.equal(err?.code, 'target_not_allowed');

    const ok = createGuardedLookup({ resolve: async () => [{ address: '93.184.216.34', family: 4 }] });
    const got = await new Promise<unknown>((resolve) => ok('good.example', {}, (e, address, family) => resolve({ e, address, family })));
    assert.deepEqual(got, { e: null, address: '93.184.216.34', family: 4 });
  });

  test('isPublicAddress: IPv4 ranges', () => {
    const blocked = [
      '0.0.0.0', '0.1.2.3', '10.0.0.5', '10.255.255.255', '100.64.0.1', '100.127.255.255', '127.0.0.1', '127.255.0.1',
      '169.254.169.254', '172.16.0.1', '172.31.255.255', '192.0.0.8', '192.0.2.1', '192.168.0.1', '198.18.0.1',
      '198.19.255.255', '198.51.100.7', '203.0.113.9', '224.0.0.1', '239.255.255.250', '240.0.0.1', '255.255.255.255',
    ];
    for (const ip of blocked) assert.equal(isPublicAddress(ip), false, ip);
    const allowed = ['93.184.216.34', '8.8.8.8', '1.1.1.1', '100.63.255.255', '100.128.0.0', '172.15.255.255', '172.32.0.0', '198.17.255.255', '198.20.0.0', '223.255.255.255'];
    for (const ip of allowed) assert.equal(isPublicAddress(ip), true, ip);
  });

  test('isPublicAddress: IPv6 ranges', () => {
    const blocked = [
      '::', '::1', 'fc00::1', 'fd12:3456::1', 'fe80::1', 'fe80::1%eth0', 'febf::1', 'ff02::1', '2001:db8::1', '100::1',
      '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:10.0.0.5', '::ffff:169.254.169.254', '64:ff9b::10.0.0.1', '64:ff9b::7f00:1',
      '::127.0.0.1', '2002:0a00:0001::1', 'not-an-ip', '',
    ];
    for (const ip of blocked) assert.equal(isPublicAddress(ip), false, ip);
    const allowed = ['2606:4700:4700::1111', '2a00:1450:4001:80b::200e', '::ffff:93.184.216.34', '64:ff9b::93.184.216.34', '2001:4860:4860::8888'];
    for (const ip of allowed) assert.equal(isPublicAddress(ip), true, ip);
  });
});

// --- loopback receivers ---
type Receiver = { server: Server; url: string; requests: Array<{ method?: string; headers: IncomingMessage['headers']; body: string }> };
const servers: Server[] = [];
after(() => {
  for (const s of servers) {
    s.closeAllConnections();
    s.close();
  }
});

async function receiver(handle: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<Receiver> {
  const requests: Receiver['requests'] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({ method: req.method, headers: req.headers, body });
      handle(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/molam?tenant=m1`, requests };
}

describe('delivery', () => {
  test('exactly one signed POST; the receiver verifies it independently; the response body is never returned', async () => {
    const secret = newWebhookSecret();
    const verdicts: boolean[] = [];
    const rx = await receiver((req, res, body) => {
      verdicts.push(independentVerify(secret, req.headers, body));
      res.writeHead(200, { 'content-type': 'text/plain' }).end('RECEIVER-PRIVATE-RESPONSE-BODY');
    });
    const body = JSON.stringify({ id: 'evt_1', type: 'alert.triggered' });
    const headers = signWebhook({ msgId: newWebhookMessageId(), timestamp: nowS(), body, secrets: [secret] });
    const r = await deliverWebhook({ url: rx.url, headers, body, allowPrivate: true });
    assert.equal(r.ok, true);
    assert.equal(r.status, 200);
    assert.equal(r.error, undefined);
    assert.ok(r.durationMs >= 0);
    assert.doesNotMatch(JSON.stringify(r), /RECEIVER-PRIVATE/);
    assert.equal(rx.requests.length, 1);
    const got = rx.requests[0];
    assert.equal(got.method, 'POST');
    assert.equal(got.body, body);
    assert.equal(got.headers['webhook-id'], headers['webhook-id']);
    assert.equal(got.headers['webhook-timestamp'], headers['webhook-timestamp']);
    assert.equal(got.headers['webhook-signature'], headers['webhook-signature']);
    assert.equal(got.headers['content-type'], 'application/json');
    assert.deepEqual(verdicts, [true]);
    assert.equal(verifyWebhook(secret, got.headers, got.body).ok, true);
  });

  test('loopback receivers are refused unless allowPrivate (the default is off)', async () => {
    const rx = await receiver((_req, res) => res.end());
    const r = await deliverWebhook({ url: rx.url, headers: {}, body: '{}' });
    assert.equal(r.error, 'target_not_allowed');
    assert.equal(rx.requests.length, 0);
  });

  test('a hostname goes through the guarded lookup and connects when allowed', async () => {
    const rx = await receiver((_req, res) => res.writeHead(204).end());
    const url = rx.url.replace('127.0.0.1', 'localhost');
    const r = await deliverWebhook({ url, headers: {}, body: '{}', allowPrivate: true });
    assert.deepEqual({ ok: r.ok, status: r.status }, { ok: true, status: 204 });
    assert.equal(rx.requests.length, 1);
    const refused = await deliverWebhook({ url, headers: {}, body: '{}', allowPrivate: false });
    assert.equal(refused.error, 'target_not_allowed');
    assert.equal(rx.requests.length, 1);
  });

  test('410 → gone; other statuses → http_<status>; a large response body is capped and discarded', async () => {
    const gone = await receiver((_req, res) => res.writeHead(410).end('endpoint deleted'));
    const r410 = await deliverWebhook({ url: gone.url, headers: {}, body: '{}', allowPrivate: true });
    assert.deepEqual({ ok: r410.ok, status: r410.status, error: r410.error }, { ok: false, status: 410, error: 'gone' });

    const failing = await receiver((_req, res) => res.writeHead(503).end('x'.repeat(1024 * 1024)));
    const r503 = await deliverWebhook({ url: failing.url, headers: {}, body: '{}', allowPrivate: true, maxResponseBytes: 1024 });
    assert.deepEqual({ ok: r503.ok, status: r503.status, error: r503.error }, { ok: false, status: 503, error: 'http_503' });
    assert.ok(JSON.stringify(r503).length < 200);

    const bad = await receiver((_req, res) => res.writeHead(400).end());
    assert.equal((await deliverWebhook({ url: bad.url, headers: {}, body: '{}', allowPrivate: true })).error, 'http_400');
  });

  test('redirects are never followed: 302 → redirect_refused, the target is never requested', async () => {
    const internal = await receiver((_req, res) => res.end('internal secret'));
    for (const location of ['http://169.254.169.254/latest/meta-data', internal.url]) {
      const redirector = await receiver((_req, res) => res.writeHead(302, { location }).end());
      const r = await deliverWebhook({ url: redirector.url, headers: {}, body: '{}', allowPrivate: true });
      assert.equal(r.ok, false);
      assert.equal(r.error, 'redirect_refused');
      assert.equal(r.status, 302);
      assert.equal(redirector.requests.length, 1);
    }
    assert.equal(internal.requests.length, 0);
  });

  test('a receiver that never answers → timeout', async () => {
    const silent = await receiver(() => {
      /* never respond */
    });
    const r = await deliverWebhook({ url: silent.url, headers: {}, body: '{}', allowPrivate: true, timeoutMs: 300 });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'timeout');
    assert.equal(r.status, undefined);
    assert.ok(r.durationMs >= 250);
  });

  test('connection refused → network_error', async () => {
    const rx = await receiver((_req, res) => res.end());
    const url = rx.url;
    await new Promise<void>((r) => rx.server.close(() => r()));
    const r = await deliverWebhook({ url, headers: {}, body: '{}', allowPrivate: true });
    assert.equal(r.ok, false);
    assert.equal(r.error, 'network_error');
    assert.equal(r.detail, 'ECONNREFUSED');
  });
});

describe('retry schedule', () => {
  const t0 = Date.UTC(2025, 0, 1);

  test('ceiling grows exponentially from ~10 s and is capped at 1 h per step', () => {
    const max = () => 0.999999;
    let prev = 0;
    for (let attempt = 1; attempt <= 20; attempt++) {
      const delay = nextAttemptAt(attempt, t0, t0, max)! - t0;
      assert.ok(delay >= prev, `attempt ${attempt}`);
      assert.ok(delay <= RETRY_MAX_STEP_MS);
      prev = delay;
    }
    assert.ok(Math.abs(nextAttemptAt(1, t0, t0, max)! - t0 - RETRY_BASE_MS) < 5);
    assert.ok(Math.abs(nextAttemptAt(3, t0, t0, max)! - t0 - 4 * RETRY_BASE_MS) < 5);
    assert.ok(Math.abs(nextAttemptAt(15, t0, t0, max)! - t0 - RETRY_MAX_STEP_MS) < 5);
  });

  test('full jitter stays within [1 s, ceiling]', () => {
    for (let attempt = 1; attempt <= 12; attempt++) {
      const ceiling = Math.min(RETRY_MAX_STEP_MS, RETRY_BASE_MS * 2 ** (attempt - 1));
      for (let i = 0; i < 200; i++) {
        const delay = nextAttemptAt(attempt, t0, t0)! - t0;
        assert.ok(delay >= RETRY_MIN_DELAY_MS && delay <= ceiling, `attempt ${attempt}: ${delay}`);
      }
      assert.equal(nextAttemptAt(attempt, t0, t0, () => 0)! - t0, RETRY_MIN_DELAY_MS);
    }
  });

  test('a full run stops within 24 h of the first attempt', () => {
    let now = t0;
    let attempt = 1;
    let next = nextAttemptAt(attempt, now, t0);
    while (next !== null) {
      assert.ok(next > now && next <= t0 + RETRY_WINDOW_MS);
      now = next;
      attempt++;
      next = nextAttemptAt(attempt, now, t0);
    }
    assert.equal(now, t0 + RETRY_WINDOW_MS); // the last retry lands on the deadline
    assert.ok(attempt > 10 && attempt < 500);
    assert.equal(nextAttemptAt(5, t0 + RETRY_WINDOW_MS + 1, t0), null);
    assert.equal(nextAttemptAt(30, t0 + RETRY_WINDOW_MS - 1000, t0, () => 0.9), t0 + RETRY_WINDOW_MS);
    assert.throws(() => nextAttemptAt(0, t0, t0), RangeError);
  });
});
