// Bench child of bench/live-run.ts: hosts many Socket.IO clients of the live server.
// stdin, one JSON line: {clients: [{url, token, room, record}]}; then the lines `start` and `stop`.
// stdout, JSON lines: {type:'ready', …} once every client is connected and subscribed, and
// {type:'result', …} after `stop`. Between start and stop it counts deltas per client, and each
// `record` client keeps (receipt time in ms since the epoch, last_60m.tx_count) of every delta.

import { createInterface } from 'node:readline';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { io, type Socket } from 'socket.io-client';

interface Spec { url: string; token: string; room: string; record: boolean }
interface Client { spec: Spec; socket: Socket; deltas: number; recorded: number[] }

const clients: Client[] = [];
let measuring = false;
let stopping = false;
let t0 = 0;
const dropReasons: Record<string, number> = {};
const lag = monitorEventLoopDelay({ resolution: 10 });
const say = (msg: unknown) => process.stdout.write(JSON.stringify(msg) + '\n');

async function open(spec: Spec): Promise<Client> {
  const socket = io(spec.url, { auth: { token: spec.token }, transports: ['websocket'], reconnection: false, forceNew: true, timeout: 30_000 });
  const c: Client = { spec, socket, deltas: 0, recorded: [] };
  socket.on('delta', (d: { last_60m: { tx_count: number } }) => {
    if (!measuring) return;
    c.deltas++;
    if (spec.record) c.recorded.push(Date.now(), d.last_60m.tx_count);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => reject(new Error(`${err.message} ${err.data?.code ?? ''}`)));
  });
  socket.on('disconnect', (reason) => { if (!stopping) dropReasons[reason] = (dropReasons[reason] ?? 0) + 1; });
  const ack = await socket.timeout(30_000).emitWithAck('subscribe', spec.room);
  if (!ack.ok) throw new Error(`subscribe ${spec.room}: ${ack.code} ${ack.message}`);
  return c;
}

async function connectAll(specs: Spec[]): Promise<void> {
  const errors: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < specs.length) {
      const spec = specs[next++];
      try { clients.push(await open(spec)); } catch (err) { errors.push((err as Error).message); }
    }
  };
  await Promise.all(Array.from({ length: 25 }, worker));
  say({ type: 'ready', connected: clients.length, failed: errors.length, errors: errors.slice(0, 5) });
}

function result(): void {
  const seconds = (Date.now() - t0) / 1000;
  const byKind: Record<string, { clients: number; deltas: number; min: number; max: number }> = {};
  for (const c of clients) {
    const kind = c.spec.room.split(':')[0];
    const k = (byKind[kind] ??= { clients: 0, deltas: 0, min: Infinity, max: 0 });
    k.clients++;
    k.deltas += c.deltas;
    k.min = Math.min(k.min, c.deltas);
    k.max = Math.max(k.max, c.deltas);
  }
  const connectedAtEnd = clients.filter((c) => c.socket.connected).length;
  say({
    type: 'result', seconds, clients: clients.length, connectedAtEnd, dropReasons, byKind,
    // Beyond the 10 ms sampling interval itself.
    eventLoopDelayMs: Object.fromEntries([['p50', lag.percentile(50)], ['p99', lag.percentile(99)], ['max', lag.max]]
      .map(([k, ns]) => [k, Math.max(0, Math.round((ns as number) / 1e5 - 100) / 10)])),
    recorded: clients.filter((c) => c.spec.record).map((c) => ({ url: c.spec.url, series: c.recorded })),
  });
}

createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'start') {
    measuring = true;
    t0 = Date.now();
    lag.enable();
  } else if (line === 'stop') {
    measuring = false;
    lag.disable();
    result();
    stopping = true;
    for (const c of clients) c.socket.close();
    setTimeout(() => process.exit(0), 200);
  } else if (line.trim()) {
    void connectAll((JSON.parse(line) as { clients: Spec[] }).clients);
  }
});
