// The alerting scenario on generated traffic, end to end over HTTP with the real stores:
// a refund spike for one merchant → exactly one firing alert (no second one while it lasts) and
// exactly one signed delivery, verified here by an independent HMAC; resolution when traffic
// returns to normal; a silence holds back the notification (not the action) but the alert is recorded; an
// acknowledgement is recorded and audited; a volume drop on one provider is caught by an
// anomaly rule and published as analytics.anomaly.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac } from 'node:crypto';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { mulberry32 } from '../support/random-stream.ts';

const T0 = Date.parse('2026-11-20T12:00:00Z');
let clock = T0;
let t: TempApp;
let receiver: Server;
let secret = '';
const got: Array<{ type: string; body: Record<string, unknown>; valid: boolean }> = [];

function verify(headers: Record<string, string | string[] | undefined>, body: string): boolean {
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const mac = createHmac('sha256', key).update(`${headers['webhook-id']}.${headers['webhook-timestamp']}.${body}`).digest('base64');
  return String(headers['webhook-signature']).split(' ').includes(`v1,${mac}`);
}

let seq = 0;
function payments(merchant: string, provider: string, from: number, to: number, perHour: number, refundShare: number, rnd: () => number) {
  const events: Array<Record<string, unknown>> = [];
  const n = Math.round(((to - from) / 3_600_000) * perHour);
  for (let i = 0; i < n; i++) {
    const at = from + Math.floor(rnd() * (to - from));
    const id = `sc_${seq++}`;
    const base = { merchant_id: merchant, currency: 'USD', country: 'SN', provider, payment_method: 'wallet' };
    events.push({ event_id: id, type: 'wallet_txn_created', status: 'succeeded', txn_id: id, amount: '20.00', occurred_at: new Date(at).toISOString(), ...base });
    if (rnd() < refundShare) {
      events.push({ event_id: `${id}_r`, type: 'refund_created', refund_id: `${id}_r`, txn_id: id, amount: '20.00', occurred_at: new Date(Math.min(at + 1000, to - 1)).toISOString(), ...base });
    }
  }
  return events;
}

async function ingest(events: unknown[]) {
  for (let i = 0; i < events.length; i += 2000) {
    const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events.slice(i, i + 2000) });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  }
}
const api = async (method: string, url: string, payload?: unknown) => {
  const res = await t.inject({ method: method as 'GET', url, payload: payload as Record<string, unknown> });
  assert.ok(res.statusCode < 300, `${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
  return res.statusCode === 204 ? null : res.json();
};
const alertsOf = async (ruleId: string) => (await api('GET', `/api/analytics/alerts?rule_id=${ruleId}`)).items as Array<Record<string, unknown>>;
const cycle = async () => { await t.app.alerting.evaluateNow(); };

before(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const parsed = JSON.parse(body);
      got.push({ type: parsed.type, body: parsed, valid: verify(req.headers, body) });
      res.end('ok');
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  t = await openTempApp({ now: () => clock, env: { WEBHOOKS_ALLOW_PRIVATE_TARGETS: 'true', ALERT_EVAL_INTERVAL: '3600' } });
  const rnd = mulberry32(5);
  // A day of normal traffic: 5 merchants on 3 providers, refunds 2% of payments.
  const day: Array<Record<string, unknown>> = [];
  for (const [m, p] of [['m_a', 'p1'], ['m_b', 'p2'], ['m_c', 'p3'], ['m_d', 'p1'], ['m_e', 'p2']]) {
    day.push(...payments(m, p, T0 - 26 * 3_600_000, T0 - 3_600_000, 60, 0.02, rnd));
  }
  await ingest(day);
  const hook = await api('POST', '/api/analytics/alerts/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks` });
  secret = hook.secret;
});
after(async () => {
  await t.close();
  receiver.close();
});

let refundRule = '';

test('a refund spike for one merchant: one alert, one signed delivery, no second alert while it lasts', async () => {
  const rule = await api('POST', '/api/analytics/alerts/rules', {
    name: 'refund spike', metric: 'refund_rate', group_by: ['merchant_id'], window_minutes: 30,
    condition: { type: 'threshold', op: '>', value: 0.2 }, severity: 'critical', auto_actions: ['flag_merchant'],
  });
  refundRule = rule.id;
  const rnd = mulberry32(6);
  const lastHour: Array<Record<string, unknown>> = [];
  for (const m of ['m_a', 'm_c', 'm_d', 'm_e']) lastHour.push(...payments(m, 'p1', T0 - 3_600_000, T0, 60, 0.02, rnd));
  lastHour.push(...payments('m_b', 'p2', T0 - 3_600_000, T0, 60, 0.6, rnd)); // the spike
  await ingest(lastHour);
  await cycle();
  clock += 60_000;
  await cycle(); // a second cycle: the breach goes on
  const alerts = await alertsOf(refundRule);
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].state, 'firing');
  assert.equal(alerts[0].merchant_id, 'm_b');
  const firing = got.filter((g) => g.type === 'alert.firing');
  assert.equal(firing.length, 1, 'exactly one notification');
  assert.ok(firing[0].valid, 'signature verified independently');
  assert.equal((firing[0].body.group as Record<string, string>).merchant_id, 'm_b');
  assert.equal(got.filter((g) => g.type === 'merchant.flagged').length, 1, 'the auto-action, once');
});

