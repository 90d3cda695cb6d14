// Kafka as a source, against a real Apache Kafka broker (test/support/kafka-broker.ts) with
// events written by Kafka's own console producer:
// - every event is counted exactly once (rollups equal the reference), a duplicate is a
//   duplicate, a poison message lands in the dead-letter table with its bytes and on the
//   dead-letter topic with its reason in headers, and its partition goes on; the store holds
//   each partition's position and Kafka's group offsets follow it (lag 0); the metrics count
//   the messages by topic;
// - a server SIGKILLed mid-stream and started again resumes from the positions in its store:
//   exact totals, each event stored once.
// Waits are bounded by the test timeouts only: nothing here is timed.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKafka, type KafkaBroker } from '../support/kafka-broker.ts';
import { openTempApp } from '../support/temp-app.ts';
import { startServer } from '../support/server-process.ts';
import { randomStream } from '../support/random-stream.ts';
import { acceptedEvents, contributions, rollupOf } from '../support/reference-rollups.ts';
import { readRollup } from '../support/read-rollups.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { openDuckDbStore } from '../../src/store/open-analytics-store.ts';
import { EVENT_TYPES } from '../../src/events/contract.ts';
import { partitionSource } from '../../src/ingest/sources/kafka-source.ts';

type Event = Record<string, unknown>;
let kafka: KafkaBroker;

before(async () => { kafka = await startKafka(); }, { timeout: 180_000 });
after(async () => { await kafka?.stop(); });

/** The stream's events without a second version of an event id (those are conflicts, tested elsewhere). */
function events(seed: number, txns: number): Event[] {
  const first = new Set<string>();
  return randomStream({ seed, txns, start: Date.now() - 12 * 86_400_000, spanMs: 10 * 86_400_000 }).events
    .filter((e) => !first.has(e.event_id as string) && first.add(e.event_id as string));
}

/** Creates each event type's topic under a prefix, and the dead-letter topic. */
async function topics(prefix: string, partitions: number): Promise<{ names: string[]; dlq: string; of(type: string): string }> {
  const names = EVENT_TYPES.map((t) => `${prefix}.${t}`);
  const dlq = `${prefix}.dlq`;
  // Each topic by a JVM of its own: all at once (they wait on the broker as much as they compute).
  await Promise.all([...names.map((n) => kafka.createTopic(n, partitions)), kafka.createTopic(dlq, 1)]);
  return { names, dlq, of: (type) => `${prefix}.${type}` };
}

/** Writes events with Kafka's console producer, each to its type's topic, keyed by transaction. */
async function produce(of: (type: string) => string, evs: Array<Event | { topic: string; raw: string }>): Promise<void> {
  const byTopic = new Map<string, Array<{ key: string; value: string }>>();
  for (const e of evs) {
    const [topic, value, key] = 'raw' in e ? [e.topic as string, e.raw as string, 'poison'] : [of(e.type as string), JSON.stringify(e), String(e.txn_id ?? e.event_id)];
    if (!byTopic.has(topic)) byTopic.set(topic, []);
    byTopic.get(topic)!.push({ key, value });
  }
  // One producer per topic, all at once: order holds within a topic, and there is none across topics.
  await Promise.all([...byTopic].map(([topic, records]) => kafka.consoleProduce(topic, records)));
}

