// From window changes to messages: the changed minutes of each room are collected and flushed
// at most once per coalesceMs, one message per room with local members, computed once and
// sent to all of them. Before sending, members whose unsent data passed the limit are dropped.
// At each minute boundary every subscribed room gets a message too: the window slid (the
// current minute and the last-60 totals changed), and minutes that were ahead of the clock
// (events dated up to MAX_FUTURE_SKEW ahead) enter it then.

import type { Server, Socket } from 'socket.io';
import type { Metrics } from '../observability/metrics-registry.ts';
import type { LiveFeed } from './live-feed.ts';
import { WINDOW_MINUTES } from './live-window.ts';
import { liveAnswer } from './live-answer.ts';

export interface BroadcasterDeps {
  io: Server;
  feed: LiveFeed;
  asOf: () => number | null;
  now: () => number;
  coalesceMs: number;
  maxBufferBytes: number;
  metrics: Metrics;
}

/** Starts broadcasting; returns the stop function. */
export function startBroadcaster(d: BroadcasterDeps): () => void {
  const pending = new Map<string, { minutes: Set<number>; committedAt: number }>();
  let timer: NodeJS.Timeout | null = null;
  const rooms = () => d.io.of('/').adapter.rooms;

  const flush = () => {
    timer = null;
    const now = d.now();
    const asOf = d.asOf();
    const current = Math.floor(now / 60000);
    const first = current - WINDOW_MINUTES + 1;
    for (const [room, p] of pending) {
      const members = rooms().get(room);
      if (!members || members.size === 0) continue;
      for (const m of p.minutes) if (m > current) ahead.add(m);
      dropSlow(d, members);
      const answer = liveAnswer(d.feed.window, room, now, asOf);
      const minutes = [...p.minutes].filter((m) => m >= first && m <= current).sort((a, b) => a - b);
      d.io.local.to(room).emit('delta', {
        room,
        as_of: answer.as_of,
        minutes: minutes.map((m) => answer.points[m - first]),
        current: answer.points[answer.points.length - 1],
        last_60m: answer.totals,
        unconverted_events: answer.unconverted_events,
      });
      d.metrics.wsMessages.inc({ room: room.split(':')[0] });
      d.metrics.streamingLatency.observe(Math.max(0, (Date.now() - p.committedAt) / 1000));
    }
    pending.clear();
  };

  // Minutes seen ahead of the clock; the minute tick sends them once they are current.
  const ahead = new Set<number>();
  let tick: NodeJS.Timeout | null = null;
  const scheduleTick = () => {
    tick = setTimeout(() => {
      const current = Math.floor(d.now() / 60000);
      const due = [...ahead].filter((m) => m <= current);
      for (const m of due) ahead.delete(m);
      for (const room of rooms().keys()) {
        if (d.io.of('/').sockets.has(room)) continue; // a socket's own room
        const p = pending.get(room);
        if (p) for (const m of [current, ...due]) p.minutes.add(m);
        else pending.set(room, { minutes: new Set([current, ...due]), committedAt: Date.now() });
      }
      if (timer) clearTimeout(timer);
      flush();
      scheduleTick();
    }, 60_000 - (d.now() % 60_000) + 5);
    tick.unref();
  };
  scheduleTick();

  const stop = d.feed.onChange((changed, _origin, committedAt) => {
    const subscribed = rooms();
    for (const [room, minutes] of changed) {
      if (!subscribed.has(room)) continue;
      const p = pending.get(room);
      if (p) for (const m of minutes) p.minutes.add(m);
      else pending.set(room, { minutes: new Set(minutes), committedAt });
    }
    if (pending.size > 0 && timer === null) timer = setTimeout(flush, d.coalesceMs);
  });
  return () => {
    stop();
    if (timer) clearTimeout(timer);
    if (tick) clearTimeout(tick);
  };
}

function dropSlow(d: BroadcasterDeps, members: Set<string>): void {
  for (const id of members) {
    const s = d.io.of('/').sockets.get(id);
    if (s && tooFarBehind(s, d.maxBufferBytes)) {
      d.metrics.wsConnections.inc({ status: 'dropped_slow' });
      s.disconnect(true);
    }
  }
}

/** Whether a client's unsent data (engine.io's packet queue plus the socket's buffer) passed the limit. */
export function tooFarBehind(socket: Socket, maxBytes: number): boolean {
  const conn = socket.conn as unknown as { writeBuffer?: Array<{ data?: unknown }>; transport?: { socket?: { bufferedAmount?: number } } };
  let bytes = conn.transport?.socket?.bufferedAmount ?? 0;
  for (const p of conn.writeBuffer ?? []) {
    bytes += typeof p.data === 'string' ? p.data.length : p.data instanceof Uint8Array ? p.data.byteLength : 16;
    if (bytes > maxBytes) return true;
  }
  return bytes > maxBytes;
}
