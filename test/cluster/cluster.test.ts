// The platform as a cluster, every piece real: Apache Kafka → two consumer processes (one writes,
// the other waits for the writer lease) → ClickHouse → two api replicas that only read, following
// the commit feed through Redis, with the state store on PostgreSQL. A WebSocket client on one
// api replica receives the deltas of commits made by a consumer; REST on the other answers what
// the reference computes; the writing consumer is SIGKILLed mid-stream and the standby takes over
// from the positions in the store: every rollup equals the reference, each event stored once, and
// the live totals too (a commit whose message the killed writer never sent is made up by seeding
// the replicas' windows again). FX rates are refused by an api replica and loaded on the consumer,
// whose feed tells the replicas at once. Each wait fails at once when a process the test still
// counts on has exited (with its stderr), and after four minutes.

import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { startKafka, type KafkaBroker } from '../support/kafka-broker.ts';
import { startClickHouse, type ClickHouseServer } from '../support/clickhouse-server.ts';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { randomStream } from '../support/random-stream.ts';
import { acceptedEvents, contributions, rollupOf } from '../support/reference-rollups.ts';
import { readRollup } from '../support/read-rollups.ts';
import { liveClient } from '../support/live-client.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { TEST_DATABASE_URL, postgresReachable } from '../support/state-backends.ts';
import { EVENT_TYPES } from '../../src/events/contract.ts';
import { openAnalyticsStore } from '../../src/store/open-analytics-store.ts';

type Event = Record<string, unknown>;
let kafka: KafkaBroker;
let ch: ClickHouseServer;
const dirs: string[] = [];
const servers: ServerProcess[] = [];
/** Processes the test stops on purpose: their exit is no failure. */
const stopped = new Set<ServerProcess>();

