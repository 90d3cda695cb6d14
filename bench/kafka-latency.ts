// Produce → WebSocket delta, one scenario of bench/kafka-run.ts. A fresh platform consumes a topic
// of six partitions: `single` is one server (ROLE=all, embedded DuckDB) that consumes and serves
// the WebSocket; `cluster` is a consumer (ROLE=consumer, ClickHouse) and an api replica (ROLE=api)
// that follows its commits through Redis, with the client on the api replica.
//
// One Socket.IO client, in this process, subscribes to `global`. The producer (this process too,
// so one clock) sends a small batch of new payments stamped "now" on a fixed schedule, keyed by
// txn_id. A delta carries counts, not event ids, so latency is per batch: after batch i, N_i
// events have been produced in all; its latency is the receipt of the first delta whose
// last_60m.tx_count ≥ N_i, minus the moment batch i's send() was called (its ack came later:
// the ack time is recorded too). Batches of the first --warmup seconds are left out.

import { randomBytes } from 'node:crypto';
import { Producer, ProduceAcks, compatibilityPartitioner } from '@platformatic/kafka';
import { liveClient } from '../test/support/live-client.ts';
import type { KafkaBroker } from '../test/support/kafka-broker.ts';
import { paymentLines } from './live-load.ts';
import { histogramSummary, mint, quantile, r1, readMetrics, startBenchServer, type BenchServer } from './bench-support.ts';

export interface LatencyOptions {
  kafka: KafkaBroker; name: 'single' | 'cluster'; rate: number; batchesPerSecond: number; seconds: number; warmup: number;
  /** The consumer's KAFKA_BATCH_MAX_WAIT_MS: at this rate a batch is handed over when it runs out, so it bounds the wait. */
  batchMaxWaitMs: number;
  /** The settings every server of the scenario gets (Kafka, store, cluster). */
  env: Record<string, string>;
}

interface Sent { n: number; sentAt: number; ackAt: number }

function stats(ms: number[]) {
  const s = Float64Array.from(ms).sort();
  return { samples: s.length, p50: r1(quantile(s, 0.5)), p95: r1(quantile(s, 0.95)), p99: r1(quantile(s, 0.99)), max: r1(s[s.length - 1] ?? NaN) };
}

export async function produceToDelta(o: LatencyOptions) {
  const topic = `bench.live.${o.name}.w${o.batchMaxWaitMs}`;
  await o.kafka.createTopic(topic, 6);
  const secret = randomBytes(32).toString('base64url');
  const env = {
    ...o.env, KAFKA_TOPICS: topic, KAFKA_GROUP_ID: `bench-live-${o.name}-${o.batchMaxWaitMs}-${process.pid}`,
    KAFKA_BATCH_MAX_WAIT_MS: String(o.batchMaxWaitMs),
  };
  const servers: BenchServer[] = [];
  const producer = new Producer({ clientId: 'bench-live-producer', bootstrapBrokers: [o.kafka.brokers], acks: ProduceAcks.ALL, partitioner: compatibilityPartitioner });
  try {
    // The writer first: on ClickHouse it creates the tables the api replica waits for.
    servers.push(await startBenchServer(`${o.name}-ingest`, secret, { ...env, ROLE: o.name === 'single' ? 'all' : 'consumer' }));
    if (o.name === 'cluster') servers.push(await startBenchServer(`${o.name}-api`, secret, { ...env, ROLE: 'api' }));
    const emitter = servers[servers.length - 1];
    const client = await liveClient(emitter.url, await mint(secret, { roles: ['analytics:ops'] }, 'bench-kafka-live'));
    const deltas: number[] = []; // receipt time, last_60m.tx_count, …
    client.socket.on('delta', (d: { room: string; last_60m: { tx_count: number | null } }) => {
      if (d.room === 'global') deltas.push(performance.now(), d.last_60m.tx_count ?? 0);
    });
    const subscribed = await client.subscribe('global');
    if (!subscribed.ok) throw new Error(`subscribe global: ${subscribed.code}`);
    const before = await readMetrics(emitter.url);

    const size = Math.round(o.rate / o.batchesPerSecond);
    const total = Math.round((o.seconds + o.warmup) * o.batchesPerSecond);
    const run = `kl${process.pid}${o.name}`;
    const sent: Sent[] = [];
    const inflight = new Set<Promise<void>>();
    let failure: Error | null = null;
    let maxBehindMs = 0;
    const start = performance.now();
    for (let i = 0; i < total && !failure; i++) {
      const due = start + (i * 1000) / o.batchesPerSecond;
      const wait = due - performance.now();
      if (wait > 1) await new Promise((r) => setTimeout(r, wait));
      maxBehindMs = Math.max(maxBehindMs, performance.now() - due);
      const rec: Sent = { n: (i + 1) * size, sentAt: performance.now(), ackAt: NaN };
      sent.push(rec);
      const messages = paymentLines(run, i, size).map((line, j) => ({ topic, key: Buffer.from(`${run}_${i}_${j}`), value: Buffer.from(line) }));
      const p = producer.send({ messages }).then(() => { rec.ackAt = performance.now(); })
        .catch((err: Error) => { failure ??= err; }).finally(() => inflight.delete(p));
      inflight.add(p);
    }
    await Promise.all(inflight);
    if (failure) throw failure;
    const produced = total * size;
    const drainUntil = performance.now() + 30_000;
    while ((deltas[deltas.length - 1] ?? 0) < produced && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 500));
    const after = await readMetrics(emitter.url);
    client.close();

    const fromSend: number[] = [], fromAck: number[] = [], ack: number[] = [];
    let missing = 0, k = 0;
    for (const b of sent.slice(Math.round(o.warmup * o.batchesPerSecond))) {
      while (k < deltas.length && deltas[k + 1] < b.n) k += 2;
      ack.push(b.ackAt - b.sentAt);
      if (k >= deltas.length) { missing++; continue; }
      fromSend.push(deltas[k] - b.sentAt);
      fromAck.push(Math.max(0, deltas[k] - b.ackAt));
    }
    return {
      name: o.name, batchMaxWaitMs: o.batchMaxWaitMs, servers: servers.map((s) => s.name), rate: o.rate, batchEvents: size, batchesPerSecond: o.batchesPerSecond,
      seconds: o.seconds, warmup: o.warmup, produced, counted: deltas[deltas.length - 1] ?? 0, deltas: deltas.length / 2,
      maxBehindScheduleMs: Math.round(maxBehindMs), missing,
      produceToDeltaMs: stats(fromSend), ackToDeltaMs: stats(fromAck), produceAckMs: stats(ack),
      commitToEmit: histogramSummary(before, after),
    };
  } finally {
    await producer.close();
    for (const s of servers.reverse()) await s.stop();
  }
}
