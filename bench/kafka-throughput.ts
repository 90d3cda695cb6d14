// One throughput run of bench/kafka-run.ts: the real server (src/main.ts) starts as the one
// writing consumer of a topic that already holds the whole data set, and is timed from the moment
// it serves (its Kafka consumer started) until /health's ingest counters say every message is
// committed in the store (durable: the DuckDB transaction, or ClickHouse's batch marker). Its CPU
// (all threads, /proc) and the whole machine's are read over the same period. The second half of
// the events is timed on its own too: the steady rate, without the start (group join, the
// embedded state store opening beside the consumer, retention's first run, the JIT warming up).

import { randomBytes } from 'node:crypto';
import { CLK_TCK, machineBusyTicks, procStatusMB, procTicks, r1, startBenchServer } from './bench-support.ts';

export interface ThroughputFigures {
  backend: string; role: string; partitions: number; events: number;
  seconds: number; eventsPerSecond: number;
  /** From serving to the first commit: group join, first fetch, first batch. */
  firstCommitSeconds: number;
  /** From the first poll that saw half the events committed to the end: rate and server CPU per event. */
  steadyEventsPerSecond: number; steadyServerCpuPct: number; steadyServerCpuMicrosPerEvent: number;
  committedAtStart: number; accepted: number; duplicates: number; rejected: number; batches: number;
  serverCpuPct: number; serverCpuMicrosPerEvent: number; machineCpuPct: number; peakRssMB: number;
}

interface Health { batches: number; accepted: number; duplicates: number; rejected: number }
const POLL_MS = 100;
const STALL_MS = 180_000;

async function health(url: string): Promise<Health> {
  return (await (await fetch(`${url}/health`)).json()).ingest as Health;
}
const committed = (h: Health) => h.accepted + h.duplicates + h.rejected;

export async function consumeTopic(o: {
  backend: 'duckdb' | 'clickhouse'; partitions: number; events: number; env: Record<string, string>;
}): Promise<ThroughputFigures> {
  const role = o.backend === 'duckdb' ? 'all' : 'consumer';
  const server = await startBenchServer(`kafka-${o.backend}-p${o.partitions}`, randomBytes(32).toString('base64url'), { ...o.env, ROLE: role });
  try {
    const pid = server.child.pid!;
    const t0 = performance.now();
    const ticks0 = procTicks(pid);
    const machine0 = machineBusyTicks();
    const atStart = committed(await health(server.url));
    let firstCommit = NaN, peakRss = 0, last = atStart, lastMoved = t0;
    let half: { at: number; n: number; ticks: number } | null = null;
    let h: Health;
    for (;;) {
      h = await health(server.url);
      const now = performance.now();
      peakRss = Math.max(peakRss, procStatusMB(pid, 'VmRSS'));
      const n = committed(h);
      if (n > 0 && Number.isNaN(firstCommit)) firstCommit = now;
      if (n >= o.events) break;
      if (!half && n >= o.events / 2) half = { at: now, n, ticks: procTicks(pid) };
      if (n !== last) { last = n; lastMoved = now; }
      if (now - lastMoved > STALL_MS) throw new Error(`no commit for ${STALL_MS / 1000} s at ${n} of ${o.events} events`);
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
    const t1 = performance.now();
    const serverTicks = procTicks(pid) - ticks0;
    const machineTicks = machineBusyTicks() - machine0;
    const seconds = (t1 - t0) / 1000;
    const cpuSeconds = serverTicks / CLK_TCK;
    const steady = half ?? { at: t0, n: atStart, ticks: ticks0 };
    const steadySeconds = (t1 - steady.at) / 1000;
    const steadyCpuSeconds = (ticks0 + serverTicks - steady.ticks) / CLK_TCK;
    return {
      backend: o.backend, role, partitions: o.partitions, events: o.events,
      seconds: r1(seconds), eventsPerSecond: Math.round(o.events / seconds),
      firstCommitSeconds: r1((firstCommit - t0) / 1000),
      steadyEventsPerSecond: Math.round((o.events - steady.n) / steadySeconds),
      steadyServerCpuPct: r1((steadyCpuSeconds / steadySeconds) * 100),
      steadyServerCpuMicrosPerEvent: r1((steadyCpuSeconds * 1e6) / (o.events - steady.n)),
      committedAtStart: atStart, accepted: h.accepted, duplicates: h.duplicates, rejected: h.rejected, batches: h.batches,
      serverCpuPct: r1((cpuSeconds / seconds) * 100), serverCpuMicrosPerEvent: r1((cpuSeconds * 1e6) / o.events),
      machineCpuPct: r1((machineTicks / CLK_TCK / seconds) * 100), peakRssMB: Math.round(peakRss),
    };
  } finally {
    await server.stop();
  }
}
