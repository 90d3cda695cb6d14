// Test helper: a private Apache Kafka broker for one test file (or one benchmark). A single
// KRaft node, broker and controller in one JVM (`kafka.Kafka`), run from Kafka's own jars that
// scripts/kafka/fetch-kafka.sh brings with Maven (it is called here, and returns at once when
// the jars are there). Each start has its own temp directory (data, generated configuration,
// server.log) and its own free loopback ports (PLAINTEXT for clients, CONTROLLER for the quorum),
// so test files running at the same time never share a broker, a port or a path.
//
// Settings for tests: every internal topic with replication factor 1, no initial rebalance
// delay, consumer session timeouts down to 1 s allowed, `auto.create.topics.enable=false`
// (a topic exists because the test created it, as in production with managed topics).
//
// The JVM dies with the test process: `setpriv --pdeathsig KILL` (parent killed outright,
// e.g. by the test runner's timeout), an 'exit' hook, and stop() (SIGTERM, then SIGKILL).
// Console tools (createTopic, consoleProduce, consoleConsume, groupOffsets) are Kafka's own
// classes, each in a short-lived JVM (1-3 s apiece): an independent witness of what a client did.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  consoleTools, javaCommand, withParentDeathSignal, type ConsoleTools,
} from './kafka-console.ts';

export type { ConsumedRecord, GroupPartitionOffset, ProduceRecord } from './kafka-console.ts';

export interface KafkaBroker extends ConsoleTools {
  /** Bootstrap address for clients: `127.0.0.1:PORT`. */
  brokers: string;
  port: number;
  /** The broker's temp directory; its log is `server.log` there. */
  dir: string;
  /** The last part of the broker's log (for assertion messages). */
  logTail(chars?: number): string;
  /** SIGTERM (clean shutdown), SIGKILL after STOP_GRACE_MS, then removes the directory. Idempotent. */
  stop(): Promise<void>;
}

export interface KafkaOptions {
  /** Extra or overriding server.properties entries. */
  properties?: Record<string, string | number | boolean>;
  /** JVM options of the broker but the heap (DEFAULT_BROKER_JVM; THROUGHPUT_BROKER_JVM for benchmarks). The heap: $KAFKA_HEAP_OPTS, else -Xms128m -Xmx512m. */
  jvmOptions?: string[];
  /** Keep the directory after stop() (to read server.log). */
  keepDir?: boolean;
}

/**
 * For benchmarks: the full JIT. Serial GC (two cores shared with the load), no perf-data file.
 * Starts in 5.6-6.5 s at load 9 on the 2-core machine.
 */
export const THROUGHPUT_BROKER_JVM = ['-XX:+UseSerialGC', '-XX:-UsePerfData', '-Djava.awt.headless=true'];
/** For tests (the default): C1 only, which starts in 3.6-3.9 s at load 9 (stops in 0.2-0.4 s). */
export const DEFAULT_BROKER_JVM = [...THROUGHPUT_BROKER_JVM, '-XX:TieredStopAtLevel=1'];
const DEFAULT_HEAP = ['-Xms128m', '-Xmx512m'];

// Generous on purpose: on a loaded 2-core machine the JVM start alone can take 10-20 s.
const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 20_000;
const START_ATTEMPTS = 3;

const FETCH_SCRIPT = fileURLToPath(new URL('../../scripts/kafka/fetch-kafka.sh', import.meta.url));

let libDir: string | undefined;
/** Kafka's jar directory, fetched with Maven on first use (scripts/kafka/fetch-kafka.sh). */
export function kafkaLibDir(): string {
  libDir ??= execFileSync('bash', [FETCH_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim();
  return libDir;
}

/** Starts a fresh single-node broker and waits until it serves clients. */
export async function startKafka(options: KafkaOptions = {}): Promise<KafkaBroker> {
  const lib = kafkaLibDir();
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(lib, options);
    } catch (err) {
      lastError = err;
      // Only a port lost between choosing it and the broker binding it is worth another try.
      if (!(err instanceof PortTakenError)) throw err;
    }
  }
  throw lastError;
}

class PortTakenError extends Error {}

async function startOnce(lib: string, options: KafkaOptions): Promise<KafkaBroker> {
  const dir = mkdtempSync(join(tmpdir(), 'molam-kafka-'));
  mkdirSync(join(dir, 'data'));
  const port = await freeLoopbackPort();
  const controllerPort = await freeLoopbackPort();
  const propertiesFile = join(dir, 'server.properties');
  writeFileSync(propertiesFile, serverProperties(dir, port, controllerPort, options.properties ?? {}));
  writeFileSync(join(dir, 'log4j2.properties'), brokerLog4j(join(dir, 'server.log')));
  const logConfig = `-Dlog4j2.configurationFile=${join(dir, 'log4j2.properties')}`;
  const heap = process.env.KAFKA_HEAP_OPTS?.trim().split(/\s+/) ?? DEFAULT_HEAP;
  const jvm = [...heap, ...(options.jvmOptions ?? DEFAULT_BROKER_JVM), logConfig, '-cp', `${lib}/*`];

  // A fresh log directory formatted for a standalone controller quorum, with a random cluster id.
  const clusterId = randomClusterId();
  try {
    execFileSync(javaCommand(), [...jvm, 'kafka.tools.StorageTool', 'format', '--standalone',
      '--cluster-id', clusterId, '--config', propertiesFile], { stdio: 'pipe', timeout: READY_TIMEOUT_MS });
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const e = err as { stderr?: Buffer; stdout?: Buffer; message: string };
    throw new Error(`kafka-storage format failed: ${e.message}\n${e.stdout ?? ''}${e.stderr ?? ''}`);
  }

  // stdout/stderr straight into a file: no pipe for the JVM to block on.
  const outFd = openSync(join(dir, 'jvm.out'), 'a');
  const [command, args] = withParentDeathSignal(javaCommand(), [...jvm, 'kafka.Kafka', propertiesFile]);
  // Its own process group, so stop() and the exit hook reach everything it started.
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', outFd, outFd], detached: true });
  closeSync(outFd);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => { spawnError = err; resolve(); });
  });
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try { process.kill(-child.pid, signal); } catch { child.kill(signal); }
  };
  const killOnExit = () => {
    killGroup('SIGKILL');
    if (!options.keepDir) try { rmSync(dir, { recursive: true, force: true, maxRetries: 3 }); } catch { /* still written */ }
  };
  process.once('exit', killOnExit);

  const brokers = `127.0.0.1:${port}`;
  const { killAll, ...tools } = consoleTools(brokers, lib, dir);
  const logTail = (chars = 4000) => readTail(join(dir, 'server.log'), chars) + readTail(join(dir, 'jvm.out'), 2000);
  let stopped: Promise<void> | undefined;
  const stop = () => stopped ??= (async () => {
    process.removeListener('exit', killOnExit);
    killAll();
    await terminate(child, exited, killGroup);
    if (!options.keepDir) rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  })();

  try {
    await waitUntilReady(port, () => spawnError !== undefined || child.exitCode !== null || child.signalCode !== null,
      () => `${spawnError?.message ?? ''}\n${logTail()}`, dir);
  } catch (err) {
    await stop();
    throw err;
  }
  return { ...tools, brokers, port, dir, logTail, stop };
}