test('an acknowledgement is recorded', async () => {
  const [alert] = await alertsOf(refundRule);
  const updated = await api('PATCH', `/api/analytics/alerts/${alert.id}`, { acknowledge: true, comment: 'looking into it' });
  assert.equal(updated.acknowledged_by, 'test-admin');
  assert.equal(updated.comments[0].body, 'looking into it');
});

test('back to normal: the alert resolves, with one resolved notification', async () => {
  clock = T0 + 2 * 3_600_000;
  await ingest(payments('m_b', 'p2', T0 + 3_600_000, clock, 60, 0.02, mulberry32(7)));
  await cycle();
  const alerts = await alertsOf(refundRule);
  assert.equal(alerts[0].state, 'resolved');
  assert.equal(got.filter((g) => g.type === 'alert.resolved').length, 1);
  assert.ok(got.every((g) => g.valid));
});

test('a silence holds back the notification; the alert is still recorded', async () => {
  await api('POST', '/api/analytics/alerts/silences', { matchers: { labels: { merchant_id: 'm_c' } }, ends_at: new Date(clock + 86_400_000).toISOString() });
  const before = got.length;
  await ingest(payments('m_c', 'p3', clock - 30 * 60_000, clock, 120, 0.7, mulberry32(8)));
  clock += 60_000;
  await cycle();
  const alerts = (await alertsOf(refundRule)).filter((a) => a.merchant_id === 'm_c');
  assert.equal(alerts.length, 1);
  assert.equal(alerts[0].state, 'firing');
  const after = got.slice(before);
  assert.deepEqual(after.filter((g) => g.type.startsWith('alert.')), [], 'no notification');
  assert.deepEqual(after.map((g) => g.type), ['merchant.flagged'], 'silences hold back notifications, not actions');
});

test('a volume drop on one provider is caught by an anomaly rule', async () => {
  clock = T0 + 6 * 3_600_000;
  const rnd = mulberry32(9);
  const traffic: Array<Record<string, unknown>> = [];
  // Providers p1..p3 steady for the trailing day; p2 almost stops in the last hour.
  for (const p of ['p1', 'p2', 'p3']) traffic.push(...payments(`m_${p}`, p, clock - 25 * 3_600_000, clock - 3_600_000, 80, 0, rnd));
  for (const p of ['p1', 'p3']) traffic.push(...payments(`m_${p}`, p, clock - 3_600_000, clock, 80, 0, rnd));
  traffic.push(...payments('m_p2', 'p2', clock - 3_600_000, clock, 5, 0, rnd));
  await ingest(traffic);
  const rule = await api('POST', '/api/analytics/alerts/rules', {
    name: 'provider volume drop', metric: 'tx_count', group_by: ['provider'], window_minutes: 60,
    filters: { merchant_id: ['m_p1', 'm_p2', 'm_p3'] },
    condition: { type: 'anomaly', baseline_windows: 20, z: 3, direction: 'down', min_volume: 20 }, severity: 'warn',
  });
  const preview = await api('POST', '/api/analytics/alerts/rules/preview', {
    name: 'provider volume drop', metric: 'tx_count', group_by: ['provider'], window_minutes: 60,
    filters: { merchant_id: ['m_p1', 'm_p2', 'm_p3'] },
    condition: { type: 'anomaly', baseline_windows: 20, z: 3, direction: 'down', min_volume: 20 },
  });
  assert.ok(preview.firings >= 1, 'the preview sees it too');
  await cycle();
  const alerts = await alertsOf(rule.id);
  assert.deepEqual(alerts.map((a) => (a.group_labels as Record<string, string>).provider), ['p2']);
  const anomaly = got.filter((g) => g.type === 'analytics.anomaly');
  assert.equal(anomaly.length, 1);
  assert.ok((anomaly[0].body.z_score as number) <= -3);
  assert.ok(anomaly[0].valid);
  const metrics = (await t.app.inject({ url: '/metrics' })).body;
  assert.match(metrics, /analytics_anomalies_detected_total 1/);
  assert.match(metrics, /analytics_alerts_created_total\{severity="critical"\} 2/);
});
