// Test helper: Kafka's own command-line tools against a test broker (test/support/kafka-broker.ts),
// each a short-lived JVM from the same jars: TopicCommand, ConsoleProducer, ConsoleConsumer and
// ConsumerGroupCommand. Records go through the tools' line formats, so keys, values and headers
// must not contain a tab or a newline, and header keys neither ':' nor ','; a record that breaks
// this is refused here rather than mangled.

import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ProduceRecord {
  value: string;
  key?: string;
  headers?: Record<string, string>;
}

export interface ConsumedRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

export interface GroupPartitionOffset {
  topic: string;
  partition: number;
  /** The group's committed offset (the next record it will read), null when none is committed. */
  committed: number | null;
  logEnd: number | null;
  lag: number | null;
  /** The member holding the partition now, null when none does. */
  consumerId: string | null;
  clientId: string | null;
}

export interface ConsoleTools {
  /** kafka-topics --create; `configs` become `--config k=v`. */
  createTopic(name: string, partitions?: number, configs?: Record<string, string>): Promise<void>;
  /** kafka-console-producer: one record per line (a string is a value without key). Returns once all are acknowledged. */
  consoleProduce(topic: string, records: Array<string | ProduceRecord>): Promise<void>;
  /** kafka-console-consumer from the beginning, in a throw-away group: up to `max` records, or what came within `timeoutMs`. */
  consoleConsume(topic: string, max: number, timeoutMs?: number): Promise<ConsumedRecord[]>;
  /** kafka-consumer-groups --describe: one row per partition the group has an offset for or holds; [] for an unknown group. */
  groupOffsets(group: string): Promise<GroupPartitionOffset[]>;
}

// Short-lived tools: small heap, no C2 compiler (half the start-up CPU), no perf-data file.
const TOOL_JVM = ['-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-XX:-UsePerfData', '-Djava.awt.headless=true'];
const TOOL_TIMEOUT_MS = 120_000;
// Marks a missing key or header list in the console formats (the default "null" is a real value).
const NULL_MARKER = '__NULL__';

export function javaCommand(): string {
  return process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java';
}

/**
 * Wraps the command in util-linux `setpriv --pdeathsig KILL` when it exists, so the JVM dies with
 * the test process even when that process is killed (a test-runner timeout sends SIGTERM, which
 * skips 'exit' handlers).
 */
export function withParentDeathSignal(command: string, args: string[]): [string, string[]] {
  try {
    accessSync('/usr/bin/setpriv', constants.X_OK);
    return ['/usr/bin/setpriv', ['--pdeathsig', 'KILL', '--', command, ...args]];
  } catch {
    return [command, args];
  }
}

export function consoleTools(brokers: string, lib: string, dir: string): ConsoleTools & { killAll(): void } {
  const logConfig = join(dir, 'tools-log4j2.properties');
  writeFileSync(logConfig, TOOLS_LOG4J);
  const running = new Set<ChildProcess>();
  const run = (mainClass: string, args: string[], input?: string, allowFailure = false) =>
    runJava([...TOOL_JVM, `-Dlog4j2.configurationFile=${logConfig}`, '-cp', `${lib}/*`, mainClass, ...args], running, input, allowFailure);
  const bootstrap = ['--bootstrap-server', brokers];

  return {
    killAll() { for (const child of running) child.kill('SIGKILL'); },

    async createTopic(name, partitions = 1, configs = {}) {
      const config = Object.entries(configs).flatMap(([k, v]) => ['--config', `${k}=${v}`]);
      await run('org.apache.kafka.tools.TopicCommand', [...bootstrap, '--create', '--topic', name,
        '--partitions', String(partitions), '--replication-factor', '1', ...config]);
    },

    async consoleProduce(topic, records) {
      const lines = records.map((r) => produceLine(typeof r === 'string' ? { value: r } : r));
      const props = { 'parse.key': 'true', 'parse.headers': 'true', 'null.marker': NULL_MARKER };
      await run('org.apache.kafka.tools.ConsoleProducer', [...bootstrap, '--topic', topic,
        '--producer-property', 'acks=all', '--producer-property', 'linger.ms=0',
        ...Object.entries(props).flatMap(([k, v]) => ['--reader-property', `${k}=${v}`])], lines.map((l) => `${l}\n`).join(''));
    },

    async consoleConsume(topic, max, timeoutMs = 30_000) {
      const props = {
        'print.partition': 'true', 'print.offset': 'true', 'print.headers': 'true', 'print.key': 'true',
        'null.literal': NULL_MARKER,
      };
      // Exits non-zero when the timeout ends the wait: what was printed until then is the answer.
      const { stdout } = await run('org.apache.kafka.tools.consumer.ConsoleConsumer', [...bootstrap, '--topic', topic,
        '--from-beginning', '--max-messages', String(max), '--timeout-ms', String(timeoutMs),
        ...Object.entries(props).flatMap(([k, v]) => ['--formatter-property', `${k}=${v}`])], undefined, true);
      return stdout.split('\n').filter((l) => l.startsWith('Partition:')).map(parseConsumedLine);
    },

    async groupOffsets(group) {
      const { stdout, stderr } = await run('org.apache.kafka.tools.consumer.group.ConsumerGroupCommand',
        [...bootstrap, '--describe', '--group', group, '--offsets'], undefined, true);
      if (/does not exist|GroupIdNotFoundException/.test(stdout + stderr)) return [];
      return parseGroupTable(stdout, stderr);
    },
  };
}

