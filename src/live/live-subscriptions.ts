// One connected client: subscribe/unsubscribe by message with an ack, authorized per room (a
// merchant token only ever joins its own merchant room), the room's snapshot in the ack, and
// the socket closed when its token expires.

import type { Socket } from 'socket.io';
import { AppError } from '../errors.ts';
import type { Principal } from '../auth/principal.ts';
import type { Metrics } from '../observability/metrics-registry.ts';
import type { LiveWindow } from './live-window.ts';
import { liveAnswer } from './live-answer.ts';
import { parseRoom } from './rooms.ts';
import { tooFarBehind } from './live-broadcaster.ts';

export interface ClientDeps {
  window: LiveWindow;
  maxBufferBytes: number;
  regionNames: ReadonlySet<string>;
  asOf: () => number | null;
  now: () => number;
  metrics: Metrics;
}

/** Rooms one client may hold at once (each city name is a room: unbounded otherwise). */
export const MAX_ROOMS_PER_CLIENT = 100;
/** Subscribe/unsubscribe messages: a burst of this many, refilled at this many per second. */
const MESSAGE_BURST = 200;
const MESSAGES_PER_SECOND = 20;
const MAX_TIMER_MS = 2 ** 31 - 1;

type Ack = (reply: unknown) => void;
const ackOf = (ack: unknown): Ack => (typeof ack === 'function' ? (ack as Ack) : () => undefined);

export function serveClient(socket: Socket, deps: ClientDeps): void {
  const principal = socket.data.principal as Principal;
  deps.metrics.wsConnections.inc({ status: 'accepted' });
  let expiry: NodeJS.Timeout;
  const armExpiry = () => {
    const left = principal.expiresAt - deps.now();
    expiry = setTimeout(left > MAX_TIMER_MS ? armExpiry : () => {
      deps.metrics.wsConnections.inc({ status: 'expired' });
      socket.emit('closing', { code: 'token_expired', message: 'the token has expired' });
      socket.disconnect(true);
    }, Math.min(MAX_TIMER_MS, Math.max(0, left)));
  };
  armExpiry();
  socket.on('disconnect', () => clearTimeout(expiry));

  // Each ack carries a snapshot: a client that floods requests, or does not read its acks, is cut off.
  let tokens = MESSAGE_BURST;
  let refilledAt = Date.now();
  socket.use((_packet, next) => {
    const now = Date.now();
    tokens = Math.min(MESSAGE_BURST, tokens + ((now - refilledAt) / 1000) * MESSAGES_PER_SECOND);
    refilledAt = now;
    if (tokens < 1 || tooFarBehind(socket, deps.maxBufferBytes)) {
      deps.metrics.wsConnections.inc({ status: 'dropped_slow' });
      socket.disconnect(true);
      return;
    }
    tokens -= 1;
    next();
  });

  socket.on('subscribe', (room: unknown, ack: unknown) => {
    const reply = ackOf(ack);
    try {
      const r = parseRoom(room, deps.regionNames);
      if (principal.merchantId !== null && r.name !== `merchant:${principal.merchantId}`) {
        throw new AppError('forbidden_merchant', 'this token may only subscribe to its own merchant room');
      }
      if (!socket.rooms.has(r.name) && socket.rooms.size > MAX_ROOMS_PER_CLIENT) {
        throw new AppError('invalid_parameter', `at most ${MAX_ROOMS_PER_CLIENT} rooms per connection`);
      }
      void socket.join(r.name);
      reply({ ok: true, room: r.name, snapshot: liveAnswer(deps.window, r.name, deps.now(), deps.asOf()) });
    } catch (err) {
      const e = err instanceof AppError ? err : new AppError('invalid_parameter', 'bad subscription');
      reply({ ok: false, code: e.code, message: e.message });
    }
  });

  socket.on('unsubscribe', (room: unknown, ack: unknown) => {
    const reply = ackOf(ack);
    if (typeof room !== 'string' || room === socket.id || !socket.rooms.has(room)) {
      reply({ ok: false, code: 'not_subscribed', message: 'not subscribed to this room' });
      return;
    }
    void socket.leave(room);
    reply({ ok: true, room });
  });
}
