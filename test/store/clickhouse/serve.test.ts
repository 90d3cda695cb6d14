// `ANALYTICS_STORE=clickhouse` serves the whole platform: two real servers (src/main.ts), one on
// embedded DuckDB and one on a private ClickHouse server, take the same events and FX rates over
// HTTP and give the same answers on every analytics endpoint, raw events and dead letters; the
// dashboard is served and /ready names the store ready.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startClickHouse, type ClickHouseServer } from '../../support/clickhouse-server.ts';
import { startServer, type ServerProcess } from '../../support/server-process.ts';
import { randomStream } from '../../support/random-stream.ts';
import { bearer, mintToken } from '../../support/tokens.ts';
import { assertSame } from '../../support/same-answer.ts';

const DAY = 86_400_000;
const END = Math.floor(Date.now() / DAY) * DAY;
const START = END - 20 * DAY;
const token = mintToken({ sub: 'ops', roles: ['analytics:ops', 'events:write'] });

let clickhouse: ClickHouseServer;
let dirs: string[] = [];
const servers: ServerProcess[] = [];

async function call(s: ServerProcess, path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(new URL(path, s.url), { ...init, headers: { ...bearer(await token), ...(init.headers ?? {}) } });
  const text = await res.text();
  return { status: res.status, body: text.startsWith('{') || text.startsWith('[') ? JSON.parse(text) : text };
}

before(async () => {
  clickhouse = await startClickHouse();
  const database = await clickhouse.createDatabase('serve');
  const fx = readFileSync('reference/fx-rates.sample.csv', 'utf8');
  const { events } = randomStream({ seed: 77, txns: 600, start: START, spanMs: 19 * DAY });
  const body = events.map((e) => JSON.stringify(e)).join('\n') + '\n{"event_id": "broken"\n';
  const envs: Array<Record<string, string>> = [{}, { ANALYTICS_STORE: 'clickhouse', CLICKHOUSE_URL: clickhouse.url, CLICKHOUSE_DATABASE: database }];
  for (const env of envs) {
    const dir = mkdtempSync(join(tmpdir(), 'molam-serve-'));
    dirs.push(dir);
    const s = await startServer({ DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '256MB', CACHE_TTL: '0', ...env });
    servers.push(s);
    assert.equal((await call(s, '/api/v1/fx-rates', { method: 'PUT', headers: { 'content-type': 'text/csv' }, body: fx })).status, 200);
    const ingest = await call(s, '/api/v1/events', { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body });
    assert.equal(ingest.status, 200, JSON.stringify(ingest.body));
  }
});

after(async () => {
  for (const s of servers) await s.stop();
  await clickhouse?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});


const range = `from=${new Date(START).toISOString()}&to=${new Date(END).toISOString()}`;
const PATHS = [
  `/api/analytics/summary?${range}`,
  `/api/analytics/kpis?${range}&currency=XOF`,
  `/api/analytics/timeseries?${range}&granularity=day&tz=Africa/Lagos&metrics=tx_count,success_rate,gross_volume_usd`,
  `/api/analytics/overview?${range}`,
  `/api/v1/dashboard/metrics?currency=XOF`,
  `/api/analytics/top/merchants?${range}&metric=gross_volume_usd&limit=3`,
  `/api/analytics/top/countries?${range}&metric=tx_count`,
  `/api/analytics/breakdown?${range}&dimension=region&metric=tx_count`,
  `/api/v1/metrics?${range}&metrics=tx_count,refund_rate,net_volume_usd&dimensions=currency,status&granularity=week&tz=Europe/Paris`,
  `/api/v1/events?${range}&limit=40`,
  `/api/v1/events/stats?${range}`,
  '/api/v1/dead-letters',
  '/api/v1/fx-rates?currency=NGN&limit=20',
];

for (const path of PATHS) {
  test(`same answer from DuckDB and ClickHouse: ${path.split('?')[0]}`, async () => {
    const [a, b] = await Promise.all(servers.map((s) => call(s, path)));
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(b.status, 200, JSON.stringify(b.body));
    const strip = (x: unknown) => JSON.parse(JSON.stringify(x, (k, v) => (k === 'as_of' || k === 'received_at' || k === 'generated_at' ? undefined : v)));
    assertSame(strip(b.body), strip(a.body), path);
  });
}

test('on ClickHouse: ready, an event by id, and the dashboard', async () => {
  const s = servers[1];
  const ready = await call(s, '/ready');
  assert.equal(ready.status, 200, JSON.stringify(ready.body));
  const page = (await call(s, `/api/v1/events?${range}&limit=1`)).body as { items: Array<{ event_id: string }> };
  const one = await call(s, `/api/v1/events/${encodeURIComponent(page.items[0].event_id)}`);
  assert.equal(one.status, 200);
  assert.deepEqual(one.body, (await call(servers[0], `/api/v1/events/${encodeURIComponent(page.items[0].event_id)}`)).body);
  const html = await fetch(new URL('/', s.url));
  assert.equal(html.status, 200);
  assert.match(await html.text(), /<div id="root">/);
});
