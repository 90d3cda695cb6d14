// Bench child: ClickHouse's own best insert of the same events, the baseline the ClickHouse
// backend's ingest is compared with. The events are first turned into rows (not timed: parsed by
// the contract's parser, dimensions as text, since a bare insert has no dictionary), then sent
// as HTTP JSONEachRow inserts of `batch` rows, one after the other, into a raw table with two
// materialized rollup views (minute and hour, SummingMergeTree), as the Brique 145 runbook lays
// out ClickHouse. Prints one JSON line. Run by bench/clickhouse-run.ts.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { once } from 'node:events';
import { Readable } from 'node:stream';
import { createClient, ClickHouseLogLevel } from '@clickhouse/client';
import { parseEventLine } from '../src/events/parse-event.ts';
import { TYPE_CODE } from '../src/events/contract.ts';
import { serverCpuSeconds } from './bench-support.ts';

const [file, url, database, batchArg = '50000'] = process.argv.slice(2);
const batch = Number(batchArg);
const STATUS = { pending: 1, succeeded: 2, failed: 3 } as const;

// Rows: every event the parser accepts (the backend dedupes too; the generated stream's
// duplicates are a few percent, so this baseline inserts slightly more rows than ours stores),
// as request bodies of `batch` rows, held in memory (outside the JS heap) before the clock starts.
const bodies: Buffer[] = [];
let pending: string[] = [];
let rows = 0;
for await (const line of createInterface({ input: createReadStream(file), crlfDelay: Infinity })) {
  const r = parseEventLine(line, { now: Date.now() + 86_400_000, maxFutureMs: 0, minOccurredAt: -Infinity });
  if (!r.ok) continue;
  const e = r.event;
  const row = JSON.stringify({
    event_id: e.eventId, type: TYPE_CODE[e.type], occurred_at: e.occurredAt, offset_minutes: e.offsetMinutes,
    entity_id: e.entityId, txn_id: e.txnId, merchant: e.merchantId, country: e.country, city: e.city ?? '',
    currency: e.currency, method: e.paymentMethod ?? '', provider: e.provider ?? '',
    status: e.status ? STATUS[e.status] : 0, amount_minor: e.amountMinor.toString(), fee_minor: e.feeMinor.toString(),
    failure_reason: e.failureReason, customer_id: e.customerId, reason: e.reason, metadata: e.metadata,
  });
  pending.push(row);
  rows++;
  if (pending.length === batch) {
    bodies.push(Buffer.from(pending.join('\n') + '\n'));
    pending = [];
  }
}
if (pending.length) bodies.push(Buffer.from(pending.join('\n') + '\n'));

const admin = createClient({ url, log: { level: ClickHouseLogLevel.OFF } });
await admin.command({ query: `CREATE DATABASE IF NOT EXISTS ${database}` });
await admin.close();
const ch = createClient({ url, database, log: { level: ClickHouseLogLevel.OFF }, request_timeout: 600_000, keep_alive: { enabled: true, idle_socket_ttl: 2000 } });
const rollup = (name: string, period: number) => [
  `CREATE TABLE ${name} (minute Int32, merchant String, country String, currency String, kind UInt8, cnt Int64, amount_minor Int64)
   ENGINE = SummingMergeTree PARTITION BY toYYYYMM(toDateTime(minute * 60, 'UTC')) ORDER BY (minute, merchant, country, currency, kind)`,
  `CREATE MATERIALIZED VIEW ${name}_mv TO ${name} AS SELECT toInt32(intDiv(occurred_at, ${period * 60_000}) * ${period}) AS minute,
     merchant, country, currency, toUInt8(if(type < 4, status, 4 + type)) AS kind, toInt64(1) AS cnt, amount_minor FROM raw_native`,
];
for (const q of [
  `CREATE TABLE raw_native (event_id String, type UInt8, occurred_at Int64, offset_minutes Int16, entity_id String,
     txn_id Nullable(String), merchant String, country String, city String, currency String, method String, provider String,
     status UInt8, amount_minor Int64, fee_minor Int64, failure_reason Nullable(String), customer_id Nullable(String),
     reason Nullable(String), metadata Nullable(String))
   ENGINE = MergeTree PARTITION BY toYYYYMM(toDateTime(intDiv(occurred_at, 1000), 'UTC')) ORDER BY (merchant, occurred_at, event_id)`,
  ...rollup('native_minute', 1), ...rollup('native_hour', 60),
]) await ch.command({ query: q });

const cpu0 = process.cpuUsage();
const serverCpu0 = serverCpuSeconds();
const t0 = performance.now();
for (const body of bodies) {
  const r = await ch.exec({ query: 'INSERT INTO raw_native FORMAT JSONEachRow', values: Readable.from([body], { objectMode: false }) });
  r.stream.resume();
  await once(r.stream, 'end');
}
const seconds = (performance.now() - t0) / 1000;
const cpu = process.cpuUsage(cpu0);
const serverCpu = serverCpuSeconds() - serverCpu0;
const [{ n }] = await (await ch.query({ query: 'SELECT count() AS n FROM raw_native', format: 'JSONEachRow' })).json<{ n: string }>();
await ch.close();
console.log(JSON.stringify({ rows, stored: Number(n), seconds, rowsPerSecond: rows / seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, serverCpuSeconds: serverCpu }));