/** Ready once the log says the server started (the broker is then unfenced) and the port accepts. */
async function waitUntilReady(port: number, ended: () => boolean, diagnostics: () => string, dir: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const log = readTail(join(dir, 'server.log'), 1_000_000) + readTail(join(dir, 'jvm.out'), 100_000);
    if (/Address already in use|BindException/.test(log)) throw new PortTakenError(`a port of the broker was taken (${port})`);
    if (ended()) throw new Error(`the Kafka broker ended before it was ready:\n${diagnostics()}`);
    if (/Kafka Server started/.test(log) && await accepts(port)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`the Kafka broker was not ready within ${READY_TIMEOUT_MS} ms:\n${diagnostics()}`);
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(2000);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => { socket.destroy(); resolve(false); });
  });
}

async function terminate(child: ChildProcess, exited: Promise<void>, killGroup: (s: NodeJS.Signals) => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  killGroup('SIGTERM');
  let timer: NodeJS.Timeout | undefined;
  const graceOver = new Promise<boolean>((r) => { timer = setTimeout(() => r(true), STOP_GRACE_MS); });
  const timedOut = await Promise.race([exited.then(() => false), graceOver]);
  clearTimeout(timer);
  if (timedOut) {
    killGroup('SIGKILL');
    await exited;
  }
}

function serverProperties(dir: string, port: number, controllerPort: number, extra: KafkaOptions['properties'] & object): string {
  const props: Record<string, string | number | boolean> = {
    'process.roles': 'broker,controller',
    'node.id': 1,
    'controller.quorum.bootstrap.servers': `127.0.0.1:${controllerPort}`,
    'listeners': `PLAINTEXT://127.0.0.1:${port},CONTROLLER://127.0.0.1:${controllerPort}`,
    'advertised.listeners': `PLAINTEXT://127.0.0.1:${port}`,
    'controller.listener.names': 'CONTROLLER',
    'inter.broker.listener.name': 'PLAINTEXT',
    'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT',
    'log.dirs': join(dir, 'data'),
    'num.partitions': 1,
    'auto.create.topics.enable': false,
    'offsets.topic.replication.factor': 1,
    'offsets.topic.num.partitions': 4,
    'transaction.state.log.replication.factor': 1,
    'transaction.state.log.min.isr': 1,
    'transaction.state.log.num.partitions': 4,
    'share.coordinator.state.topic.replication.factor': 1,
    'share.coordinator.state.topic.min.isr': 1,
    'group.initial.rebalance.delay.ms': 0,
    'group.min.session.timeout.ms': 1000,
    'num.network.threads': 2,
    'num.io.threads': 4,
    'num.recovery.threads.per.data.dir': 1,
    // The cleaner (compaction of __consumer_offsets) takes 128 MB of heap by default.
    'log.cleaner.dedupe.buffer.size': 16 * 1024 * 1024,
    ...extra,
  };
  return Object.entries(props).map(([k, v]) => `${k}=${v}`).join('\n') + '\n';
}

function brokerLog4j(file: string): string {
  return [
    'rootLogger.level=INFO',
    'rootLogger.appenderRef.file.ref=file',
    'appender.file.type=File',
    'appender.file.name=file',
    `appender.file.fileName=${file}`,
    'appender.file.layout.type=PatternLayout',
    'appender.file.layout.pattern=[%d] %p %m (%c)%n',
    // The per-request and state-change chatter helps nobody here.
    'logger.request.name=kafka.request.logger',
    'logger.request.level=WARN',
    'logger.state.name=state.change.logger',
    'logger.state.level=WARN',
    '',
  ].join('\n');
}

function readTail(path: string, chars: number): string {
  try { return readFileSync(path, 'utf8').slice(-chars); } catch { return ''; }
}

/** A port free on 127.0.0.1 now (the kernel's choice); the broker may still lose it, hence the retry. */
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
 * 16 random bytes in URL-safe base64, as Kafka's own ids. One in 64 of those starts with `-`, which
 * the storage tool's argument parser reads as an option ("--cluster-id: expected one argument"):
 * Kafka's Uuid.randomUuid() draws again in that case, and so does this.
 */
export function randomClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
