// Test helper: a private clickhouse-server for one test run. Each start has its own temp
// directory (data, tmp, logs, generated config and users file) and its own free HTTP port on
// 127.0.0.1, so test files running at the same time never share a server, a port or a path.
// Only the HTTP interface is opened: no native, inter-server, MySQL or IPv6 listener, no system
// log tables, no mlock, two background threads instead of sixteen. The binary is required: a
// missing one is an error, never a skip (CI installs Debian's clickhouse-server via .ci/run).
//
// Cost on the 2-core dev machine at load 9-12 (18.16): start to first answer 0.65-0.95 s, stop
// 0.4-0.7 s (medians; docs/clickhouse.md).
// Close every client before stop(): the server waits for open keep-alive connections (up to
// keep_alive_timeout, 3 s here) before it shuts down. A test process killed outright takes its
// server with it (parent-death signal) but leaves its ~100 KB directory in the temp dir.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { randomBytes } from 'node:crypto';

export interface ClickHouseServer {
  /** Base URL of the HTTP interface, e.g. `http://127.0.0.1:41234` (no trailing slash). */
  url: string;
  /** An empty database created at start. */
  database: string;
  /** What `SELECT version()` answers, e.g. `18.16.1`. */
  version: string;
  /** Creates another empty database on this server (isolation between tests); its name. */
  createDatabase(prefix?: string): Promise<string>;
  /** The server's process id (the benches read its CPU time from /proc). */
  pid: number;
  /** SIGTERM, SIGKILL if still running after `STOP_GRACE_MS`, then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface ClickHouseOptions {
  /** Name of the database created at start (default `molam_test`). */
  database?: string;
  /** The server's time zone (default UTC); another one shows code that leans on the server's. */
  timezone?: string;
}

const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;
const START_ATTEMPTS = 3;

/** The server binary: $CLICKHOUSE_SERVER_BIN, else `clickhouse-server` on PATH or in the sbin/bin dirs. */
export function findClickHouseServer(): string {
  const fromEnv = process.env.CLICKHOUSE_SERVER_BIN;
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/usr/local/bin'];
  const candidates = fromEnv ? [fromEnv] : dirs.filter(Boolean).map((d) => join(d, 'clickhouse-server'));
  for (const path of candidates) {
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch { /* next */ }
  }
  throw new Error(fromEnv
    ? `CLICKHOUSE_SERVER_BIN=${fromEnv} is not an executable file`
    : 'clickhouse-server not found on PATH nor in /usr/sbin, /usr/bin: install Debian\'s clickhouse-server '
      + '(apt-get install clickhouse-server; .ci/run does) — ClickHouse tests need the real server');
}

/** Starts a private server and waits until it answers /ping; retries on a port taken meanwhile. */
export async function startClickHouse(options: ClickHouseOptions = {}): Promise<ClickHouseServer> {
  const binary = findClickHouseServer();
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(binary, options);
    } catch (err) {
      lastError = err;
      // Only a port lost between choosing it and the server binding it is worth another try.
      if (!(err instanceof PortTakenError)) throw err;
    }
  }
  throw lastError;
}

class PortTakenError extends Error {}

