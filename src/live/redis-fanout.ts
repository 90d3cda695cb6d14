// Several replicas: the Socket.IO Redis adapter carries server-side events (each replica's
// committed live rows) and broadcasts between them. Redis being down must never stop a
// replica: start waits a few seconds at most (then the replica runs alone, saying so, until it
// is restarted), publishes that fail while Redis is away are dropped (never queued without
// bound, never an unhandled rejection), and close does not wait on it.

import { createAdapter } from '@socket.io/redis-adapter';
import { createClient } from 'redis';
import type { Server } from 'socket.io';
import type { Logger } from 'pino';

const CONNECT_WAIT_MS = 5000;
const CLOSE_WAIT_MS = 1000;

export async function connectRedisAdapter(io: Server, url: string, log: Logger, prefix = 'molam-live'): Promise<{ close(): Promise<void> } | null> {
  const where = url.replace(/\/\/[^@]*@/, '//***@');
  // Publishing fails fast while disconnected; subscribing waits for the connection.
  const pub = createClient({ url, disableOfflineQueue: true });
  const sub = createClient({ url });
  let lastError = 0;
  for (const c of [pub, sub]) {
    c.on('error', (err) => {
      if (Date.now() - lastError > 10_000) log.error({ err, redis: where }, 'redis (live fan-out) unavailable; retrying');
      lastError = Date.now();
    });
  }
  // TRICKY: the adapter calls pubClient.publish() without handling its promise; a publish in
  // flight when Redis drops would reject unhandled and end the process.
  const publish = pub.publish.bind(pub);
  (pub as unknown as { publish: typeof publish }).publish = ((...args: Parameters<typeof publish>) =>
    publish(...args).catch(() => 0)) as typeof publish;

  const connected = Promise.all([pub.connect(), sub.connect()]);
  connected.catch(() => undefined);
  const ready = await Promise.race([connected.then(() => true, () => false), sleep(CONNECT_WAIT_MS).then(() => false)]);
  if (!ready) {
    log.error({ redis: where }, 'redis (live fan-out) not reachable at start: this replica serves its own commits only; restart it once Redis is back');
    for (const c of [pub, sub]) destroy(c);
    return null;
  }
  // Every channel starts with the prefix: deployments (or test runs) on one Redis stay apart.
  io.adapter(createAdapter(pub, sub, { key: prefix }));
  log.info({ redis: where, prefix }, 'live fan-out through Redis');
  return {
    async close() {
      const quit = Promise.allSettled([pub.quit(), sub.quit()]);
      if (!(await Promise.race([quit.then(() => true), sleep(CLOSE_WAIT_MS).then(() => false)]))) {
        for (const c of [pub, sub]) destroy(c);
      }
    },
  };
}

function destroy(c: { destroy(): void }): void {
  try {
    c.destroy();
  } catch {
    // already closed
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
