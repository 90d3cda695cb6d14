// Test helper: a TCP forwarder on a loopback port to a real server (PostgreSQL), that a test can
// cut (every connection destroyed, the port closed: connects are refused) and restore (the same
// port listens again). An outage of the real engine without touching the engine.

import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface TcpForwarder {
  port: number;
  /** Drops every connection and stops listening. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function startForwarder(target: { host: string; port: number }): Promise<TcpForwarder> {
  const sockets = new Set<Socket>();
  const track = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => s.destroy());
  };
  const server: Server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    track(client);
    track(upstream);
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  const cut = async () => {
    const closed = server.listening ? new Promise<void>((r) => server.close(() => r())) : Promise.resolve();
    for (const s of sockets) s.destroy();
    await closed;
  };
  return { port, cut, restore: () => listen(port), close: cut };
}
