// Test helper: a Socket.IO client of the live server, recording what it receives, and the
// client-side state a dashboard would keep (snapshot, then minutes replaced by each delta).

import { io, type Socket } from 'socket.io-client';

export interface Delta {
  room: string;
  as_of: string | null;
  minutes: Array<Record<string, number | string | null>>;
  current: Record<string, number | string | null>;
  last_60m: Record<string, number | null>;
  unconverted_events: number;
}

export interface LiveClient {
  socket: Socket;
  deltas: Delta[];
  subscribe(room: string): Promise<{ ok: boolean; code?: string; snapshot?: { points: Array<Record<string, unknown>>; totals: Record<string, number | null> } }>;
  /** Points per room: the snapshot with every delta's minutes applied. */
  state: Map<string, Map<string, Record<string, unknown>>>;
  totals: Map<string, Record<string, number | null>>;
  /** Resolves once no delta has arrived for `quietMs`. */
  settle(quietMs?: number): Promise<void>;
  close(): void;
}

export function connect(url: string, token: string | undefined, opts: { origin?: string } = {}): Socket {
  return io(url, {
    auth: token === undefined ? {} : { token }, transports: ['websocket'], reconnection: false, forceNew: true,
    extraHeaders: opts.origin ? { origin: opts.origin } : undefined,
  });
}

/** Resolves on connect, rejects with the server's refusal (its data.code) on connect_error. */
export function connected(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', (err: Error & { data?: { code?: string } }) => reject(Object.assign(err, { code: err.data?.code })));
  });
}

export async function liveClient(url: string, token: string): Promise<LiveClient> {
  const socket = connect(url, token);
  await connected(socket);
  const deltas: Delta[] = [];
  const state = new Map<string, Map<string, Record<string, unknown>>>();
  const totals = new Map<string, Record<string, number | null>>();
  let last = Date.now();
  socket.on('delta', (d: Delta) => {
    deltas.push(d);
    last = Date.now();
    const points = state.get(d.room) ?? new Map();
    for (const m of d.minutes) points.set(String(m.ts), m);
    state.set(d.room, points);
    totals.set(d.room, d.last_60m);
  });
  return {
    socket, deltas, state, totals,
    async subscribe(room) {
      const r = await socket.timeout(5000).emitWithAck('subscribe', room);
      if (r.ok) {
        state.set(room, new Map(r.snapshot.points.map((p: Record<string, unknown>) => [String(p.ts), p])));
        totals.set(room, r.snapshot.totals);
      }
      return r;
    },
    async settle(quietMs = 400) {
      // At least one quiet period from now: a flush for the last ingest may still be pending.
      last = Math.max(last, Date.now());
      while (Date.now() - last < quietMs) await new Promise((r) => setTimeout(r, 50));
    },
    close: () => socket.close(),
  };
}
