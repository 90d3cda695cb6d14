// Kafka as a source: a consumer in the group KAFKA_GROUP_ID reads KAFKA_TOPICS, each message one
// event (its value is the event's JSON, as one NDJSON line), and hands them to the engine in
// batches of at most KAFKA_BATCH_MAX_MESSAGES or KAFKA_BATCH_MAX_WAIT_MS.
//
// Positions. Each batch carries, per partition it read, the partition's next offset
// (`kafka:<topic>/<partition>`), and the store commits them with the events. The store is the
// truth: a message below its partition's stored position is skipped, wherever the group's
// offsets in Kafka say the stream starts (they are committed to Kafka after each store commit,
// for Kafka's own tools to show the lag, so they are never ahead of the store; after a crash
// between the two the stream restarts a little early and the skip drops what is stored).
// Positions are read from the store again after every rebalance.
//
// One writer. The engine's dedupe and transaction state live in this process, so one consumer
// writes at a time: on ClickHouse the writer lease makes a second consumer process wait until
// the first is gone (active/standby), then it rebuilds its state from the store and resumes from
// the stored positions.
//
// Backpressure: at most two batches in flight; while they commit the stream is not read, so the
// client stops fetching (bounded memory). A batch the engine refuses (saturated, recovering) is
// sent again, in order, after a pause.
//
// Poison messages: an event the engine rejects is a dead letter (the table, with its bytes) and,
// once its batch has committed, a message on KAFKA_DLQ_TOPIC with the original key and value and
// the reason in headers. A crash between the two loses the topic's copy, never the table's row.
//
// Stop: the batch being gathered is abandoned (its messages are read again next time), the ones
// handed to the engine are waited for, then the consumer leaves the group.

import {
  Consumer, MessagesStreamFallbackModes, MessagesStreamModes, Producer, ProduceAcks,
  type Message, type MessagesStream,
} from '@platformatic/kafka';
import type { Logger } from 'pino';
import type { Engine } from '../engine.ts';
import type { ItemResult } from '../prepare-batch.ts';
import type { AnalyticsStore, SourcePosition } from '../../store/analytics-store.ts';
import type { Source } from './source.ts';

export interface KafkaSourceOptions {
  engine: Engine;
  store: AnalyticsStore;
  log: Logger;
  brokers: string[];
  clientId: string;
  groupId: string;
  topics: string[];
  dlqTopic: string;
  batchMaxMessages: number;
  batchMaxWaitMs: number;
  /** Called for each message received (metrics). */
  onMessage?: (topic: string) => void;
  /** Called for each message sent to the dead-letter topic (metrics). */
  onDeadLetter?: (topic: string, code: string) => void;
}

export interface KafkaSource extends Source {
  /** Lag per assigned partition (log end offset minus the group's committed offset), as last measured. */
  lag(): Array<{ topic: string; partition: number; lag: number }>;
}

type Msg = Message<Buffer, Buffer, Buffer, Buffer>;

/** The source name of one partition: the key of its position in the store. */
export function partitionSource(topic: string, partition: number): string {
  return `kafka:${topic}/${partition}`;
}

interface Batch {
  messages: Msg[];
  positions: SourcePosition[];
  commits: Array<{ topic: string; partition: number; offset: bigint; leaderEpoch: number }>;
}

const RETRY_MS = 500;
const LAG_INTERVAL_MS = 5_000;

