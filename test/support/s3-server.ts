// Test helper: a private S3-compatible server for one test file — S3Proxy (Apache-2.0, from
// Maven Central: scripts/s3proxy/fetch-s3proxy.sh brings its jars, and is called here), with
// jclouds' filesystem provider storing objects under its temp directory. Chosen over S3Mock,
// s3rver and moto because it verifies SigV4 signatures (S3Mock and s3rver accept any, and
// PyPI is out of reach here): every start has its own random access key and secret, and a
// request signed with another secret is refused with 403 SignatureDoesNotMatch.
//
// Each start has its own temp directory, its own free loopback port and its own credentials, so
// test files running at the same time never share a server. The JVM dies with the test process
// (parent-death signal, an 'exit' hook) and stop() ends it (SIGTERM, then SIGKILL). Java is
// required: a missing one is an error, never a skip (.ci/run installs it for Kafka already).
// Cost on the 2-core machine: ready in 2-4 s (C1 only, serial GC, 256 MB heap at most).

import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { javaCommand, withParentDeathSignal } from './kafka-console.ts';

export interface S3Server {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Creates an empty bucket (a directory of the filesystem provider); its name. */
  createBucket(prefix?: string): string;
  /** Where the objects of a bucket lie on disk (to look for leftovers). */
  bucketDir(bucket: string): string;
  logTail(chars?: number): string;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 120_000;
const STOP_GRACE_MS = 10_000;
const START_ATTEMPTS = 3;
const JVM = ['-Xms32m', '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', '-Djava.awt.headless=true'];
const FETCH_SCRIPT = fileURLToPath(new URL('../../scripts/s3proxy/fetch-s3proxy.sh', import.meta.url));

let libDir: string | undefined;
function s3ProxyLibDir(): string {
  libDir ??= execFileSync('bash', [FETCH_SCRIPT], { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8' }).trim();
  return libDir;
}

export async function startS3Server(): Promise<S3Server> {
  const lib = s3ProxyLibDir();
  let lastError: unknown;
  for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
    try {
      return await startOnce(lib);
    } catch (err) {
      lastError = err;
      if (!(err instanceof PortTakenError)) throw err;
    }
  }
  throw lastError;
}

class PortTakenError extends Error {}

async function startOnce(lib: string): Promise<S3Server> {
  const dir = mkdtempSync(join(tmpdir(), 'molam-s3-'));
  const data = join(dir, 'data');
  mkdirSync(data);
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = `test-${randomBytes(6).toString('hex')}`;
  const secretAccessKey = randomBytes(24).toString('base64url');
  const properties = join(dir, 's3proxy.conf');
  writeFileSync(properties, [
    `s3proxy.endpoint=${endpoint}`,
    's3proxy.authorization=aws-v2-or-v4',
    `s3proxy.identity=${accessKeyId}`,
    `s3proxy.credential=${secretAccessKey}`,
    // jclouds' newer filesystem provider (the older `filesystem` logs itself deprecated); it
    // asks for an identity and a credential of its own, which it does not use.
    'jclouds.provider=filesystem-nio2',
    'jclouds.identity=unused',
    'jclouds.credential=unused',
    `jclouds.filesystem.basedir=${data}`,
    '',
  ].join('\n'));
  // S3Proxy ships no logging configuration: Logback's default is DEBUG on the console.
  const logFile = join(dir, 'server.log');
  writeFileSync(join(dir, 'logback.xml'), `<configuration>
  <appender name="file" class="ch.qos.logback.core.FileAppender"><file>${logFile}</file>
    <encoder><pattern>%d{HH:mm:ss.SSS} %-5level %logger{36} - %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="file"/></root>
</configuration>
`);
  const outFd = openSync(join(dir, 'jvm.out'), 'a');
  const [command, args] = withParentDeathSignal(javaCommand(), [
    ...JVM, `-Dlogback.configurationFile=${join(dir, 'logback.xml')}`, '-cp', `${lib}/*`,
    'org.gaul.s3proxy.Main', '--properties', properties,
  ]);
  const child = spawn(command, args, { cwd: dir, stdio: ['ignore', outFd, outFd], detached: true });
  closeSync(outFd);
  let spawnError: Error | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', (err) => { spawnError = err; resolve(); });
  });
  const running = () => spawnError === undefined && child.exitCode === null && child.signalCode === null;
  const killGroup = (signal: NodeJS.Signals) => {
    if (child.pid === undefined || !running()) return;
    try { process.kill(-child.pid, signal); } catch { child.kill(signal); }
  };
  const killOnExit = () => {
    killGroup('SIGKILL');
    try { rmSync(dir, { recursive: true, force: true }); } catch { /* still written */ }
  };
  process.once('exit', killOnExit);
  const logTail = (chars = 4000) => readTail(join(dir, 'jvm.out'), chars) + readTail(logFile, chars);
  let stopped: Promise<void> | undefined;
  const stop = () => stopped ??= (async () => {
    process.removeListener('exit', killOnExit);
    killGroup('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([exited.then(() => false), new Promise<boolean>((r) => { timer = setTimeout(() => r(true), STOP_GRACE_MS); })]);
    clearTimeout(timer);
    if (late) {
      killGroup('SIGKILL');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  })();

  try {
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      const log = logTail(100_000);
      if (/Address already in use|BindException/.test(log)) throw new PortTakenError(`the S3 server's port was taken (${port})`);
      if (!running()) throw new Error(`the S3 server ended before it was ready:\n${spawnError?.message ?? ''}\n${log}`);
      // An unsigned request is answered 403 once the server serves.
      if (await answers(port)) break;
      if (Date.now() > deadline) throw new Error(`the S3 server was not ready within ${READY_TIMEOUT_MS} ms:\n${log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return {
    endpoint, region: 'us-east-1', accessKeyId, secretAccessKey,
    createBucket(prefix = 'files') {
      const bucket = `${prefix}-${randomBytes(5).toString('hex')}`;
      mkdirSync(join(data, bucket));
      return bucket;
    },
    bucketDir: (bucket) => join(data, bucket),
    logTail,
    stop,
  };
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/', method: 'GET', timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode !== undefined);
    });
    req.once('error', () => resolve(false));
    req.once('timeout', () => { req.destroy(); resolve(false); });
    req.end();
  });
}

function readTail(path: string, chars: number): string {
  try { return readFileSync(path, 'utf8').slice(-chars); } catch { return ''; }
}

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
