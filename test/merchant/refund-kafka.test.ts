// Approved refunds through Kafka, as in a cluster whose api process does not ingest: its relay
// (the Kafka sink) produces each refund_created event to the refund_created topic of a real
// broker, keyed by merchant; delivered twice (a relay that stopped before marking them), the
// topic holds each event twice with the same event_id, and the consumer's engine counts each
// once — the merchant's KPIs include every approved refund exactly once. Also: which processes
// run the relay (partsFor), and a relay with nowhere to deliver refuses to start.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startKafka, type KafkaBroker } from '../support/kafka-broker.ts';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { txnEvents } from './merchant-events.ts';
import { createLogger } from '../../src/log.ts';
import { createRefundRelay } from '../../src/merchant/refund-relay.ts';
import { kafkaSink, REFUND_TOPIC } from '../../src/merchant/refund-sinks.ts';
import { partsFor, startParts } from '../../src/start-parts.ts';

const NOW = Date.parse('2026-03-10T14:20:00Z');
let kafka: KafkaBroker;
let t: TempApp;

before(async () => {
  kafka = await startKafka();
  await kafka.createTopic(REFUND_TOPIC, 2);
  t = await openTempApp({ now: () => NOW, env: { KAFKA_BROKERS: kafka.brokers, KAFKA_TOPICS: REFUND_TOPIC, KAFKA_BATCH_MAX_WAIT_MS: '200' } });
  const events = [
    ...txnEvents({ merchant: 'm_q', txn: 'tx_q1', at: '2026-03-09T10:00:00Z', status: 'succeeded', amount: '8000' }),
    ...txnEvents({ merchant: 'm_q', txn: 'tx_q2', at: '2026-03-09T11:00:00Z', status: 'succeeded', amount: '2000' }),
  ];
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: events })).json().accepted, events.length);
}, { timeout: 180_000 });

after(async () => {
  await t?.close();
  await kafka?.stop();
});

/** Waits until `check` holds; the test's timeout bounds the wait. */
async function eventually(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 200));
}

test('an api process\'s relay produces each approved refund to Kafka; the consumer counts it once, however often it is sent', { timeout: 240_000 }, async () => {
  const headers = bearer(await mintToken({ sub: 'quinn@m_q', roles: ['merchant_admin'], merchantId: 'm_q' }));
  const ids: string[] = [];
  for (const [txn, amount, key] of [['tx_q1', 3000, 'q-1'], ['tx_q2', 500, 'q-2']] as const) {
    const res = await t.app.inject({ method: 'POST', url: '/api/merchant/refunds', headers: { ...headers, 'idempotency-key': key }, payload: { transaction_id: txn, amount, currency: 'XOF' } });
    assert.equal(res.statusCode, 201, res.body);
    ids.push(res.json().id);
  }
  const relay = createRefundRelay({ state: t.platform.state, sink: kafkaSink({ brokers: [kafka.brokers], clientId: 'refunds-test' }), now: () => NOW, log: createLogger('silent') });
  try {
    assert.equal(await relay.deliverNow(), 2);
    // Delivered again, as by a relay that stopped between its send and its mark.
    await t.platform.state.query(`UPDATE merchant_refund_events SET status = 'pending', next_attempt_at = $1`, [new Date(NOW)]);
    assert.equal(await relay.deliverNow(), 2);
  } finally {
    await relay.stop();
  }
  const rows = await t.platform.state.query<{ status: string; delivered_via: string }>('SELECT status, delivered_via FROM merchant_refund_events');
  assert.deepEqual(rows.map((r) => [r.status, r.delivered_via]), [['delivered', 'kafka'], ['delivered', 'kafka']]);

  const records = await kafka.consoleConsume(REFUND_TOPIC, 4, 60_000);
  assert.equal(records.length, 4);
  const seen = records.map((r) => JSON.parse(r.value!) as Record<string, string>);
  assert.ok(records.every((r) => r.key === 'm_q' && r.headers['x-event-type'] === 'refund_created'));
  assert.deepEqual(seen.map((e) => e.event_id).sort(), ids.flatMap((id) => [`refund:${id}`, `refund:${id}`]).sort());
  assert.deepEqual(seen.find((e) => e.refund_id === ids[0]), {
    event_id: `refund:${ids[0]}`, type: 'refund_created', occurred_at: new Date(NOW).toISOString(), refund_id: ids[0], txn_id: 'tx_q1',
    merchant_id: 'm_q', amount: '3000', currency: 'XOF', country: 'SN', payment_method: 'wallet', provider: 'wave',
  });

  // The consumer reads the topic: two events, two duplicates.
  const stats = t.platform.engine.stats;
  const before = { accepted: stats.accepted, duplicates: stats.duplicates };
  await startParts(t.app, ['ingest-kafka']);
  await eventually(async () => stats.accepted + stats.duplicates >= before.accepted + before.duplicates + 4);
  assert.deepEqual([stats.accepted - before.accepted, stats.duplicates - before.duplicates], [2, 2]);
  const current = (await t.app.inject({ url: '/api/merchant/summary?period=mtd&currency=XOF', headers })).json().current;
  assert.deepEqual([current.refund_count, current.refunds], [2, '3500']);
});

test('the relay runs where it can deliver: with the engine, or in an api process with Kafka', async () => {
  const relayIn = (ROLE: string, KAFKA_BROKERS: string) => partsFor({ ROLE, DEMO: false, KAFKA_BROKERS }).includes('refund-relay');
  assert.deepEqual([relayIn('all', ''), relayIn('consumer', ''), relayIn('api', ''), relayIn('api', 'k:9092'), relayIn('evaluator', 'k:9092')],
    [true, true, false, true, false]);
  const nowhere = createRefundRelay({ state: t.platform.state, sink: null, now: () => NOW, log: createLogger('silent') });
  await assert.rejects(nowhere.start(), /does not ingest and has no KAFKA_BROKERS/);
  await assert.rejects(nowhere.deliverNow(), /can deliver refund events nowhere/);
});
