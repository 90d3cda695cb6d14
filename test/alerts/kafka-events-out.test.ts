// Events out to Kafka, against a real broker and both state-store backends. A firing alert of an
// anomaly rule with an auto-action puts exactly one message on each topic (read back with Kafka's
// own console consumer, headers included); delivering again, a second scheduler and two
// publishers racing send nothing twice; a manual resolve goes out too; with the broker
// unreachable the rows stay queued and go out once it is back; a topic that does not exist holds
// back its own rows only; a claim left by a process that stopped is never sent (at most once);
// without KAFKA_BROKERS nothing is queued for Kafka.
//
// The app reaches the broker through a TCP forwarder (its bootstrap address and the broker's
// advertised listener), which the test cuts and restores: an outage of the broker as its clients
// see it, without restarting it. The test's own witnesses (Admin, console tools) bootstrap
// directly and read only while the forwarder is up.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Admin } from '@platformatic/kafka';
import { startKafka, type ConsumedRecord, type KafkaBroker } from '../support/kafka-broker.ts';
import { startForwarder, type TcpForwarder } from '../support/tcp-forwarder.ts';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { mulberry32 } from '../support/random-stream.ts';
import { createLogger } from '../../src/log.ts';
import { enqueue } from '../../src/alerts/outbox.ts';
import { createTopicPublisher, IN_DOUBT_AFTER_MS } from '../../src/alerts/topics/publish-to-topics.ts';
import type { EventTopics } from '../../src/alerts/topics/event-topics.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const T0 = Date.parse('2026-11-20T12:00:00Z');
const PARTITIONS = 2;
let kafka: KafkaBroker;
let forwarder: TcpForwarder;
let admin: Admin;
/** The broker as the app sees it: through the forwarder. */
let viaForwarder: string;

before(async () => {
  // Clients bootstrap on the broker's port and are then sent to its advertised listener: the forwarder.
  const target = { host: '127.0.0.1', port: 0 };
  forwarder = await startForwarder(target);
  kafka = await startKafka({ properties: { 'advertised.listeners': `PLAINTEXT://127.0.0.1:${forwarder.port}` } });
  target.port = kafka.port;
  viaForwarder = `127.0.0.1:${forwarder.port}`;
  admin = new Admin({ clientId: 'test-admin', bootstrapBrokers: [kafka.brokers] });
});
after(async () => {
  await admin?.close();
  await kafka?.stop();
  await forwarder?.close();
});

/** Messages in the topic: the sum of its partitions' log-end offsets (no transactions, no compaction). */
async function countOf(topic: string): Promise<number> {
  const [ends] = await admin.listOffsets({
    topics: [{ name: topic, partitions: Array.from({ length: PARTITIONS }, (_, partitionIndex) => ({ partitionIndex, timestamp: -1n })) }],
  });
  return ends.partitions.reduce((n, p) => n + Number(p.offset), 0);
}

/** Everything in the topic, read by Kafka's console consumer: one more than expected is asked for, so a surplus shows. */
async function consumeAll(topic: string, expected: number): Promise<ConsumedRecord[]> {
  return kafka.consoleConsume(topic, expected + 1, 8_000);
}

let seq = 0;
/** A day of steady payments for three merchants; m_2 almost stops in the last hour. */
function traffic(now: number): Array<Record<string, unknown>> {
  const rnd = mulberry32(11);
  const events: Array<Record<string, unknown>> = [];
  const add = (merchant: string, from: number, to: number, perHour: number) => {
    const n = Math.round(((to - from) / 3_600_000) * perHour);
    for (let i = 0; i < n; i++) {
      const id = `ko_${seq++}`;
      events.push({
        event_id: id, type: 'wallet_txn_created', status: 'succeeded', txn_id: id, amount: '20.00', merchant_id: merchant,
        currency: 'USD', country: 'SN', provider: 'p1', payment_method: 'wallet', occurred_at: new Date(from + Math.floor(rnd() * (to - from))).toISOString(),
      });
    }
  };
  for (const m of ['m_1', 'm_2', 'm_3']) add(m, now - 25 * 3_600_000, now - 3_600_000, 80);
  for (const m of ['m_1', 'm_3']) add(m, now - 3_600_000, now, 80);
  add('m_2', now - 3_600_000, now, 5);
  return events;
}

