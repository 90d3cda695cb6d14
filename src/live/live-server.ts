// The live WebSocket server (Socket.IO, same port as the API). The handshake's token
// (`auth.token`) is verified by the REST verifier; a socket is closed when its token expires.
// Clients subscribe to rooms by message, with an ack that says yes (with the room's snapshot,
// equal to GET /api/analytics/live) or why not. After commits, every room whose counters
// changed gets at most one message per LIVE_COALESCE_MS; a client that cannot keep up is
// disconnected. With REDIS_URL, commits fan out to the other replicas through the Redis adapter.
// Built unstarted (the `live` part, src/start-parts.ts): until started the HTTP server answers
// no handshake; stopped, it is detached from the HTTP server again.

import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Logger } from 'pino';
import type { TokenVerifier } from '../auth/token-verifier.ts';
import type { Metrics } from '../observability/metrics-registry.ts';
import type { LiveFeed } from './live-feed.ts';
import type { LiveRow } from './live-window.ts';
import { authenticate, originAllowed } from './live-handshake.ts';
import { serveClient } from './live-subscriptions.ts';
import { startBroadcaster } from './live-broadcaster.ts';
import { OTHER_REGION } from '../reference/regions.ts';

export interface LiveServerOptions {
  httpServer: HttpServer;
  feed: LiveFeed;
  verifier: TokenVerifier | null;
  regions: ReadonlyMap<string, string>;
  asOf: () => number | null;
  now: () => number;
  corsOrigins: string[];
  coalesceMs: number;
  maxBufferBytes: number;
  redisUrl: string;
  /** Prefix of the Redis channels (REDIS_PREFIX); default 'molam-live'. */
  redisPrefix?: string;
  metrics: Metrics;
  log: Logger;
}

export interface LiveServer {
  /** Attaches Socket.IO to the HTTP server (and connects to Redis, with REDIS_URL). */
  start(): Promise<void>;
  /** Disconnects every client and detaches from the HTTP server. */
  stop(): Promise<void>;
}

export function createLiveServer(o: LiveServerOptions): LiveServer {
  let running: (() => Promise<void>) | null = null;
  return {
    async start() { running = await startLiveServer(o); },
    async stop() {
      const stop = running;
      running = null;
      await stop?.();
    },
  };
}

/** The events Socket.IO (engine.io) listens to on the HTTP server. */
const SERVER_EVENTS = ['request', 'upgrade', 'close', 'listening'] as const;

async function startLiveServer(o: LiveServerOptions): Promise<() => Promise<void>> {
  const regionNames = new Set([...o.regions.values(), OTHER_REGION]);
  const before = new Map(SERVER_EVENTS.map((e) => [e, o.httpServer.listeners(e)]));
  const io = new Server(o.httpServer, {
    serveClient: false,
    cors: { origin: o.corsOrigins.length ? o.corsOrigins : false },
    allowRequest: (req, cb) => {
      const ok = originAllowed(req, o.corsOrigins);
      if (!ok) o.metrics.wsConnections.inc({ status: 'refused' });
      cb(null, ok);
    },
    maxHttpBufferSize: 16 * 1024, // clients only send small subscribe messages
  });
  // TRICKY: engine.io replaces the server's request listeners by one that passes on what is not
  // /socket.io/; detaching removes what it added and puts the replaced ones back.
  const added = new Map(SERVER_EVENTS.map((e) => [e, o.httpServer.listeners(e).filter((l) => !before.get(e)!.includes(l))]));
  const removed = before.get('request')!.filter((l) => !o.httpServer.listeners('request').includes(l));
  const detach = () => {
    for (const [e, ls] of added) for (const l of ls) o.httpServer.off(e, l as (...args: unknown[]) => void);
    for (const l of removed) o.httpServer.on('request', l as (...args: unknown[]) => void);
  };
  // Loaded only with REDIS_URL: the Redis client is a large part of start-up's module loading.
  const redis = o.redisUrl ? await (await import('./redis-fanout.ts')).connectRedisAdapter(io, o.redisUrl, o.log, o.redisPrefix) : null;

  io.use(authenticate(o.verifier, o.metrics));
  io.on('connection', (socket) => serveClient(socket, {
    window: o.feed.window, maxBufferBytes: o.maxBufferBytes, regionNames, asOf: o.asOf, now: o.now, metrics: o.metrics,
  }));
  o.metrics.setWsCurrent(() => io.of('/').sockets.size);
  const stopBroadcasting = startBroadcaster({
    io, feed: o.feed, asOf: o.asOf, now: o.now, coalesceMs: o.coalesceMs, maxBufferBytes: o.maxBufferBytes, metrics: o.metrics,
  });

  // Replicas: this replica's commits go to the others, theirs come here.
  const stopPublishing = redis
    ? o.feed.onLocalRows((rows, committedAt) => io.serverSideEmit('live:rows', rows, committedAt))
    : () => undefined;
  if (redis) {
    io.on('live:rows', (rows: LiveRow[], committedAt: number) => {
      try {
        if (Array.isArray(rows)) o.feed.applyRemote(rows, committedAt);
      } catch (err) {
        o.log.error({ err }, 'live rows from another replica could not be applied');
      }
    });
  }

  return async () => {
    stopBroadcasting();
    stopPublishing();
    io.local.disconnectSockets(true);
    io.engine.close();
    detach();
    await redis?.close();
  };
}
