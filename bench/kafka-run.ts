// Bench child: Kafka consumers and the cluster (issue 12). bench/kafka-run.ts FILE
// [--partitions 1,6] [--backends duckdb,clickhouse] [--batch-max-messages N] [--file-baseline true] [--latency single,cluster]
// [--latency-rate 200] [--latency-batches-per-second 10] [--latency-seconds 60] [--latency-warmup 5]
// [--latency-wait-ms 500,100] (the consumer's KAFKA_BATCH_MAX_WAIT_MS in the latency runs; 500 is the default)
//
// A private Apache Kafka broker (test/support/kafka-broker.ts, full JIT) and, for ClickHouse, a
// private clickhouse-server, on the same machine. Side by side in one run:
// 1. per partition count: the whole NDJSON file is produced to a topic of that many partitions
//    first (bench/kafka-produce.ts); the client alone reads it back (bare consumer); then the real
//    server consumes it, alone, into each backend (bench/kafka-throughput.ts): DuckDB as ROLE=all,
//    ClickHouse as ROLE=consumer, each the one writer of a fresh store, default batch settings
//    (--batch-max-messages sets KAFKA_BATCH_MAX_MESSAGES for these runs);
// 2. the same file ingested from disk into each backend (bench/ingest-run.ts, batches of 10,000
//    like the consumer's default): what Kafka adds;
// 3. produce → WebSocket delta at a steady modest rate (bench/kafka-latency.ts): one server on
//    DuckDB, and the cluster (consumer + api replica on ClickHouse, Redis at 127.0.0.1:6379).
// One JSON line on stdout; progress on stderr. Run by bench/main.ts (`--only kafka`).

import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { startKafka, THROUGHPUT_BROKER_JVM } from '../test/support/kafka-broker.ts';
import { startClickHouse, type ClickHouseServer } from '../test/support/clickhouse-server.ts';
import { bareConsume, produceFile } from './kafka-produce.ts';
import { consumeTopic } from './kafka-throughput.ts';
import { produceToDelta } from './kafka-latency.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    partitions: { type: 'string', default: '1,6' }, backends: { type: 'string', default: 'duckdb,clickhouse' },
    'batch-max-messages': { type: 'string', default: '' },
    'file-baseline': { type: 'string', default: 'true' }, latency: { type: 'string', default: 'single,cluster' },
    'latency-rate': { type: 'string', default: '200' }, 'latency-batches-per-second': { type: 'string', default: '10' },
    'latency-seconds': { type: 'string', default: '60' }, 'latency-warmup': { type: 'string', default: '5' },
    'latency-wait-ms': { type: 'string', default: '500,100' },
  },
});
const [file] = positionals;
if (!file) throw new Error('usage: bench/kafka-run.ts FILE [options]');
const list = (s: string) => s.split(',').map((x) => x.trim()).filter(Boolean);
const partitionCounts = list(values.partitions!).map(Number);
const backends = list(values.backends!) as Array<'duckdb' | 'clickhouse'>;
for (const b of backends) if (b !== 'duckdb' && b !== 'clickhouse') throw new Error(`unknown backend ${b}`);
const latencyScenarios = list(values.latency!) as Array<'single' | 'cluster'>;
for (const s of latencyScenarios) if (s !== 'single' && s !== 'cluster') throw new Error(`unknown latency scenario ${s}`);
const log = (msg: string) => process.stderr.write(`  kafka: ${msg}\n`);