async function ingest(t: TempApp, events: unknown[]) {
  for (let i = 0; i < events.length; i += 2000) {
    const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events.slice(i, i + 2000) });
    assert.equal(res.statusCode, 200, res.body.slice(0, 300));
  }
}

/**
 * An anomaly rule (volume drop per merchant) that pauses the merchant's payouts. It watches m_2
 * only: once its alert is resolved by hand it is held back (the drop goes on), so the clock can
 * move on for retries without opening other alerts.
 */
async function createRule(t: TempApp): Promise<string> {
  const res = await t.inject({
    method: 'POST', url: '/api/analytics/alerts/rules',
    payload: {
      name: 'volume drop', metric: 'tx_count', group_by: ['merchant_id'], filters: { merchant_id: ['m_2'] }, window_minutes: 60, severity: 'critical',
      condition: { type: 'anomaly', baseline_windows: 20, z: 3, direction: 'down', min_volume: 20 }, auto_actions: ['pause_payouts'],
    },
  });
  assert.equal(res.statusCode, 201, res.body);
  return res.json().id;
}

async function metric(t: TempApp, topic: string, outcome: string): Promise<number> {
  const body = (await t.inject({ url: '/metrics' })).body;
  const m = body.match(new RegExp(`^analytics_kafka_events_out_total\\{topic="${topic.replaceAll('.', '\\.')}",outcome="${outcome}"\\} (\\d+)$`, 'm'));
  return m ? Number(m[1]) : 0;
}

/** The mesh's topics at their defaults (their events are tested with the mesh, test/mesh). */
const MESH_DEFAULT_TOPICS = { mesh_prediction: 'mesh.predictions', mesh_proposal: 'mesh.proposals', mesh_action: 'mesh.actions' };

interface Setup { name: 'pglite' | 'postgres'; topics: EventTopics; env: () => Record<string, string> }

const schema = `t_${randomBytes(6).toString('hex')}`;
const setups: Setup[] = [
  // The defaults (KAFKA_*_TOPIC unset).
  { name: 'pglite', topics: { anomaly: 'analytics.anomaly', alert: 'analytics.alert', action: 'analytics.action', ...MESH_DEFAULT_TOPICS }, env: () => ({}) },
  // The settings, and a schema of the real PostgreSQL that two replicas share.
  {
    name: 'postgres', topics: { anomaly: 'pg.anomaly', alert: 'pg.alert', action: 'pg.action', ...MESH_DEFAULT_TOPICS },
    env: () => ({ DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, KAFKA_ANOMALY_TOPIC: 'pg.anomaly', KAFKA_ALERT_TOPIC: 'pg.alert', KAFKA_ACTION_TOPIC: 'pg.action' }),
  },
];

