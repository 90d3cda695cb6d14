// The Kafka client the project uses (@platformatic/kafka) against a real Apache Kafka broker
// (test/support/kafka-broker.ts), with Kafka's own console tools as the independent witness:
// records written by the console producer are read by the client in a consumer group with
// manual commits; the commits are what Kafka's kafka-consumer-groups reports and what the next
// member resumes from; a paused stream receives nothing until resumed; two members split the
// partitions and one takes them all back when the other leaves; the client's producer writes
// headers the console consumer reads, on the partition Kafka's own partitioner picks per key.
// No timing is asserted: waits only bound how long a broken feature takes to fail.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Admin, Consumer, GroupProtocols, MessagesStreamFallbackModes, MessagesStreamModes, Producer, ProduceAcks,
  compatibilityPartitioner, stringDeserializers, stringSerializers,
  type Message, type MessagesStream,
} from '@platformatic/kafka';
import { startKafka, type KafkaBroker } from '../support/kafka-broker.ts';

type StringMessage = Message<string, string, string, string>;
type StringStream = MessagesStream<string, string, string, string>;

const WAIT_MS = 90_000;
let kafka: KafkaBroker;

before(async () => { kafka = await startKafka(); }, { timeout: 180_000 });
after(async () => { await kafka?.stop(); });

/**
 * A group member with manual commits. 'classic' is the JoinGroup/SyncGroup protocol with
 * client-side assignment; 'consumer' is KIP-848's (the broker assigns, heartbeats every 5 s by
 * the broker's default).
 */
function newConsumer(groupId: string, clientId: string, protocol: 'classic' | 'consumer' = 'classic'): Consumer<string, string, string, string> {
  const common = { groupId, clientId, bootstrapBrokers: [kafka.brokers], deserializers: stringDeserializers, autocommit: false, maxWaitTime: 500 };
  return protocol === 'consumer'
    ? new Consumer({ ...common, groupProtocol: GroupProtocols.CONSUMER })
    // Short beats so a rebalance is noticed quickly; a session long enough for a loaded machine.
    : new Consumer({ ...common, sessionTimeout: 20_000, heartbeatInterval: 500, rebalanceTimeout: 30_000 });
}

/** A group stream that resumes from the group's commits, from the start when it has none. */
function consume(consumer: Consumer<string, string, string, string>, topic: string): Promise<StringStream> {
  return consumer.consume({ topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST });
}

/** Collects messages from a flowing stream; `take(n)` resolves with the next n not yet taken. */
function collector(stream: StringStream) {
  const received: StringMessage[] = [];
  let taken = 0;
  let wake: (() => void) | undefined;
  let failure: Error | undefined;
  stream.on('data', (m: StringMessage) => { received.push(m); wake?.(); });
  stream.on('error', (err: Error) => { failure = err; wake?.(); });
  return {
    received,
    async take(n: number): Promise<StringMessage[]> {
      const target = taken + n;
      const deadline = Date.now() + WAIT_MS;
      while (received.length < target && !failure && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        await new Promise<void>((resolve) => { wake = resolve; timer = setTimeout(resolve, deadline - Date.now()); });
        clearTimeout(timer);
        wake = undefined;
      }
      if (failure) throw failure;
      assert.ok(received.length >= target, `expected ${n} more messages, got ${received.length - taken}`);
      taken = target;
      return received.slice(target - n, target);
    },
  };
}