function produceLine(r: ProduceRecord): string {
  const fields = [r.key ?? '', r.value, ...Object.entries(r.headers ?? {}).flat()];
  if (fields.some((f) => /[\t\n\r]/.test(f))) throw new Error(`consoleProduce: a tab or newline in ${JSON.stringify(r)}`);
  if (Object.keys(r.headers ?? {}).some((k) => /[:,]/.test(k) || k === '')) throw new Error(`consoleProduce: bad header key in ${JSON.stringify(r)}`);
  if (Object.values(r.headers ?? {}).some((v) => v.includes(','))) throw new Error(`consoleProduce: ',' in a header value of ${JSON.stringify(r)}`);
  const headers = r.headers && Object.keys(r.headers).length > 0
    ? Object.entries(r.headers).map(([k, v]) => `${k}:${v}`).join(',')
    : NULL_MARKER;
  return `${headers}\t${r.key ?? NULL_MARKER}\t${r.value}`;
}

// "Partition:2\tOffset:0\th1:v1,h2:v2\tkey\tvalue" (headers "NO_HEADERS" when there are none).
function parseConsumedLine(line: string): ConsumedRecord {
  const [p, o, h, key, ...value] = line.split('\t');
  const headers: Record<string, string> = {};
  if (h !== 'NO_HEADERS') {
    for (const pair of h!.split(',')) {
      const i = pair.indexOf(':');
      headers[pair.slice(0, i)] = pair.slice(i + 1);
    }
  }
  const orNull = (s: string) => (s === NULL_MARKER ? null : s);
  return {
    partition: Number(p!.slice('Partition:'.length)),
    offset: Number(o!.slice('Offset:'.length)),
    headers, key: orNull(key!), value: orNull(value.join('\t')),
  };
}

// The table under a header line "GROUP TOPIC PARTITION CURRENT-OFFSET LOG-END-OFFSET LAG CONSUMER-ID HOST CLIENT-ID".
function parseGroupTable(stdout: string, stderr: string): GroupPartitionOffset[] {
  const lines = stdout.split('\n').map((l) => l.trim()).filter(Boolean);
  const headerAt = lines.findIndex((l) => l.startsWith('GROUP') && l.includes('PARTITION'));
  if (headerAt < 0) {
    if (/has no active members|is rebalancing/.test(stdout + stderr) && !/Error/.test(stderr)) return [];
    throw new Error(`kafka-consumer-groups printed no table:\n${stdout}\n${stderr}`);
  }
  const columns = lines[headerAt]!.split(/\s+/);
  const num = (s: string | undefined) => (s === undefined || s === '-' ? null : Number(s));
  const text = (s: string | undefined) => (s === undefined || s === '-' ? null : s);
  const rows: GroupPartitionOffset[] = [];
  for (const line of lines.slice(headerAt + 1)) {
    if (line.startsWith('GROUP')) continue;
    const cells = line.split(/\s+/);
    const cell = (name: string) => cells[columns.indexOf(name)];
    if (text(cell('TOPIC')) === null || text(cell('PARTITION')) === null) continue; // a member holding nothing
    rows.push({
      topic: cell('TOPIC')!, partition: Number(cell('PARTITION')),
      committed: num(cell('CURRENT-OFFSET')), logEnd: num(cell('LOG-END-OFFSET')), lag: num(cell('LAG')),
      consumerId: text(cell('CONSUMER-ID')), clientId: text(cell('CLIENT-ID')),
    });
  }
  return rows.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

interface ToolResult { code: number | null; stdout: string; stderr: string }

function runJava(args: string[], running: Set<ChildProcess>, input?: string, allowFailure = false): Promise<ToolResult> {
  const [command, fullArgs] = withParentDeathSignal(javaCommand(), args);
  const child = spawn(command, fullArgs, { stdio: ['pipe', 'pipe', 'pipe'] });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  child.stdin!.on('error', () => { /* the tool ended before reading everything: its exit says why */ });
  child.stdin!.end(input ?? '');
  const timer = setTimeout(() => child.kill('SIGKILL'), TOOL_TIMEOUT_MS);
  return new Promise((resolve, reject) => {
    child.once('error', (err) => { clearTimeout(timer); running.delete(child); reject(err); });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const mainClass = args.find((a) => a.startsWith('org.apache.kafka.') || a.startsWith('kafka.'));
      if ((code !== 0 && !allowFailure) || signal) {
        reject(new Error(`${mainClass} failed (${signal ?? `exit ${code}`}):\n${stdout}\n${stderr}`));
      } else {
        resolve({ code, stdout, stderr });
      }
    });
  });
}

const TOOLS_LOG4J = [
  'rootLogger.level=WARN',
  'rootLogger.appenderRef.err.ref=err',
  'appender.err.type=Console',
  'appender.err.name=err',
  'appender.err.target=SYSTEM_ERR',
  'appender.err.layout.type=PatternLayout',
  'appender.err.layout.pattern=[%d] %p %m (%c)%n',
  '',
].join('\n');