export function createKafkaSource(o: KafkaSourceOptions): KafkaSource {
  let consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | null = null;
  let producer: Producer<Buffer, Buffer, Buffer, Buffer> | null = null;
  let stream: MessagesStream<Buffer, Buffer, Buffer, Buffer> | null = null;
  let running: Promise<void> | null = null;
  let stopping = false;
  let lag: Array<{ topic: string; partition: number; lag: number }> = [];
  /** Next offset per `topic/partition` as the store has it; read again after every rebalance. */
  let stored = new Map<string, bigint>();
  /** Next offset per `topic/partition` after what this consumer handed the engine (committed or in flight). */
  const handed = new Map<string, bigint>();

  /** Whether a message is new: not stored, and not already in a batch handed to the engine. */
  function isNewKnown(m: Msg, next: bigint): boolean {
    const h = handed.get(`${m.topic}/${m.partition}`);
    return m.offset >= (h !== undefined && h > next ? h : next);
  }

  /** The stored position of a message's partition, read from the store once per assignment. */
  async function storedPosition(m: Msg): Promise<bigint> {
    const key = `${m.topic}/${m.partition}`;
    let next = stored.get(key);
    if (next === undefined) {
      const position = await o.store.sourcePosition(partitionSource(m.topic, m.partition));
      next = position === null ? 0n : BigInt(position);
      stored.set(key, next);
    }
    return next;
  }

  /**
   * Gathers the next batch: waits for a first message, then takes what comes within the wait, up
   * to the size. Per message this is cheap on purpose (it runs for every event): one timer per
   * batch, and no store read once a partition's position is known.
   */
  async function gather(it: AsyncIterator<Msg>, pendingNext: { p: Promise<IteratorResult<Msg>> | null }): Promise<Batch | null> {
    const messages: Msg[] = [];
    let timer: NodeJS.Timeout | undefined;
    let waitOver: Promise<null> | null = null;
    try {
      while (messages.length < o.batchMaxMessages && !stopping) {
        pendingNext.p ??= it.next();
        const r = await (waitOver === null ? pendingNext.p : Promise.race([pendingNext.p, waitOver]));
        if (r === null) break; // the wait is over; the pending read is taken by the next batch
        pendingNext.p = null;
        if (r.done) return messages.length ? toBatch(messages) : null;
        const m = r.value;
        o.onMessage?.(m.topic);
        const next = stored.get(`${m.topic}/${m.partition}`) ?? await storedPosition(m);
        if (!isNewKnown(m, next)) continue; // stored already, or on its way
        if (waitOver === null) waitOver = new Promise((resolve) => { timer = setTimeout(() => resolve(null), o.batchMaxWaitMs); });
        messages.push(m);
        handed.set(`${m.topic}/${m.partition}`, m.offset + 1n);
      }
    } finally {
      clearTimeout(timer);
    }
    // Stopping, the batch is abandoned: its messages are read again next time.
    return stopping || messages.length === 0 ? null : toBatch(messages);
  }

  function toBatch(messages: Msg[]): Batch {
    const last = new Map<string, Msg>();
    for (const m of messages) last.set(`${m.topic}/${m.partition}`, m);
    const positionsOut: SourcePosition[] = [];
    const commits: Batch['commits'] = [];
    for (const m of last.values()) {
      positionsOut.push({ source: partitionSource(m.topic, m.partition), position: String(m.offset + 1n) });
      commits.push({ topic: m.topic, partition: m.partition, offset: m.offset + 1n, leaderEpoch: -1 });
    }
    return { messages, positions: positionsOut, commits };
  }

  /** Hands a batch to the engine, again after a pause while it is refused; resolves once committed. */
  async function submit(batch: Batch): Promise<ItemResult[]> {
    const items = batch.messages.map((m) => (m.value ? m.value.toString('utf8') : ''));
    for (let attempt = 0; ; attempt++) {
      try {
        return await o.engine.submit({ source: 'kafka', positions: batch.positions, items });
      } catch (err) {
        if (stopping && attempt > 0) throw err;
        o.log.warn({ err: (err as Error).message, attempt }, 'kafka: batch refused by the engine; sending it again');
        await sleep(Math.min(10_000, RETRY_MS * 2 ** Math.min(attempt, 5)));
      }
    }
  }

  async function afterCommit(batch: Batch, results: ItemResult[]): Promise<void> {
    for (const c of batch.commits) {
      const key = `${c.topic}/${c.partition}`;
      if ((stored.get(key) ?? 0n) < c.offset) stored.set(key, c.offset);
    }
    const poison: Array<{ m: Msg; r: Extract<ItemResult, { status: 'rejected' }> }> = [];
    results.forEach((r, i) => { if (r.status === 'rejected') poison.push({ m: batch.messages[i], r }); });
    if (poison.length) {
      try {
        await producer!.send({
          messages: poison.map(({ m, r }) => ({
            topic: o.dlqTopic, key: m.key ?? undefined, value: m.value ?? Buffer.alloc(0),
            headers: new Map<Buffer, Buffer>([
              [Buffer.from('x-error-code'), Buffer.from(r.code)],
              [Buffer.from('x-error-message'), Buffer.from(r.message)],
              ...(r.field ? [[Buffer.from('x-error-field'), Buffer.from(r.field)] as [Buffer, Buffer]] : []),
              [Buffer.from('x-source-topic'), Buffer.from(m.topic)],
              [Buffer.from('x-source-partition'), Buffer.from(String(m.partition))],
              [Buffer.from('x-source-offset'), Buffer.from(String(m.offset))],
            ]),
          })),
        });
        for (const { m, r } of poison) o.onDeadLetter?.(m.topic, r.code);
      } catch (err) {
        o.log.error({ err, messages: poison.length }, 'kafka: dead-letter topic write failed (the dead-letter table has them)');
      }
    }
    // Kafka's own view of the group follows the store (for lag in Kafka's tools); the store stays the truth.
    try {
      await consumer!.commit({ offsets: batch.commits });
    } catch (err) {
      o.log.warn({ err: (err as Error).message }, 'kafka: offset commit to Kafka failed (the store holds the positions)');
    }
  }

  async function run(): Promise<void> {
    for (let attempt = 0; !stopping; attempt++) {
      try {
        await consumeUntilStopped();
        return;
      } catch (err) {
        if (stopping) return;
        o.log.error({ err, attempt }, 'kafka: consumer failed; starting again');
        await closeClients();
        await sleep(Math.min(30_000, RETRY_MS * 2 ** Math.min(attempt, 6)));
      }
    }
  }

  async function consumeUntilStopped(): Promise<void> {
    // Every batch of an earlier run has been answered: the store knows where each partition stands.
    handed.clear();
    stored = new Map();
    consumer = new Consumer({
      clientId: o.clientId, groupId: o.groupId, bootstrapBrokers: o.brokers, autocommit: false,
      maxWaitTime: Math.min(o.batchMaxWaitMs, 1000), sessionTimeout: 30_000, heartbeatInterval: 3_000, rebalanceTimeout: 60_000,
    });
    producer = new Producer({ clientId: `${o.clientId}-dlq`, bootstrapBrokers: o.brokers, acks: ProduceAcks.ALL });
    consumer.on('consumer:group:join', () => { stored = new Map(); });
    consumer.on('consumer:group:rebalance', () => { stored = new Map(); });
    stream = await consumer.consume({
      topics: o.topics, mode: MessagesStreamModes.COMMITTED, fallbackMode: MessagesStreamFallbackModes.EARLIEST,
      autocommit: false, highWaterMark: Math.max(1024, o.batchMaxMessages),
    });
    const lagTimer = setInterval(() => { measureLag().catch((err) => o.log.debug({ err }, 'kafka: lag not measured')); }, LAG_INTERVAL_MS);
    lagTimer.unref();
    const failed = new Promise<never>((_, reject) => stream!.once('error', reject));
    failed.catch(() => undefined);
    const it = stream[Symbol.asyncIterator]() as AsyncIterator<Msg>;
    const pendingNext: { p: Promise<IteratorResult<Msg>> | null } = { p: null };
    // Two batches in flight at most: the engine prepares one while the other commits.
    let inflight: Promise<void> | null = null;
    try {
      while (!stopping) {
        const batch = await Promise.race([gather(it, pendingNext), failed]);
        if (!batch) {
          if (stopping) break;
          continue;
        }
        const prev: Promise<void> | null = inflight;
        const results = submit(batch);
        inflight = (async () => {
          if (prev) await prev; // positions and Kafka commits in order
          await afterCommit(batch, await results);
        })();
        if (prev) await prev;
      }
    } finally {
      clearInterval(lagTimer);
      if (inflight) await (inflight as Promise<void>).catch((err) => o.log.warn({ err: (err as Error).message }, 'kafka: batch abandoned at stop'));
    }
  }

  /**
   * Lag per assigned partition: its log end offset minus the position the store holds. (The
   * client's own lag counts only commits made through a message, not the group commits made here.)
   */
  async function measureLag(): Promise<void> {
    const c = consumer;
    const assigned = c?.assignments ?? [];
    if (!c || assigned.length === 0) {
      lag = [];
      return;
    }
    const ends = await c.listOffsets({ topics: assigned.map((a) => a.topic), timestamp: -1n });
    const next: typeof lag = [];
    for (const a of assigned) {
      for (const partition of a.partitions) {
        const end = ends.get(a.topic)?.[partition];
        if (end === undefined) continue;
        const key = `${a.topic}/${partition}`;
        let at = stored.get(key);
        if (at === undefined) {
          const position = await o.store.sourcePosition(partitionSource(a.topic, partition));
          at = position === null ? 0n : BigInt(position);
        }
        next.push({ topic: a.topic, partition, lag: Math.max(0, Number(end - at)) });
      }
    }
    lag = next;
  }

  async function closeClients(): Promise<void> {
    await stream?.close().catch(() => undefined);
    await consumer?.close().catch(() => undefined);
    await producer?.close().catch(() => undefined);
    stream = null;
    consumer = null;
    producer = null;
  }

  return {
    name: 'kafka',
    async start() {
      if (o.brokers.length === 0) throw new Error('the Kafka source needs KAFKA_BROKERS');
      stopping = false;
      running = run().catch((err) => o.log.error({ err }, 'kafka: consumer stopped'));
    },
    async stop() {
      stopping = true;
      // Closing the stream ends a read in progress; the batches handed over are waited for.
      await stream?.close().catch(() => undefined);
      await running;
      await closeClients();
    },
    lag: () => lag,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
