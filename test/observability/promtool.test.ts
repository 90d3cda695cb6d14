// `promtool check metrics` accepts the /metrics output of a real app with ingested events and
// served requests, without a lint warning. Without promtool the test skips, except in CI.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { openTempApp } from '../support/temp-app.ts';
import { event } from './scrape.ts';

const installed = spawnSync('promtool', ['--version']).error === undefined;

test('promtool check metrics accepts /metrics', { skip: !installed && !process.env.CI && 'promtool is not installed' }, async () => {
  assert.ok(installed, 'promtool is not installed (apt-get install prometheus); CI requires it');
  const t = await openTempApp();
  try {
    const at = new Date(Date.now() - 60_000).toISOString();
    await t.inject({ method: 'POST', url: '/api/v1/events', payload: [event('a', { occurred_at: at }), event('a', { occurred_at: at }), event('b', { currency: 'XYZ' })] });
    await t.app.inject({ url: '/health' });
    await t.app.inject({ url: '/nope' });
    t.app.metrics.recordCache('summary', false);
    const res = await t.app.inject({ url: '/metrics' });
    assert.match(res.body, /analytics_ingest_events_total\{outcome="duplicate"\} 1/);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: res.body, encoding: 'utf8' });
    assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
    assert.equal(`${check.stdout}${check.stderr}`.trim(), '');
  } finally {
    await t.close();
  }
});
