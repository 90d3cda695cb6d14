// Test helper: the real server (src/main.ts) as a child process on a free loopback port.

import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { TEST_SECRET } from './tokens.ts';

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** What the server wrote to stderr so far, and its exit code if it has exited: for a failing test's message. */
  state(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts src/main.ts and resolves with its URL once it logs `molam-analytics ready` — or, with
 * `until: 'listening'`, once its port is bound (a standby consumer is not ready until it writes).
 */
export async function startServer(env: Record<string, string>, o: { until?: 'ready' | 'listening'; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const awaited = o.until === 'listening' ? 'listening; starting' : 'molam-analytics ready';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', JWT_SECRET: TEST_SECRET, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let stderr = '';
  child.stderr!.on('data', (d) => { stderr += d; });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${stderr}`)), o.timeoutMs ?? 180_000);
    child.once('exit', (code) => reject(new Error(`server exited with ${code}: ${stderr}`)));
    createInterface({ input: child.stdout! }).on('line', (line) => {
      try {
        const msg = JSON.parse(line);
        if (msg.msg === awaited) {
          clearTimeout(timer);
          resolve(msg.url);
        }
      } catch { /* not JSON */ }
    });
  });
  return {
    url, child,
    state: () => `server ${child.exitCode === null && child.signalCode === null ? 'running' : `exited (${child.exitCode ?? child.signalCode})`}; stderr: ${stderr.slice(-4000) || '(empty)'}`,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode === null) child.kill(signal);
      return exited;
    },
  };
}
