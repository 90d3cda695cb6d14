// Kafka helpers of bench/kafka-run.ts, with the platform's own client (@platformatic/kafka):
// - produceFile writes an NDJSON file to a topic, one event per message keyed by its txn_id, as a
//   producer of the platform should (Java's partitioner, so a transaction stays on one
//   partition), fast enough that the data set is in Kafka before any consumer starts;
// - bareConsume reads a topic to its end in a fresh group and throws the messages away: the
//   client's own ceiling on this machine, beside what the platform's consumer achieves.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import {
  Consumer, MessagesStreamFallbackModes, MessagesStreamModes, Producer, ProduceAcks, compatibilityPartitioner,
} from '@platformatic/kafka';

// The broker's default message.max.bytes (1 MB) bounds one partition's record batch in a request:
// 2,000 events of ~300 bytes stay under it even when they all go to one partition.
const MESSAGES_PER_SEND = 2_000;
const SENDS_IN_FLIGHT = 4;
const TXN_ID = /"txn_id":"([^"]*)"/;

export interface ProduceFigures { messages: number; seconds: number; messagesPerSecond: number }

/** Every line of `file` as one message on `topic` (acks=all), keyed by txn_id (else event_id). */
export async function produceFile(brokers: string, topic: string, file: string): Promise<ProduceFigures> {
  const producer = new Producer({
    clientId: 'bench-producer', bootstrapBrokers: [brokers], acks: ProduceAcks.ALL, partitioner: compatibilityPartitioner,
  });
  const inflight = new Set<Promise<unknown>>();
  let failure: Error | null = null;
  let messages = 0;
  let pending: Array<{ topic: string; key: Buffer; value: Buffer }> = [];
  const flush = async () => {
    while (inflight.size >= SENDS_IN_FLIGHT) await Promise.race(inflight);
    if (failure) throw failure;
    const send = producer.send({ messages: pending }).catch((err: Error) => { failure ??= err; });
    pending = [];
    inflight.add(send);
    void send.finally(() => inflight.delete(send));
  };
  const t0 = performance.now();
  try {
    for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
      if (!line) continue;
      const key = TXN_ID.exec(line)?.[1] ?? /"event_id":"([^"]*)"/.exec(line)?.[1] ?? '';
      pending.push({ topic, key: Buffer.from(key), value: Buffer.from(line) });
      messages++;
      if (pending.length === MESSAGES_PER_SEND) await flush();
    }
    if (pending.length) await flush();
    await Promise.all(inflight);
    if (failure) throw failure;
  } finally {
    await producer.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  return { messages, seconds, messagesPerSecond: messages / seconds };
}

/** Reads `count` messages of `topic` from the start, in a new group, and discards them. */
export async function bareConsume(brokers: string, topic: string, count: number, group: string): Promise<ProduceFigures> {
  // The platform consumer's fetch settings (src/ingest/sources/kafka-source.ts), default batch size.
  const consumer = new Consumer({
    clientId: 'bench-bare-consumer', groupId: group, bootstrapBrokers: [brokers], autocommit: false,
    maxWaitTime: 500, sessionTimeout: 30_000, heartbeatInterval: 3_000, rebalanceTimeout: 60_000,
  });
  const t0 = performance.now();
  let messages = 0;
  try {
    const stream = await consumer.consume({
      topics: [topic], mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: false, highWaterMark: 10_000,
    });
    for await (const m of stream) {
      if (m.value) messages++;
      if (messages >= count) break;
    }
  } finally {
    await consumer.close(true);
  }
  const seconds = (performance.now() - t0) / 1000;
  return { messages, seconds, messagesPerSecond: messages / seconds };
}