async function until(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const assigned = (c: Consumer<string, string, string, string>, topic: string) =>
  (c.assignments ?? []).filter((a) => a.topic === topic).flatMap((a) => a.partitions).sort();

describe('@platformatic/kafka against Apache Kafka', () => {
  test('reads console-produced records in a group with manual commits that Kafka reports and the next member resumes from', async () => {
    await kafka.createTopic('payments', 3);
    const records = Array.from({ length: 30 }, (_, i) => ({
      key: `m_${i}`, value: JSON.stringify({ id: `evt_${i}`, amount_minor: 100 * i }),
      headers: i === 7 ? { 'event-type': 'payment.succeeded', source: 'console' } : undefined,
    }));
    await kafka.consoleProduce('payments', records);

    const consumer = newConsumer('analytics', 'c1');
    try {
      const stream = await consume(consumer, 'payments');
      const got = await collector(stream).take(30);
      assert.deepEqual(got.map((m) => m.value).sort(), records.map((r) => r.value).sort());
      assert.deepEqual(new Set(got.map((m) => m.partition)), new Set([0, 1, 2]), 'keys spread over all partitions');
      const seven = got.find((m) => m.key === 'm_7')!;
      assert.deepEqual(Object.fromEntries(seven.headers), { 'event-type': 'payment.succeeded', source: 'console' });

      // Commit everything but the last record of partition 0: one through the message, the
      // rest in one call (offset = next to read; leaderEpoch -1 = unknown).
      const lastOf = (p: number) => got.filter((m) => m.partition === p).at(-1)!;
      await lastOf(1).commit();
      await consumer.commit({
        offsets: [
          { topic: 'payments', partition: 0, offset: lastOf(0).offset, leaderEpoch: -1 },
          { topic: 'payments', partition: 2, offset: lastOf(2).offset + 1n, leaderEpoch: -1 },
        ],
      });

      const rows = await kafka.groupOffsets('analytics');
      assert.deepEqual(rows.map((r) => [r.partition, r.committed, r.lag]), [
        [0, Number(lastOf(0).offset), 1], [1, Number(lastOf(1).offset) + 1, 0], [2, Number(lastOf(2).offset) + 1, 0],
      ]);
      assert.ok(rows.every((r) => r.consumerId !== null && r.clientId === 'c1'), 'the live member holds all three');

      // The same through the client's Admin: committed offsets and log-end offsets, hence the lag.
      // (consumer.getLag is no witness: it counts only commits made through message.commit().)
      const admin = new Admin({ clientId: 'admin', bootstrapBrokers: [kafka.brokers] });
      try {
        const [group] = await admin.listConsumerGroupOffsets({ groups: ['analytics'] });
        const committed = group!.topics.find((t) => t.name === 'payments')!.partitions
          .sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => Number(p.committedOffset));
        assert.deepEqual(committed, rows.map((r) => r.committed));
        const [ends] = await admin.listOffsets({
          topics: [{ name: 'payments', partitions: [0, 1, 2].map((partitionIndex) => ({ partitionIndex, timestamp: -1n })) }],
        });
        assert.deepEqual(ends!.partitions.sort((a, b) => a.partitionIndex - b.partitionIndex).map((p) => Number(p.offset)),
          rows.map((r) => r.logEnd));
      } finally {
        await admin.close();
      }
      await stream.close();
    } finally {
      await consumer.close(true);
    }

    // The next member of the group reads only what was not committed.
    const next = newConsumer('analytics', 'c2');
    try {
      const stream = await consume(next, 'payments');
      const [again] = await collector(stream).take(1);
      assert.equal(again!.partition, 0);
      assert.equal(again!.value, (await kafka.consoleConsume('payments', 30)).filter((r) => r.partition === 0).at(-1)!.value);
      await stream.close();
    } finally {
      await next.close(true);
    }
  });

  test('a paused stream receives nothing until it is resumed', async () => {
    await kafka.createTopic('paused', 3);
    const consumer = newConsumer('pausing', 'p1');
    try {
      const stream = await consume(consumer, 'paused');
      const inbox = collector(stream);
      await kafka.consoleProduce('paused', ['a1', 'a2', 'a3'].map((v) => ({ key: v, value: v })));
      await inbox.take(3);

      stream.pause();
      await kafka.consoleProduce('paused', ['b1', 'b2', 'b3'].map((v) => ({ key: v, value: v })));
      // Room for a wrongly delivered message: 2 s from the second batch on, while the console
      // consumer checks that the broker holds both batches.
      const [held] = await Promise.all([kafka.consoleConsume('paused', 6), new Promise((r) => setTimeout(r, 2000))]);
      assert.equal(held.length, 6, 'the broker holds both batches');
      assert.equal(inbox.received.length, 3, 'nothing arrives while paused');

      stream.resume();
      assert.deepEqual((await inbox.take(3)).map((m) => m.value).sort(), ['b1', 'b2', 'b3']);
      await stream.close();
    } finally {
      await consumer.close(true);
    }
  });

  for (const protocol of ['classic', 'consumer'] as const) {
    test(`two members split the partitions; the one left takes them all back (${protocol} protocol)`, async () => {
      const topic = `split-${protocol}`;
      await kafka.createTopic(topic, 3);
      const first = newConsumer(`splitters-${protocol}`, 's1', protocol);
      const second = newConsumer(`splitters-${protocol}`, 's2', protocol);
      try {
        const s1 = await consume(first, topic);
        const in1 = collector(s1);
        await until('the first member holds all partitions', () => assigned(first, topic).length === 3);

        const s2 = await consume(second, topic);
        const in2 = collector(s2);
        await until('the partitions are split between both members', () => {
          const a = assigned(first, topic);
          const b = assigned(second, topic);
          return a.length > 0 && b.length > 0 && [...a, ...b].sort().join() === '0,1,2';
        });
        const rows = await kafka.groupOffsets(`splitters-${protocol}`);
        assert.equal(new Set(rows.map((r) => r.clientId)).size, 2, 'Kafka sees two members holding partitions');

        const keys = Array.from({ length: 30 }, (_, i) => `k${i}`);
        await kafka.consoleProduce(topic, keys.map((k) => ({ key: k, value: k })));
        await until('both members together received all 30', () => in1.received.length + in2.received.length >= 30);
        assert.deepEqual([...in1.received, ...in2.received].map((m) => m.value).sort(), [...keys].sort());
        assert.ok(in1.received.every((m) => assigned(first, topic).includes(m.partition)));
        assert.ok(in2.received.every((m) => assigned(second, topic).includes(m.partition)));
        for (const m of [...in1.received, ...in2.received]) await m.commit();

        await s2.close();
        await second.close(true); // leaves the group
        await until('the remaining member holds all partitions again', () => assigned(first, topic).length === 3);
        const before = in1.received.length;
        const more = Array.from({ length: 30 }, (_, i) => `later${i}`);
        await kafka.consoleProduce(topic, more.map((k) => ({ key: k, value: k })));
        await until('the remaining member received all 30', () => in1.received.length - before >= 30);
        const got = in1.received.slice(before);
        assert.equal(got.length, 30);
        assert.deepEqual(got.map((m) => m.value).sort(), [...more].sort());
        assert.deepEqual(new Set(got.map((m) => m.partition)), new Set([0, 1, 2]));
        await s1.close();
      } finally {
        await second.close(true); // a no-op when already closed
        await first.close(true);
      }
    });
  }

  test('the producer writes keys and headers Kafka reads back, on the partition Kafka picks for the key', async () => {
    await kafka.createTopic('produced', 3);
    const keys = Array.from({ length: 12 }, (_, i) => `merchant_${i}`);
    await kafka.consoleProduce('produced', keys.map((k) => ({ key: k, value: 'console' })));

    const producer = new Producer({
      clientId: 'writer', bootstrapBrokers: [kafka.brokers], serializers: stringSerializers,
      partitioner: compatibilityPartitioner, acks: ProduceAcks.ALL,
    });
    try {
      await producer.send({
        messages: keys.map((key, i) => ({
          topic: 'produced', key, value: JSON.stringify({ i }),
          headers: { 'event-type': 'payment.refunded', 'trace-id': `t${i}` },
        })),
      });
    } finally {
      await producer.close();
    }

    const seen = await kafka.consoleConsume('produced', 24);
    assert.equal(seen.length, 24);
    const byKey = (v: (r: (typeof seen)[number]) => boolean) => new Map(seen.filter(v).map((r) => [r.key, r]));
    const fromConsole = byKey((r) => r.value === 'console');
    const fromClient = byKey((r) => r.value !== 'console');
    for (const [i, key] of keys.entries()) {
      const c = fromClient.get(key)!;
      assert.deepEqual(c.headers, { 'event-type': 'payment.refunded', 'trace-id': `t${i}` });
      assert.equal(c.value, JSON.stringify({ i }));
      assert.equal(c.partition, fromConsole.get(key)!.partition, `${key} on the Java client's partition`);
    }
  });
});