async function startOnce(binary: string, options: ClickHouseOptions): Promise<ClickHouseServer> {
  const dir = mkdtempSync(join(tmpdir(), 'molam-clickhouse-'));
  for (const sub of ['data', 'tmp', 'log', 'user_files', 'format_schemas']) mkdirSync(join(dir, sub));
  const port = await freeLoopbackPort();
  // Every query's answer carries display_name in a header: proof that this server answers, not
  // another one that took the port first.
  const displayName = `molam-test-${randomBytes(6).toString('hex')}`;
  writeFileSync(join(dir, 'config.xml'), serverConfig(dir, port, displayName, options.timezone ?? 'UTC'));
  writeFileSync(join(dir, 'users.xml'), USERS_XML);

  const [command, args] = withParentDeathSignal(binary, [`--config-file=${join(dir, 'config.xml')}`]);
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => { output = (output + chunk.toString()).slice(-4000); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let spawnError: Error | undefined;
  // 'exit' may not follow a failed spawn: its 'error' ends the process's life as well.
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => { spawnError = err; resolve(); });
  });
  const killOnExit = () => {
    child.kill('SIGKILL');
    try { rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch { /* the dying server may still write */ }
  };
  process.once('exit', killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () => stopped ??= (async () => {
    process.removeListener('exit', killOnExit);
    await terminate(child, exited);
    rmSync(dir, { recursive: true, force: true });
  })();

  const url = `http://127.0.0.1:${port}`;
  try {
    await waitUntilReady(url, displayName, () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null,
      () => `${spawnError?.message ?? ''}\n${output}\n${readLogs(dir)}`);
    const version = (await sql(url, 'SELECT version()')).trim();
    const server: ClickHouseServer = {
      url, version, database: options.database ?? 'molam_test', stop,
      // setpriv execs the server, so the child's pid is the server's.
      pid: child.pid!,
      async createDatabase(prefix = 'molam_test') {
        const name = `${prefix}_${randomBytes(4).toString('hex')}`;
        await sql(url, `CREATE DATABASE ${name}`);
        return name;
      },
    };
    await sql(url, `CREATE DATABASE IF NOT EXISTS ${server.database}`);
    return server;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function waitUntilReady(url: string, displayName: string, ended: () => boolean, diagnostics: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (ended()) {
      const text = diagnostics();
      if (/Address already in use/i.test(text)) throw new PortTakenError(`port of ${url} was taken`);
      throw new Error(`clickhouse-server ended before answering /ping:\n${text}`);
    }
    try {
      const ping = await fetch(`${url}/ping`, { headers: CLOSE, signal: AbortSignal.timeout(1000) });
      if (ping.ok && (await ping.text()).startsWith('Ok.')) {
        // /ping carries no display name on 18.16; a query's answer does.
        const res = await fetch(url, { method: 'POST', headers: CLOSE, body: 'SELECT 1', signal: AbortSignal.timeout(5000) });
        await res.text();
        if (res.headers.get('x-clickhouse-server-display-name') !== displayName) throw new PortTakenError(`another server answers at ${url}`);
        return;
      }
    } catch (err) {
      if (err instanceof PortTakenError) throw err;
      /* not listening yet */
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`clickhouse-server did not answer ${url}/ping within ${READY_TIMEOUT_MS} ms:\n${diagnostics()}`);
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((r) => { timer = setTimeout(() => r(true), STOP_GRACE_MS); });
  const timedOut = await Promise.race([exited.then(() => false), graceOver]);
  clearTimeout(timer);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}

// The server waits for open keep-alive connections when it shuts down: the helper leaves none.
const CLOSE = { connection: 'close' };

/** One statement over HTTP; the body of the answer, or an error carrying the server's message. */
async function sql(url: string, query: string): Promise<string> {
  const res = await fetch(url, { method: 'POST', headers: CLOSE, body: query });
  const text = await res.text();
  if (!res.ok) throw new Error(`ClickHouse refused ${JSON.stringify(query)}: ${text.trim()}`);
  return text;
}

/** A port free on 127.0.0.1 now (the kernel's choice); the server may still lose it, hence the retry. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Wraps the command in util-linux `setpriv --pdeathsig KILL` when it exists, so the server dies
 * with the test process even when that process is killed (a test-runner timeout sends SIGTERM,
 * which skips 'exit' handlers).
 */
function withParentDeathSignal(binary: string, args: string[]): [string, string[]] {
  try {
    accessSync('/usr/bin/setpriv', constants.X_OK);
    return ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', binary, ...args]];
  } catch {
    return [binary, args];
  }
}

function readLogs(dir: string): string {
  let text = '';
  for (const file of ['error.log', 'server.log']) {
    try { text += readFileSync(join(dir, 'log', file), 'utf8').slice(-4000); } catch { /* not written */ }
  }
  return text;
}

const xml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

// `<yandex>` is the root 18.16 knows; current releases accept it beside `<clickhouse>`. Leaving
// out tcp_port, interserver_http_port, query_log, part_log (and later releases' trace_log and
// the like) means those listeners and system log tables never start.
function serverConfig(dir: string, port: number, displayName: string, timezone: string): string {
  const p = (sub: string) => xml(join(dir, sub));
  return `<?xml version="1.0"?>
<yandex>
  <logger>
    <level>warning</level>
    <log>${p('log/server.log')}</log>
    <errorlog>${p('log/error.log')}</errorlog>
    <size>10M</size>
    <count>1</count>
  </logger>
  <display_name>${displayName}</display_name>
  <listen_host>127.0.0.1</listen_host>
  <http_port>${port}</http_port>
  <path>${p('data')}/</path>
  <tmp_path>${p('tmp')}/</tmp_path>
  <user_files_path>${p('user_files')}/</user_files_path>
  <format_schema_path>${p('format_schemas')}/</format_schema_path>
  <users_config>${p('users.xml')}</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <timezone>${xml(timezone)}</timezone>
  <mlock_executable>false</mlock_executable>
  <mark_cache_size>67108864</mark_cache_size>
  <uncompressed_cache_size>67108864</uncompressed_cache_size>
  <max_concurrent_queries>100</max_concurrent_queries>
  <keep_alive_timeout>3</keep_alive_timeout>
</yandex>
`;
}

// The default user without password, from loopback only. The profile holds no setting that
// changes results, on purpose: every such setting must be sent by the store itself, as against a
// production server. The pool sizes only trim idle threads (18.16 reads them from the profile;
// later releases take them as deprecated profile settings or from the server config).
const USERS_XML = `<?xml version="1.0"?>
<yandex>
  <profiles>
    <default>
      <background_pool_size>2</background_pool_size>
      <background_schedule_pool_size>2</background_schedule_pool_size>
    </default>
  </profiles>
  <users>
    <default>
      <password></password>
      <networks><ip>127.0.0.1</ip></networks>
      <profile>default</profile>
      <quota>default</quota>
    </default>
  </users>
  <quotas><default></default></quotas>
</yandex>
`;