/** The app's own lag per assigned partition (analytics_kafka_consumer_lag): [topic, partition, lag]. */
const lagLines = (metrics: string) => [...metrics.matchAll(/^analytics_kafka_consumer_lag\{topic="([^"]+)",partition="(\d+)"\} (\d+)$/gm)];

async function until(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await new Promise((r) => setTimeout(r, 100));
}

test('events from the console producer: exact rollups, duplicates and a poison message handled, positions stored, lag 0', { timeout: 300_000 }, async () => {
  const t1 = await topics('one', 2);
  const evs = events(7, 500);
  const poison = { topic: t1.of('wallet_txn_created'), raw: '{"event_id": "p1", "type": "wallet_txn_created", "amount": oops}' };
  const duplicate = evs[3];
  await produce(t1.of, [...evs.slice(0, 200), poison, ...evs.slice(200), duplicate]);
  const total = evs.length + 2;

  const app = await openTempApp({
    env: {
      KAFKA_BROKERS: kafka.brokers, KAFKA_TOPICS: t1.names.join(','), KAFKA_DLQ_TOPIC: t1.dlq, KAFKA_GROUP_ID: 'one-group',
      KAFKA_BATCH_MAX_MESSAGES: '100', KAFKA_BATCH_MAX_WAIT_MS: '200', RAW_RETENTION_DAYS: '400',
    },
    parts: ['ingest-kafka'],
  });
  try {
    const s = app.platform.engine.stats;
    await until(async () => s.accepted + s.duplicates + s.rejected >= total);
    assert.equal(s.accepted, acceptedEvents(evs).length);
    assert.equal(s.duplicates, 1 + evs.length - acceptedEvents(evs).length);
    assert.equal(s.rejected, 1);
    const expected = contributions(evs);
    for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
      assert.deepEqual(await readRollup(app.platform.store, table), rollupOf(expected, period), `rollup_${table}`);
    }

    // The poison message: in the table with its bytes, on the dead-letter topic with its reason.
    const letters = (await app.inject({ method: 'GET', url: '/api/v1/dead-letters' })).json();
    assert.equal(letters.items.length, 1);
    assert.equal(letters.items[0].payload, poison.raw);
    assert.equal(letters.items[0].code, 'invalid_json');
    const dlq = await kafka.consoleConsume(t1.dlq, 1, 60_000);
    assert.equal(dlq.length, 1);
    assert.equal(dlq[0].value, poison.raw);
    assert.equal(dlq[0].key, 'poison');
    assert.equal(dlq[0].headers['x-error-code'], 'invalid_json');
    assert.equal(dlq[0].headers['x-source-topic'], poison.topic);

    // Each partition's position is in the store, and Kafka's view of the group follows it.
    await until(async () => (await kafka.groupOffsets('one-group')).every((p) => p.lag === 0 || p.logEnd === 0));
    const groups = await kafka.groupOffsets('one-group');
    const withData = groups.filter((p) => (p.logEnd ?? 0) > 0);
    assert.ok(withData.length >= 4, JSON.stringify(groups));
    for (const p of withData) {
      assert.equal(await app.platform.store.sourcePosition(partitionSource(p.topic, p.partition)), String(p.logEnd), `${p.topic}/${p.partition}`);
      assert.equal(p.committed, p.logEnd);
    }

    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const received = [...metrics.matchAll(/^analytics_kafka_messages_total\{topic="([^"]+)"\} (\d+)$/gm)]
      .reduce((n, m) => n + Number(m[2]), 0);
    assert.equal(received, total, 'every message counted once, by topic');
    // Lag per assigned partition: every partition of every topic, all caught up.
    const lags = async () => lagLines((await app.inject({ method: 'GET', url: '/metrics' })).body);
    await until(async () => (await lags()).length === t1.names.length * 2);
    assert.deepEqual((await lags()).filter((m) => m[3] !== '0').map((m) => m[0]), []);
    assert.match(metrics, new RegExp(`^analytics_kafka_dead_letters_total\\{topic="${poison.topic.replace('.', '\\.')}",code="invalid_json"\\} 1$`, 'm'));
  } finally {
    await app.close();
  }
});

test('SIGKILL mid-stream, start again: the store\'s positions resume the stream, exact totals', { timeout: 600_000 }, async () => {
  const t2 = await topics('two', 3);
  const evs = events(11, 3000);
  // Half the stream before the kill, half after it: however fast the first server is, the
  // restart has messages to read, and it must not read the first half again.
  const half = Math.floor(evs.length / 2);
  await produce(t2.of, evs.slice(0, half));
  const dir = mkdtempSync(join(tmpdir(), 'molam-kafka-crash-'));
  const env = {
    DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '512MB', STATE_SNAPSHOT_INTERVAL_SECONDS: '1', RAW_RETENTION_DAYS: '400',
    KAFKA_BROKERS: kafka.brokers, KAFKA_TOPICS: t2.names.join(','), KAFKA_DLQ_TOPIC: t2.dlq, KAFKA_GROUP_ID: 'two-group',
    KAFKA_BATCH_MAX_MESSAGES: '40', KAFKA_BATCH_MAX_WAIT_MS: '100',
  };
  const token = await mintToken({ roles: ['analytics:ops'] });
  const ingested = async (url: string) => {
    const h = (await (await fetch(new URL('/health', url), { headers: bearer(token) })).json()).ingest;
    return h.accepted + h.duplicates + h.rejected as number;
  };
  const accepted = acceptedEvents(evs).length;
  const started: Array<Awaited<ReturnType<typeof startServer>>> = [];
  try {
    const s1 = await startServer(env);
    started.push(s1);
    await until(async () => (await ingested(s1.url)) > 0);
    s1.child.kill('SIGKILL');
    await s1.stop('SIGKILL');
    await produce(t2.of, evs.slice(half));

    const s2 = await startServer(env);
    started.push(s2);
    // The restarted server goes on from the stored positions (it reads fewer messages than the
    // stream holds: not the first half again) and, in all, each event is stored once.
    // First the server's own lag (cheap to poll), then Kafka's view of the group (a JVM per look).
    await until(async () => {
      const lags = lagLines(await (await fetch(new URL('/metrics', s2.url))).text());
      return lags.length === t2.names.length * 3 && lags.every((m) => m[3] === '0');
    });
    await until(async () => (await kafka.groupOffsets('two-group')).filter((p) => (p.logEnd ?? 0) > 0).every((p) => p.lag === 0));
    const second = await ingested(s2.url);
    assert.ok(second > 0 && second < evs.length, `killed mid-stream, the restart went on from where the store stood (${second} of ${evs.length})`);
    await s2.stop('SIGTERM');

    const st = await openDuckDbStore({ dataDir: dir, memoryLimit: '256MB', threads: 1 });
    try {
      const expected = contributions(evs);
      for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
        assert.deepEqual(await readRollup(st, table), rollupOf(expected, period), `rollup_${table}`);
      }
      const counts = await st.counts();
      assert.equal(counts.rawEvents, accepted);
      assert.equal(counts.distinctEventIds, counts.rawEvents);
    } finally {
      await st.close();
    }
  } finally {
    await Promise.all(started.map((s) => s.stop('SIGKILL')));
    rmSync(dir, { recursive: true, force: true });
  }
});
