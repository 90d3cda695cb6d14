// One Socket.IO connection for a set of live rooms (same origin, WebSocket transport, the
// session token in auth.token): each room starts from its subscribe snapshot and applies every
// `delta` (minutes replaced by ts, the last 60 kept; totals = last_60m).

import { useEffect, useState } from 'react';
import { io } from 'socket.io-client';
import type { LiveAnswer, LiveDelta, LivePoint } from './api.ts';

export type Conn = 'connecting' | 'connected' | 'disconnected' | 'refused';
export interface RoomState { points: LivePoint[]; totals: Omit<LivePoint, 'ts'>; as_of: string | null }

function applyDelta(prev: RoomState | undefined, d: LiveDelta): RoomState {
  const byTs = new Map((prev?.points ?? []).map((p) => [p.ts, p]));
  for (const p of [...d.minutes, d.current]) if (p) byTs.set(p.ts, p);
  const points = [...byTs.values()].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts)).slice(-60);
  return { points, totals: d.last_60m, as_of: d.as_of };
}

/** The live state of `rooms` (an empty list: no connection yet). */
export function useLiveRooms(token: string, rooms: readonly string[]): { conn: Conn; state: Record<string, RoomState>; refused: Record<string, string> } {
  const [conn, setConn] = useState<Conn>('connecting');
  const [state, setState] = useState<Record<string, RoomState>>({});
  /** Rooms the server refused, with its code. */
  const [refused, setRefused] = useState<Record<string, string>>({});
  const roomsKey = rooms.join('|');

  useEffect(() => {
    if (roomsKey === '') return;
    const list = roomsKey.split('|');
    const socket = io({ auth: { token }, transports: ['websocket'] });
    setConn('connecting');
    socket.on('connect', () => {
      setConn('connected');
      for (const room of list) {
        socket.emitWithAck('subscribe', room).then((ack: { ok: boolean; code?: string; snapshot?: LiveAnswer }) => {
          const snap = ack.snapshot;
          if (ack.ok && snap) setState((s) => ({ ...s, [room]: { points: snap.points, totals: snap.totals, as_of: snap.as_of } }));
          else setRefused((r) => ({ ...r, [room]: ack.code ?? 'refused' }));
        }).catch(() => { /* disconnected before the ack: the next connect subscribes again */ });
      }
    });
    socket.on('delta', (d: LiveDelta) => setState((s) => (list.includes(d.room) ? { ...s, [d.room]: applyDelta(s[d.room], d) } : s)));
    socket.on('disconnect', () => setConn('disconnected'));
    socket.on('connect_error', () => setConn(socket.active ? 'connecting' : 'refused'));
    return () => {
      if (socket.connected) for (const room of list) socket.emit('unsubscribe', room);
      socket.disconnect();
    };
  }, [token, roomsKey]);

  return { conn, state, refused };
}

/**
 * Events per second in each minute, oldest first: the minute's events / 60 — a payment's creation
 * and its outcome (succeeded or failed) are two events, refunds, disputes and payouts one each.
 * Not transactions / 60, which read about half the rate the network sends.
 */
export function perSecond(points: LivePoint[]): number[] {
  return points.map((p) => minuteEvents(p) / 60);
}

export function minuteEvents(p: LivePoint): number {
  return p.tx_count + (p.succeeded_count ?? 0) + (p.failed_count ?? 0) + (p.refund_count ?? 0) + (p.dispute_count ?? 0) + (p.payout_count ?? 0);
}
