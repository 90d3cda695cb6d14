// Prints bench/kafka-run.ts's result as Markdown tables (bench/main.ts, `--only kafka`).

interface Rate { messages: number; seconds: number; messagesPerSecond: number }
interface Consumer {
  backend: string; role: string; partitions: number; events: number; seconds: number; eventsPerSecond: number;
  firstCommitSeconds: number; afterFirstCommitEventsPerSecond: number; serverCpuPct: number; serverCpuMicrosPerEvent: number;
  machineCpuPct: number; peakRssMB: number;
}
interface Stat { samples: number; p50: number; p95: number; p99: number; max: number }
interface Latency {
  name: string; batchMaxWaitMs: number; rate: number; batchEvents: number; batchesPerSecond: number; seconds: number; missing: number;
  produceToDeltaMs: Stat; produceAckMs: Stat; commitToEmit: { meanMs: number; p95Ms: number };
}
export interface KafkaResult {
  clickhouseVersion: string | null; events: number;
  throughput: Array<{ partitions: number; produce: Rate; bare: Rate; consumers: Consumer[] }>;
  fileBaseline: Record<string, { eventsPerSecond: number; ingestSeconds: number; cpuSeconds: number }>;
  latency: Latency[];
}

export function printKafka(k: KafkaResult, f: (n: number, d?: number) => string): void {
  console.log(`\nKafka → the platform, ${f(k.events, 0)} events produced before the consumer starts; one writing replica (ROLE=all on DuckDB, ROLE=consumer on ClickHouse ${k.clickhouseVersion ?? ''})`);
  console.log('\n| into | partitions | events/s per replica (durable) | per partition | after the first commit | seconds (first commit at) | server CPU, % of a core | CPU µs/event | peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const t of k.throughput) {
    for (const c of t.consumers) {
      console.log(`| ${c.backend} (ROLE=${c.role}) | ${c.partitions} | **${f(c.eventsPerSecond, 0)}** | ${f(c.eventsPerSecond / c.partitions, 0)} | ${f(c.afterFirstCommitEventsPerSecond, 0)} | `
        + `${f(c.seconds)} (${f(c.firstCommitSeconds)}) | ${f(c.serverCpuPct, 0)}% (machine ${f(c.machineCpuPct, 0)}%) | ${f(c.serverCpuMicrosPerEvent, 0)} | ${f(c.peakRssMB, 0)} MB |`);
    }
  }
  console.log('\n| beside it | partitions | messages/s | seconds |\n|---|---|---|---|');
  for (const t of k.throughput) {
    console.log(`| producing the data set (@platformatic/kafka, acks=all) | ${t.partitions} | ${f(t.produce.messagesPerSecond, 0)} | ${f(t.produce.seconds)} |`);
    console.log(`| the bare consumer (same client, messages discarded) | ${t.partitions} | ${f(t.bare.messagesPerSecond, 0)} | ${f(t.bare.seconds)} |`);
  }
  for (const [backend, b] of Object.entries(k.fileBaseline)) {
    console.log(`| the same file from disk into ${backend} (bench/ingest-run.ts, batches of 10,000) | — | ${f(b.eventsPerSecond, 0)} | ${f(b.ingestSeconds)} |`);
  }
  if (k.latency.length === 0) return;
  const l0 = k.latency[0];
  console.log(`\nProduce → WebSocket delta (\`global\` room), ${l0.rate} events/s as ${l0.batchesPerSecond} batches/s of ${l0.batchEvents}, ${l0.seconds} s per row; ms from send() of a batch to the first delta counting it`);
  console.log('\n| scenario | KAFKA_BATCH_MAX_WAIT_MS | P50 | **P95** | P99 | max | batches (missing) | send → ack P95 | commit → emit, mean / P95 |');
  console.log('|---|---|---|---|---|---|---|---|---|');
  for (const l of k.latency) {
    const s = l.produceToDeltaMs;
    console.log(`| ${l.name} | ${l.batchMaxWaitMs} | ${f(s.p50, 0)} | **${f(s.p95, 0)}** | ${f(s.p99, 0)} | ${f(s.max, 0)} | ${s.samples} (${l.missing}) | `
      + `${f(l.produceAckMs.p95, 0)} | ${f(l.commitToEmit.meanMs, 0)} / ${f(l.commitToEmit.p95Ms, 0)} |`);
  }
}
