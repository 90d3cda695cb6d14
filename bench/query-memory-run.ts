// Bench child: server memory under concurrent heavy queries (issue 10). bench/query-memory-run.ts
// [--clients 20] [--rounds 3] [--events 170000] [--hours 19] [--env K=V,K=V]
//
// Starts the real server (src/main.ts) on a fresh temp data directory, ingests `events` synthetic
// events (seeded generator, 10,000 merchants) over the last hours + 1 hours through
// POST /api/v1/events, then asks once for the heaviest answer the issue names — every metric
// (18) by merchant_id,city at minute granularity over `hours` hours — to record its size. Then
// `clients` clients each send `rounds` such requests back to back, every one over a range shifted
// by a different minute, so no two share a computation or a cached answer (the worst case). The
// server's resident set is read from /proc: at start (empty store), before the load, sampled
// every 50 ms during it, and its peak (VmHWM, reset just before the load). Statuses are counted (200, 422, 429…); a refused
// client goes on with its next request at once (no back-off: the worst client).
// One JSON line on stdout; progress on stderr. Run by bench/main.ts (--only memory).

import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { generateEvents } from '../src/generator/generate.ts';
import { mint, procStatusMB, r1, startBenchServer } from './bench-support.ts';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '20' },
    rounds: { type: 'string', default: '3' },
    events: { type: 'string', default: '170000' },
    hours: { type: 'string', default: '19' },
    env: { type: 'string', default: '' },
  },
});
const clients = Number(values.clients);
const rounds = Number(values.rounds);
const hours = Number(values.hours);
const extraEnv = Object.fromEntries(values.env!.split(',').filter(Boolean).map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
const log = (msg: string) => process.stderr.write(`  memory: ${msg}\n`);
const HOUR = 3_600_000;
const MINUTE = 60_000;

const secret = randomBytes(32).toString('base64url');
const server = await startBenchServer('memory', secret, extraEnv);
const pid = server.child.pid!;
const rssStartMB = Math.round(procStatusMB(pid, 'VmRSS'));
try {
  const writer = { authorization: `Bearer ${await mint(secret, { roles: ['events:write'] }, 'bench-writer')}` };
  const ops = { authorization: `Bearer ${await mint(secret, { roles: ['analytics:ops'] }, 'bench-ops')}` };
  const end = Math.floor(Date.now() / HOUR) * HOUR;
  log(`ingesting ${values.events} events over the ${hours + 1} hours before ${new Date(end).toISOString()}…`);
  let batch: string[] = [];
  const send = async () => {
    const res = await fetch(`${server.url}/api/v1/events`, {
      method: 'POST', headers: { ...writer, 'content-type': 'application/x-ndjson' }, body: batch.join('\n'),
    });
    if (!res.ok) throw new Error(`ingest → ${res.status}: ${(await res.text()).slice(0, 300)}`);
    batch = [];
  };
  for (const e of generateEvents({ seed: 'memory', count: Number(values.events), start: end - (hours + 1) * HOUR, end, lateRate: 0 })) {
    batch.push(JSON.stringify(e));
    if (batch.length === 10_000) await send();
  }
  if (batch.length) await send();

  const url = (shift: number) => {
    const from = end - hours * HOUR - shift * MINUTE;
    return `${server.url}/api/v1/metrics?dimensions=merchant_id,city&granularity=minute`
      + `&from=${new Date(from).toISOString()}&to=${new Date(from + hours * HOUR).toISOString()}`;
  };
  const first = await fetch(url(0), { headers: ops });
  const firstBody = Buffer.from(await first.arrayBuffer());
  const single = first.status === 200
    ? { status: 200, bytes: firstBody.length, rows: (JSON.parse(firstBody.toString()) as { rows: unknown[] }).rows.length }
    : { status: first.status, bytes: firstBody.length, body: firstBody.toString().slice(0, 400) };
  log(`one request: ${JSON.stringify(single)}`);

  const rssBeforeMB = Math.round(procStatusMB(pid, 'VmRSS'));
  writeFileSync(`/proc/${pid}/clear_refs`, '5'); // resets VmHWM to the current RSS
  let sampledPeakMB = rssBeforeMB;
  const sampler = setInterval(() => { sampledPeakMB = Math.max(sampledPeakMB, procStatusMB(pid, 'VmRSS')); }, 50);
  const statuses: Record<string, number> = {};
  let bytes = 0;
  const t0 = performance.now();
  log(`${clients} clients × ${rounds} requests…`);
  await Promise.all(Array.from({ length: clients }, async (_, c) => {
    for (let r = 0; r < rounds; r++) {
      const res = await fetch(url(1 + c * rounds + r), { headers: ops });
      const body = await res.arrayBuffer();
      bytes += body.byteLength;
      const key = res.status === 200 ? '200' : `${res.status} ${(JSON.parse(Buffer.from(body).toString()) as { code?: string }).code}`;
      statuses[key] = (statuses[key] ?? 0) + 1;
    }
  }));
  const seconds = (performance.now() - t0) / 1000;
  clearInterval(sampler);
  const peakRssMB = Math.round(procStatusMB(pid, 'VmHWM'));
  const rssAfterMB = Math.round(procStatusMB(pid, 'VmRSS'));
  log(`RSS ${rssBeforeMB} MB before, peak ${peakRssMB} MB (sampled ${Math.round(sampledPeakMB)} MB), ${rssAfterMB} MB after; ${JSON.stringify(statuses)}`);
  console.log(JSON.stringify({
    events: Number(values.events), hours, clients, rounds, env: extraEnv, single,
    rssStartMB, rssBeforeMB, peakRssMB, sampledPeakMB: Math.round(sampledPeakMB), rssAfterMB,
    statuses, answeredMB: r1(bytes / 2 ** 20), seconds: r1(seconds),
  }));
} finally {
  await server.stop();
}
