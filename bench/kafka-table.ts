// Prints bench/kafka-run.ts's result as Markdown tables (bench/main.ts, `--only kafka`).

interface Rate { messages: number; seconds: number; messagesPerSecond: number }
interface Consumer {
  backend: string; role: string; partitions: number; events: number; seconds: number; eventsPerSecond: number;
  firstCommitSeconds: number; serverCpuPct: number; serverCpuMicrosPerEvent: number;
  steadyEventsPerSecond: number; steadyServerCpuPct: number; steadyServerCpuMicrosPerEvent: number;
  machineCpuPct: number; peakRssMB: number;
}
interface Stat { samples: number; p50: number; p95: number; p99: number; max: number }
interface Latency {
  name: string; batchMaxWaitMs: number; rate: number; batchEvents: number; batchesPerSecond: number; seconds: number; missing: number;
  produceToDeltaMs: Stat; produceAckMs: Stat; commitToEmit: { meanMs: number; p95Ms: number };
}
export interface KafkaResult {
  clickhouseVersion: string | null; events: number; batchMaxMessages: number;
  throughput: Array<{ partitions: number; produce: Rate; bare: Rate; consumers: Consumer[] }>;
  fileBaseline: Record<string, { events: number; eventsPerSecond: number; ingestSeconds: number; cpuSeconds: number; peakRssMB: number }>;
  latency: Latency[];
}

export function printKafka(k: KafkaResult, f: (n: number, d?: number) => string): void {
  console.log(`\nKafka → the platform, ${f(k.events, 0)} events produced before the consumer starts; one writing replica (ROLE=all on DuckDB, `
    + `ROLE=consumer on ClickHouse ${k.clickhouseVersion ?? ''}), KAFKA_BATCH_MAX_MESSAGES=${f(k.batchMaxMessages, 0)}`);
  console.log('\n| into | partitions | events/s per replica (durable), from start | per partition | seconds (first commit at) | server CPU, % of a core (machine) | '
    + 'CPU µs/event | steady (2nd half): events/s | CPU | µs/event | peak RSS |');
  console.log('|---|---|---|---|---|---|---|---|---|---|---|');
  for (const t of k.throughput) {
    for (const c of t.consumers) {
      console.log(`| ${c.backend} (ROLE=${c.role}) | ${c.partitions} | **${f(c.eventsPerSecond, 0)}** | ${f(c.eventsPerSecond / c.partitions, 0)} | `
        + `${f(c.seconds)} (${f(c.firstCommitSeconds)}) | ${f(c.serverCpuPct, 0)}% (${f(c.machineCpuPct, 0)}%) | ${f(c.serverCpuMicrosPerEvent, 0)} | `
        + `${f(c.steadyEventsPerSecond, 0)} | ${f(c.steadyServerCpuPct, 0)}% | ${f(c.steadyServerCpuMicrosPerEvent, 0)} | ${f(c.peakRssMB, 0)} MB |`);
    }
  }
  console.log('\n| beside it | partitions | messages/s | seconds | CPU µs/event | peak RSS |\n|---|---|---|---|---|---|');
  for (const t of k.throughput) {
    console.log(`| producing the data set (@platformatic/kafka, acks=all) | ${t.partitions} | ${f(t.produce.messagesPerSecond, 0)} | ${f(t.produce.seconds)} | | |`);
    console.log(`| the bare consumer (same client, messages discarded) | ${t.partitions} | ${f(t.bare.messagesPerSecond, 0)} | ${f(t.bare.seconds)} | | |`);
  }
  for (const [backend, b] of Object.entries(k.fileBaseline)) {
    console.log(`| the same file from disk into ${backend} (bench/ingest-run.ts, batches of 10,000) | — | ${f(b.eventsPerSecond, 0)} | ${f(b.ingestSeconds)} | `
      + `${f((b.cpuSeconds * 1e6) / b.events, 0)} | ${f(b.peakRssMB, 0)} MB |`);
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