for (const setup of setups) {
  describe(`events out to Kafka, state store on ${setup.name}`, { skip: setup.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    let clock = T0;
    let t: TempApp;
    const { topics } = setup;
    /** The alerts' topics (the mesh's, in `topics` too, are another test's). */
    const alertTopics = [topics.alert, topics.anomaly, topics.action];
    const kafkaEnv = () => ({ KAFKA_BROKERS: viaForwarder, ALERT_EVAL_INTERVAL: '3600', ...setup.env() });
    let alertId = 0;

    before(async () => {
      await Promise.all(alertTopics.map((topic) => kafka.createTopic(topic, PARTITIONS)));
      t = await openTempApp({ now: () => clock, env: kafkaEnv() });
      await ingest(t, traffic(T0));
    });
    after(async () => {
      // The alerts part was not started (evaluateNow drives it): its stop closes the producer.
      await t?.app.alerting.stop();
      await t?.close();
      if (setup.name === 'postgres') await dropSchemas([schema]);
    });

    // First: on PostgreSQL the evaluator lock is the database's, and the app below holds it from its first pass on.
    test('without KAFKA_BROKERS nothing is queued for Kafka', async () => {
      const env = setup.name === 'postgres' ? { ...setup.env(), DATABASE_SCHEMA: `${schema}_nok` } : setup.env();
      const plain = await openTempApp({ now: () => T0, env: { ...env, ALERT_EVAL_INTERVAL: '3600' } });
      try {
        await ingest(plain, traffic(T0));
        await createRule(plain);
        await plain.app.alerting.evaluateNow();
        const alerts = await plain.platform.state.query<{ state: string }>('SELECT state FROM alerts');
        assert.deepEqual(alerts.map((a) => a.state), ['firing']);
        const [{ n }] = await plain.platform.state.query<{ n: number }>('SELECT count(*)::int AS n FROM kafka_outbox');
        assert.equal(n, 0);
      } finally {
        await plain.app.alerting.stop();
        await plain.close();
        if (setup.name === 'postgres') await dropSchemas([`${schema}_nok`]);
      }
    });

    test('a firing anomaly alert with an auto-action: exactly one message on each topic, with its headers', async () => {
      const ruleId = await createRule(t);
      await t.app.alerting.evaluateNow();
      const alerts = await t.platform.state.query<{ id: number; merchant_id: string; state: string }>('SELECT id, merchant_id, state FROM alerts WHERE rule_id = $1', [Number(ruleId)]);
      assert.deepEqual(alerts.map((a) => [a.merchant_id, a.state]), [['m_2', 'firing']]);
      alertId = alerts[0].id;
      const expected = [[topics.alert, 'alert.firing'], [topics.anomaly, 'analytics.anomaly'], [topics.action, 'merchant.payouts.pause_requested']];
      const bodies = new Map<string, Record<string, unknown>>();
      for (const [topic, type] of expected) {
        const records = await consumeAll(topic, 1);
        assert.equal(records.length, 1, `one message on ${topic}`);
        const [r] = records;
        const body = JSON.parse(r.value!);
        assert.equal(r.key, 'm_2', 'keyed by merchant');
        assert.equal(body.type, type);
        assert.equal(body.alert_id, alertId);
        assert.deepEqual(r.headers, { 'x-event-type': type, 'x-message-id': body.id, 'x-occurred-at': new Date(T0).toISOString() });
        assert.match(body.id, /^msg_/);
        assert.equal(await metric(t, topic, 'delivered'), 1);
        bodies.set(type, body);
      }
      const anomaly = bodies.get('analytics.anomaly') as { z_score: number; scope: { merchant_id: string } };
      assert.ok(anomaly.z_score <= -3, `z ${anomaly.z_score}`);
      assert.equal(anomaly.scope.merchant_id, 'm_2');
      assert.deepEqual(bodies.get('merchant.payouts.pause_requested'), {
        id: bodies.get('merchant.payouts.pause_requested')!.id, type: 'merchant.payouts.pause_requested', merchant_id: 'm_2', alert_id: alertId, reason: 'volume drop',
      });
      const rows = await t.platform.state.query<{ status: string; n: number }>('SELECT status, count(*)::int AS n FROM kafka_outbox GROUP BY status');
      assert.deepEqual(rows.map((r) => ({ ...r })), [{ status: 'delivered', n: 3 }]);
    });

    test('delivering again, and a second scheduler, send nothing more', async () => {
      clock += 60_000;
      await t.app.alerting.evaluateNow(); // the breach goes on: no new event, and the delivered rows stay delivered
      const second = setup.name === 'postgres' ? await openTempApp({ now: () => clock, env: kafkaEnv() }) : null;
      try {
        if (second) {
          await ingest(second, traffic(T0)); // its analytics store sees the same breach
          await Promise.all([t.app.alerting.evaluateNow(), second.app.alerting.evaluateNow()]);
        }
        await t.app.alerting.evaluateNow();
      } finally {
        await second?.app.alerting.stop();
        await second?.close();
      }
      for (const topic of alertTopics) assert.equal(await countOf(topic), 1, topic);
      const [{ n }] = await t.platform.state.query<{ n: number }>('SELECT count(*)::int AS n FROM kafka_outbox');
      assert.equal(n, 3, 'each event queued once');
    });

    test('two publishers racing over the same rows: each message sent once', async () => {
      const before = await countOf(topics.alert);
      await t.platform.state.transaction(async (q) => {
        for (let i = 0; i < 20; i++) {
          await enqueue(q, { kind: 'alert', type: 'alert.repeat', payload: { alert_id: 1000 + i, merchant_id: `m_r${i % 3}` }, dedupeKey: `race:${i}`, merchantId: `m_r${i % 3}`, at: clock }, topics);
        }
      });
      const log = createLogger('silent');
      const publishers = [1, 2].map((i) => createTopicPublisher({ state: t.platform.state, brokers: [viaForwarder], clientId: `race-${i}`, now: () => clock, log }));
      try {
        const sent = await Promise.all(publishers.map((p) => p.publishDue()));
        assert.equal(sent[0] + sent[1], 20);
      } finally {
        await Promise.all(publishers.map((p) => p.close()));
      }
      assert.equal(await countOf(topics.alert), before + 20);
      const ids = (await consumeAll(topics.alert, before + 20)).map((r) => JSON.parse(r.value!).id);
      assert.equal(new Set(ids).size, ids.length, 'no message twice');
    });

    test('the broker unreachable: a manual resolve stays queued, then goes out once when it is back', async () => {
      const before = await countOf(topics.alert);
      await forwarder.cut();
      try {
        const res = await t.inject({ method: 'PATCH', url: `/api/analytics/alerts/${alertId}`, payload: { resolve: true } });
        assert.equal(res.statusCode, 200, res.body);
        await t.app.alerting.evaluateNow();
        clock += 3_600_000; // past any retry delay: tried again, still down
        await t.app.alerting.evaluateNow();
        const [row] = await t.platform.state.query<{ status: string; attempts: number; last_error: string }>(
          `SELECT status, attempts, last_error FROM kafka_outbox WHERE event_type = 'alert.resolved'`);
        assert.equal(row.status, 'pending');
        assert.ok(row.attempts >= 2, `attempts ${row.attempts}`);
        assert.ok(row.last_error, 'the reason is kept');
        assert.ok(await metric(t, topics.alert, 'deferred') >= 2);
      } finally {
        await forwarder.restore();
      }
      clock += 3_600_000;
      await t.app.alerting.evaluateNow();
      await t.app.alerting.evaluateNow();
      assert.equal(await countOf(topics.alert), before + 1);
      const last = (await consumeAll(topics.alert, before + 1)).map((r) => JSON.parse(r.value!)).filter((b) => b.alert_id === alertId);
      assert.deepEqual(last.map((b) => b.type), ['alert.firing', 'alert.resolved']);
      assert.equal(last[1].resolved_by, 'test-admin');
    });

    test('a claim left by a process that stopped is never sent: unconfirmed, counted', async () => {
      const before = await countOf(topics.action);
      await t.platform.state.transaction((q) => enqueue(q, {
        kind: 'action', type: 'merchant.flagged', payload: { alert_id: 77, merchant_id: 'm_9' }, dedupeKey: 'action:77:flag_merchant', merchantId: null, at: clock,
      }, topics));
      // What a crash right after the claim leaves behind.
      await t.platform.state.query(`UPDATE kafka_outbox SET status = 'sending', claimed_at = $1 WHERE dedupe_key = 'action:77:flag_merchant'`, [new Date(clock)]);
      await t.app.alerting.evaluateNow();
      clock += IN_DOUBT_AFTER_MS + 60_000;
      await t.app.alerting.evaluateNow();
      const [row] = await t.platform.state.query<{ status: string }>(`SELECT status FROM kafka_outbox WHERE dedupe_key = 'action:77:flag_merchant'`);
      assert.equal(row.status, 'unconfirmed');
      assert.equal(await metric(t, topics.action, 'unconfirmed'), 1);
      assert.equal(await countOf(topics.action), before, 'not sent');
    });

    test('a topic that does not exist holds back its own rows only, until it is created', async () => {
      const missing = `${setup.name}.missing.${randomBytes(3).toString('hex')}`;
      const withMissing = { ...topics, anomaly: missing };
      const before = await countOf(topics.alert);
      await t.platform.state.transaction(async (q) => {
        for (const kind of ['anomaly', 'alert'] as const) {
          await enqueue(q, { kind, type: `test.${kind}`, payload: { alert_id: 88 }, dedupeKey: `missing:${kind}`, merchantId: 'm_1', at: clock }, withMissing);
        }
      });
      await t.app.alerting.evaluateNow();
      assert.equal(await countOf(topics.alert), before + 1, 'the other topic goes on');
      const [held] = await t.platform.state.query<{ status: string; last_error: string }>(`SELECT status, last_error FROM kafka_outbox WHERE topic = $1`, [missing]);
      assert.equal(held.status, 'pending');
      assert.match(held.last_error, /unknown topic/i);
      await kafka.createTopic(missing, PARTITIONS);
      clock += 3_600_000;
      await t.app.alerting.evaluateNow();
      const records = await consumeAll(missing, 1);
      assert.deepEqual(records.map((r) => JSON.parse(r.value!).type), ['test.anomaly']);
    });

  });
}