before(async () => {
  if (!(await postgresReachable())) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required');
  [kafka, ch] = await Promise.all([startKafka(), startClickHouse()]);
}, { timeout: 240_000 });
after(async () => {
  await Promise.all(servers.map((s) => s.stop('SIGKILL')));
  await Promise.all([kafka?.stop(), ch?.stop()]);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function until(check: () => Promise<boolean>, ms = 240_000): Promise<void> {
  const deadline = Date.now() + ms;
  let last: unknown = 'the condition was not met';
  for (;;) {
    const dead = servers.find((s) => !stopped.has(s) && (s.child.exitCode !== null || s.child.signalCode !== null));
    if (dead) assert.fail(`a process exited: ${dead.state()}`);
    try {
      if (await check()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) assert.fail(`not reached in ${ms / 1000} s: ${String(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test('Kafka → two consumers → ClickHouse → two api replicas with Redis: live deltas, REST equal to the reference, a writer killed mid-stream', { timeout: 900_000 }, async () => {
  const run = randomUUID().slice(0, 8);
  // Each topic by a JVM of its own: all at once (they wait on the broker as much as they compute).
  await Promise.all([...EVENT_TYPES.map((t) => kafka.createTopic(`c.${t}`, 2)), kafka.createTopic('c.dlq', 1)]);
  const database = await ch.createDatabase('cluster');
  const common = {
    ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: ch.url, CLICKHOUSE_DATABASE: database,
    REDIS_URL: 'redis://127.0.0.1:6379', REDIS_PREFIX: `cluster-${run}`,
    DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: `cluster_${run}`,
    KAFKA_BROKERS: kafka.brokers, KAFKA_TOPICS: EVENT_TYPES.map((t) => `c.${t}`).join(','), KAFKA_DLQ_TOPIC: 'c.dlq',
    KAFKA_GROUP_ID: `cluster-${run}`, KAFKA_BATCH_MAX_MESSAGES: '50', KAFKA_BATCH_MAX_WAIT_MS: '100',
    CACHE_TTL: '0',
  };
  const proc = async (role: string, until: 'ready' | 'listening' = 'ready') => {
    const dir = mkdtempSync(join(tmpdir(), `molam-${role}-`));
    dirs.push(dir);
    const s = await startServer({ ...common, ROLE: role, DATA_DIR: dir }, { until, timeoutMs: 180_000 });
    servers.push(s);
    return s;
  };

  // Events of the last 40 minutes up to a minute ago (the stream's later events are left out), so
  // that every one is in the live window too, with 20 minutes to spare.
  const seen = new Set<string>();
  const t0 = Date.now();
  const evs: Event[] = randomStream({ seed: 99, txns: 1500, start: t0 - 40 * 60_000, spanMs: 15 * 60_000 }).events
    .filter((e) => Date.parse(e.occurred_at as string) < t0 - 60_000)
    .filter((e) => !seen.has(e.event_id as string) && seen.add(e.event_id as string));
  const produce = async (part: Event[]) => {
    const byTopic = new Map<string, Array<{ key: string; value: string }>>();
    for (const e of part) {
      const topic = `c.${e.type as string}`;
      if (!byTopic.has(topic)) byTopic.set(topic, []);
      byTopic.get(topic)!.push({ key: String(e.txn_id ?? e.event_id), value: JSON.stringify(e) });
    }
    // One producer per topic, all at once: order holds within a topic, and there is none across topics.
    await Promise.all([...byTopic].map(([topic, records]) => kafka.consoleProduce(topic, records)));
  };
  const half = Math.floor(evs.length / 2);
  const txCount = (part: Event[]) => contributions(part).filter((c) => c.kind <= 3).length;
  const ops = await mintToken({ roles: ['analytics:ops'] });
  const restTxCount = async (api: ServerProcess) => {
    const from = new Date(Date.now() - 2 * 3_600_000).toISOString();
    const to = new Date(Date.now() + 60_000).toISOString();
    const res = await fetch(new URL(`/api/v1/metrics?from=${from}&to=${to}&metrics=tx_count`, api.url), { headers: bearer(ops) });
    assert.equal(res.status, 200);
    return Number((await res.json()).rows[0]?.metrics.tx_count ?? 0);
  };

  // The writer first (it migrates the database), then the standby, then the api replicas.
  const consumerA = await proc('consumer');
  const consumerB = await proc('consumer', 'listening');
  const [apiX, apiY] = await Promise.all([proc('api'), proc('api')]);
  const client = await liveClient(apiX.url, ops);
  assert.equal((await client.subscribe('global')).ok, true);

  // Part 1: through consumer A, to REST on Y and to the WebSocket client on X.
  await produce(evs.slice(0, half));
  await until(async () => (await restTxCount(apiY)) === txCount(evs.slice(0, half)));
  await until(async () => client.totals.get('global')?.tx_count === txCount(evs.slice(0, half)));
  assert.ok(client.deltas.length > 0, 'deltas reached a replica that does not ingest');

  // Part 2: consumer A is killed mid-stream; B takes the lease and goes on from the store. The
  // stream's last quarter is produced after the kill, so B has events to take however fast A was.
  const threeQuarters = Math.floor(evs.length * 0.75);
  await produce(evs.slice(half, threeQuarters));
  await until(async () => (await restTxCount(apiY)) > txCount(evs.slice(0, half)));
  stopped.add(consumerA);
  consumerA.child.kill('SIGKILL');
  await consumerA.stop('SIGKILL');
  await produce(evs.slice(threeQuarters));
  const ingestedByB = async () => {
    const res = await fetch(new URL('/health', consumerB.url));
    if (res.status !== 200) return 0;
    const h = (await res.json()).ingest;
    return h.accepted + h.duplicates + h.rejected as number;
  };
  await until(async () => (await ingestedByB()) > 0);
  await until(async () => (await restTxCount(apiY)) === txCount(evs));
  await until(async () => client.totals.get('global')?.tx_count === txCount(evs));
  assert.equal(await restTxCount(apiX), txCount(evs), 'both api replicas answer the same');
  client.close();

  const store = await openAnalyticsStore({
    ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: ch.url, CLICKHOUSE_DATABASE: database, CLICKHOUSE_USER: '', CLICKHOUSE_PASSWORD: '',
    DATA_DIR: '', DUCKDB_MEMORY_LIMIT: '', DUCKDB_THREADS: 1, DUCKDB_CHECKPOINT_THRESHOLD: '',
  }, undefined, { reader: true });
  try {
    const expected = contributions(evs);
    for (const [table, period] of [['minute', 1], ['hour', 60], ['day', 1440]] as const) {
      assert.deepEqual(await readRollup(store, table), rollupOf(expected, period), `rollup_${table}`);
    }
    const counts = await store.counts();
    assert.equal(counts.rawEvents, acceptedEvents(evs).length);
    assert.equal(counts.distinctEventIds, counts.rawEvents);
  } finally {
    await store.close();
  }
  // An api replica takes no events: they enter through Kafka.
  const ingest = await fetch(new URL('/api/v1/events', apiY.url), {
    method: 'POST', headers: { 'content-type': 'application/json', ...bearer(await mintToken({ roles: ['events:write'] })) }, body: JSON.stringify(evs[0]),
  });
  assert.equal(ingest.status, 503);
  assert.equal((await ingest.json()).code, 'ingest_stopped');

  // FX rates are written where the writer lease is: an api replica refuses them (coded 503,
  // nothing written); loaded on the consumer, they reach the api replicas' live windows through
  // the feed at once (their periodic FX reload runs every 10 minutes only).
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const currencies = [...new Set(evs.map((e) => e.currency as string | undefined))].filter((c): c is string => typeof c === 'string');
  const rates = [day(Date.now()), day(Date.now() - 86_400_000)]
    .flatMap((date) => currencies.map((currency) => ({ date, currency, usd_per_unit: currency === 'USD' ? '1' : '0.002' })));
  const putRates = (s: ServerProcess) => fetch(new URL('/api/v1/fx-rates', s.url), {
    method: 'PUT', headers: { 'content-type': 'application/json', ...bearer(ops) }, body: JSON.stringify({ rates }),
  });
  const refused = await putRates(apiY);
  assert.equal(refused.status, 503);
  assert.equal((await refused.json()).code, 'read_only_replica');
  const liveUsd = async () => {
    const c = await liveClient(apiX.url, ops);
    try {
      return (await c.subscribe('global')).snapshot?.totals.gross_volume_usd ?? 0;
    } finally {
      c.close();
    }
  };
  const usdOnly = await liveUsd(); // only USD needs no rate
  const loadedAt = Date.now();
  const loaded = await putRates(consumerB);
  assert.equal(loaded.status, 200, await loaded.text());
  await until(async () => (await liveUsd()) > usdOnly);
  assert.ok(Date.now() - loadedAt < 540_000, 'the rates reached the api replica through the feed, not its 10-minute reload');
});
