// /metrics: ingest counters equal engine.stats at every scrape, request metrics carry the route
// pattern (never the raw URL), the lag gauge follows the as-of watermark.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import { openTempPlatform } from '../support/temp-platform.ts';
import { createMetrics, type Metrics } from '../../src/observability/metrics-registry.ts';
import type { TempApp } from '../support/temp-app.ts';
import { event, sample } from './scrape.ts';
import { readdirSync, readFileSync } from 'node:fs';

const NOW = Date.parse('2026-11-20T12:00:00Z');
let t: TempApp;

before(async () => {
  t = await openTempApp({ now: () => NOW });
  const first = await t.inject({ method: 'POST', url: '/api/v1/events', payload: [event('a'), event('b'), event('c', { currency: 'XYZ' })] });
  assert.equal(first.json().accepted, 2, first.body);
  const second = await t.inject({ method: 'POST', url: '/api/v1/events', payload: [event('a'), event('d', { occurred_at: '2026-11-20T11:30:00Z' })] });
  assert.equal(second.json().duplicates, 1, second.body);
});
after(async () => { await t.close(); });

async function scrape(): Promise<string> {
  const res = await t.app.inject({ url: '/metrics' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return res.body;
}

test('ingest counters equal engine.stats, scrape after scrape', async () => {
  for (let i = 0; i < 2; i++) {
    const text = await scrape();
    const s = t.platform.engine.stats;
    assert.deepEqual([s.accepted, s.duplicates, s.rejected, s.batches], [3, 1, 1, 2]);
    assert.equal(sample(text, 'analytics_ingest_events_total', { outcome: 'accepted' }), s.accepted);
    assert.equal(sample(text, 'analytics_ingest_events_total', { outcome: 'duplicate' }), s.duplicates);
    assert.equal(sample(text, 'analytics_ingest_events_total', { outcome: 'rejected' }), s.rejected);
    assert.equal(sample(text, 'analytics_ingest_errors_total', { code: 'unknown_currency' }), 1);
    assert.equal(sample(text, 'analytics_ingest_errors_total', { code: 'commit_failed' }), 0);
    assert.equal(sample(text, 'analytics_ingest_batches_total'), s.batches);
    assert.equal(sample(text, 'analytics_ingest_batch_commit_duration_seconds_count'), s.batches);
  }
});

test('lag is now minus the as-of watermark', async () => {
  assert.equal(sample(await scrape(), 'analytics_aggregation_lag_seconds'), 1800);
});

test('requests are labelled by route pattern; unmatched URLs share one label', async () => {
  await t.inject({ url: '/api/v1/dead-letters?code=unknown_currency' });
  await t.app.inject({ url: '/no/such/path/123' });
  const text = await scrape();
  const labels = { method: 'POST', route: '/api/v1/events', status_code: '200' };
  assert.equal(sample(text, 'analytics_api_requests_total', labels), 2);
  assert.equal(sample(text, 'analytics_api_request_duration_seconds_count', labels), 2);
  assert.equal(sample(text, 'analytics_api_requests_total', { method: 'GET', route: '/api/v1/dead-letters', status_code: '200' }), 1);
  assert.equal(sample(text, 'analytics_api_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' }), 1);
  assert.doesNotMatch(text, /no\/such|code=unknown_currency/);
});

test('cache hits and misses of the query cache', async () => {
  const before = await scrape();
  const hits0 = sample(before, 'analytics_cache_hits_total', { cache: 'query' }) ?? 0;
  const misses0 = sample(before, 'analytics_cache_misses_total', { cache: 'query' }) ?? 0;
  const url = '/api/v1/metrics?metrics=tx_count&from=2026-01-01T00:00:00Z&to=2026-01-02T00:00:00Z';
  for (let i = 0; i < 3; i++) assert.equal((await t.inject({ url })).statusCode, 200);
  const text = await scrape();
  assert.equal(sample(text, 'analytics_cache_misses_total', { cache: 'query' }), misses0 + 1);
  assert.equal(sample(text, 'analytics_cache_hits_total', { cache: 'query' }), hits0 + 2);
});

test('process metrics are on the same registry', async () => {
  const text = await scrape();
  assert.ok(sample(text, 'process_cpu_user_seconds_total')! >= 0);
  assert.ok(sample(text, 'nodejs_heap_size_used_bytes')! > 0);
});

test('several registries in one process: no clash, lag 0 with no data', async () => {
  const p = await openTempPlatform();
  try {
    const a = createMetrics({ ingest: p.engine, now: Date.now });
    const b = createMetrics({ ingest: p.engine, now: Date.now });
    a.recordCache('x', true);
    const [ta, tb] = [await a.registry.metrics(), await b.registry.metrics()];
    assert.equal(sample(ta, 'analytics_cache_hits_total', { cache: 'x' }), 1);
    assert.equal(sample(tb, 'analytics_cache_hits_total', { cache: 'x' }), undefined);
    assert.equal(sample(ta, 'analytics_aggregation_lag_seconds'), 0);
    a.stop();
    b.stop();
  } finally {
    await p.close();
  }
});

test('every metric /metrics exports is documented (docs/operations.md#metrics, or its domain\'s page), as the dashboards and alerts name it', async () => {
  const docsDir = new URL('../../docs/', import.meta.url);
  const docs = readdirSync(docsDir).filter((f) => f.endsWith('.md')).map((f) => readFileSync(new URL(f, docsDir), 'utf8')).join('\n');
  const names = [...(await scrape()).matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]).filter((n) => !/^(process|nodejs)_/.test(n));
  assert.ok(names.includes('molam_mesh_prediction_last_made_timestamp_seconds'));
  assert.deepEqual(names.filter((n) => !docs.includes(`\`${n}`)), []);
});