const kafka = await startKafka({ jvmOptions: THROUGHPUT_BROKER_JVM });
let ch: ClickHouseServer | null = null;
try {
  if (backends.includes('clickhouse') || latencyScenarios.includes('cluster')) ch = await startClickHouse();
  const clickhouseEnv = async () => ({ ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: ch!.url, CLICKHOUSE_DATABASE: await ch!.createDatabase('kafka') });
  await kafka.createTopic('bench.dlq', 1);
  const kafkaEnv = { KAFKA_BROKERS: kafka.brokers, KAFKA_DLQ_TOPIC: 'bench.dlq' };

  const throughput = [];
  for (const partitions of partitionCounts) {
    const topic = `bench.p${partitions}`;
    await kafka.createTopic(topic, partitions);
    log(`${topic}: producing ${file}…`);
    const produce = await produceFile(kafka.brokers, topic, file);
    log(`${topic}: ${produce.messages} messages in ${produce.seconds.toFixed(1)} s; the bare consumer…`);
    const bare = await bareConsume(kafka.brokers, topic, produce.messages, `bench-bare-${partitions}-${process.pid}`);
    const consumers = [];
    for (const backend of backends) {
      log(`${topic}: the platform's consumer into ${backend}…`);
      const env = {
        ...kafkaEnv, KAFKA_TOPICS: topic, KAFKA_GROUP_ID: `bench-${backend}-${partitions}-${process.pid}`,
        ...(values['batch-max-messages'] ? { KAFKA_BATCH_MAX_MESSAGES: values['batch-max-messages'] } : {}),
        ...(backend === 'clickhouse' ? await clickhouseEnv() : {}),
      };
      const r = await consumeTopic({ backend, partitions, events: produce.messages, env });
      log(`${topic} → ${backend}: ${r.eventsPerSecond} events/s (${r.seconds} s), server CPU ${r.serverCpuPct}%`);
      consumers.push(r);
    }
    throughput.push({ partitions, topic, produce, bare, consumers });
  }

  const fileBaseline: Record<string, unknown> = {};
  if (values['file-baseline'] === 'true') {
    for (const backend of backends) {
      log(`the same file from disk into ${backend} (bench/ingest-run.ts, batches of 10,000)…`);
      const dataDir = `.bench/data-kafka-baseline-${backend}`;
      const env = backend === 'clickhouse' ? await clickhouseEnv() : {};
      const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/ingest-run.ts', file, dataDir, '10000'], {
        env: { ...process.env, ...env }, encoding: 'utf8', maxBuffer: 1 << 26, stdio: ['ignore', 'pipe', 'inherit'],
      });
      rmSync(dataDir, { recursive: true, force: true });
      if (r.status !== 0) throw new Error(`bench/ingest-run.ts exited with ${r.status}`);
      fileBaseline[backend] = JSON.parse(r.stdout.trim().split('\n').pop()!);
    }
  }

  const latency = [];
  for (const name of latencyScenarios) for (const batchMaxWaitMs of list(values['latency-wait-ms']!).map(Number)) {
    log(`produce → delta, ${name}, KAFKA_BATCH_MAX_WAIT_MS=${batchMaxWaitMs}: ${values['latency-rate']} events/s for ${values['latency-seconds']} s…`);
    const env: Record<string, string> = name === 'single' ? { ...kafkaEnv } : {
      ...kafkaEnv, ...(await clickhouseEnv()),
      REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `molam-kafka-bench-${process.pid}-${randomBytes(4).toString('hex')}`,
    };
    const r = await produceToDelta({
      kafka, name, env, batchMaxWaitMs, rate: Number(values['latency-rate']), batchesPerSecond: Number(values['latency-batches-per-second']),
      seconds: Number(values['latency-seconds']), warmup: Number(values['latency-warmup']),
    });
    log(`${name}: produce → delta P50/P95/P99 ${r.produceToDeltaMs.p50}/${r.produceToDeltaMs.p95}/${r.produceToDeltaMs.p99} ms over ${r.produceToDeltaMs.samples} batches`);
    latency.push(r);
  }
  console.log(JSON.stringify({
    clickhouseVersion: ch?.version ?? null, events: throughput[0]?.produce.messages,
    batchMaxMessages: Number(values['batch-max-messages'] || 10_000), throughput, fileBaseline, latency,
  }));
} finally {
  await ch?.stop();
  await kafka.stop();
}
