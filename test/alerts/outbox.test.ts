// The outbox on both state-store backends: queued once per cause and endpoint, delivered signed
// (checked here by an independent HMAC), retried on failure with backoff, and an endpoint that
// answers 410 is disabled — each attempt in the delivery log.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { enqueue, deliverDue } from '../../src/alerts/outbox.ts';
import { newWebhookSecret } from '../../src/alerts/webhooks/webhook-signature.ts';
import { pgliteBackend, postgresBackend, postgresReachable, type Backend } from '../support/state-backends.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

interface Received { headers: Record<string, string | string[] | undefined>; body: string }
let answers: number[] = [];
const received: Received[] = [];
let server: Server;
let url: string;

before(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.statusCode = answers.shift() ?? 200;
      res.end('receiver says hello — never echoed back');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
after(() => server.close());

/** Standard Webhooks, recomputed from the spec: base64(HMAC-SHA256(key, id.timestamp.body)). */
function independentlyValid(r: Received, secret: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest('base64');
  return String(r.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

for (const backend of [pgliteBackend(), postgresBackend()] as Backend[]) {
  describe(`outbox on ${backend.name}`, { skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    let s: StateStore;
    let clock = 0;
    const opts = { now: () => clock, allowPrivate: true, timeoutMs: 2000 };
    before(async () => {
      s = await backend.open();
      clock = Date.now() + 60_000; // rows are queued at the database's now(): the worker's clock is ahead
    });
    after(async () => { await s.close(); await backend.cleanup(); });

    test('queued once per cause, delivered once, signed', async () => {
      received.length = 0;
      answers = [];
      const secret = newWebhookSecret();
      await s.query('INSERT INTO webhook_endpoints (url, secrets, created_by) VALUES ($1, $2, $3)', [url, [secret], 'ops']);
      const event = { kind: 'alert' as const, type: 'alert.firing', payload: { alert_id: 1, merchant_id: 'm_1' }, dedupeKey: 'alert:1:firing:1', merchantId: 'm_1' };
      assert.equal(await enqueue(s, event, null), 1);
      assert.equal(await enqueue(s, event, null), 0, 'the same cause is not queued twice');
      assert.equal(await deliverDue(s, opts), 1);
      assert.equal(await deliverDue(s, opts), 0, 'delivered rows are not sent again');
      assert.equal(received.length, 1);
      assert.ok(independentlyValid(received[0], secret));
      assert.equal(JSON.parse(received[0].body).type, 'alert.firing');
      const [log] = await s.query<{ outcome: string; status_code: number }>('SELECT outcome, status_code FROM delivery_log');
      assert.deepEqual({ ...log }, { outcome: 'delivered', status_code: 200 });
      await s.query('DELETE FROM delivery_log');
      await s.query('DELETE FROM outbox');
      await s.query('DELETE FROM webhook_endpoints');
    });

    test('a failure is retried later with the same id; 410 disables the endpoint', async () => {
      received.length = 0;
      answers = [503, 200];
      const secret = newWebhookSecret();
      await s.query('INSERT INTO webhook_endpoints (url, secrets, created_by) VALUES ($1, $2, $3)', [url, [secret], 'ops']);
      await enqueue(s, { kind: 'action', type: 'merchant.flagged', payload: { merchant_id: 'm_2' }, dedupeKey: 'action:9:flag', merchantId: 'm_2' }, null);
      assert.equal(await deliverDue(s, opts), 1);
      const [row] = await s.query<{ status: string; attempts: number; next_attempt_at: Date }>('SELECT status, attempts, next_attempt_at FROM outbox');
      assert.equal(row.status, 'pending');
      assert.equal(row.attempts, 1);
      assert.ok(row.next_attempt_at.getTime() > clock, 'backoff');
      assert.equal(await deliverDue(s, opts), 0, 'not due yet');
      clock = row.next_attempt_at.getTime();
      assert.equal(await deliverDue(s, opts), 1);
      assert.equal(received.length, 2);
      assert.equal(received[0].headers['webhook-id'], received[1].headers['webhook-id'], 'same message id across retries');
      assert.ok(independentlyValid(received[1], secret));

      answers = [410];
      await enqueue(s, { kind: 'action', type: 'merchant.flagged', payload: { merchant_id: 'm_2' }, dedupeKey: 'action:10:flag', merchantId: 'm_2' }, null);
      await deliverDue(s, opts);
      const [ep] = await s.query<{ enabled: boolean }>('SELECT enabled FROM webhook_endpoints');
      assert.equal(ep.enabled, false);
      const [audit] = await s.query<{ action: string }>(`SELECT action FROM audit_log WHERE action = 'endpoint.disabled'`);
      assert.ok(audit);
      assert.equal(await enqueue(s, { kind: 'alert', type: 'x', payload: {}, dedupeKey: 'later', merchantId: null }, null), 0, 'a disabled endpoint gets nothing new');
    });
  });
}
