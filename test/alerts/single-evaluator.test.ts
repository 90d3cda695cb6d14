// Two replicas on one PostgreSQL state store: both run the scheduler, exactly one evaluates
// (the advisory lock), so a breach seen by both gives one alert and one notification.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openTempApp } from '../support/temp-app.ts';
import { TEST_DATABASE_URL, postgresReachable } from '../support/state-backends.ts';
import { EVALUATOR_LOCK } from '../../src/alerts/alerting.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const NOW = Date.parse('2026-11-20T12:00:00Z');

test('two replicas, one evaluator: one alert, one outbox row', { skip: !pgUp && 'PostgreSQL unreachable' }, async () => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const env = { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema, ALERT_EVAL_INTERVAL: '3600' };
  const a = await openTempApp({ now: () => NOW, env });
  const b = await openTempApp({ now: () => NOW, env });
  try {
    // The same breach in both replicas' analytics stores: 30 failed payments in the last 10 minutes.
    const events = Array.from({ length: 30 }, (_, i) => ({
      event_id: `se_${i}`, type: 'wallet_txn_created', status: 'failed', txn_id: `se_${i}`, merchant_id: 'm_x',
      amount: '10', currency: 'USD', country: 'SN', occurred_at: new Date(NOW - (i % 10 + 1) * 60_000).toISOString(),
    }));
    for (const app of [a, b]) assert.equal((await app.inject({ method: 'POST', url: '/api/v1/events', payload: events })).statusCode, 200);
    await a.inject({ method: 'POST', url: '/api/analytics/alerts/webhooks', payload: { url: 'https://hooks.example.com/x' } });
    const rule = await a.inject({
      method: 'POST', url: '/api/analytics/alerts/rules',
      payload: { name: 'failures', metric: 'failed_count', window_minutes: 15, condition: { type: 'threshold', op: '>=', value: 10 } },
    });
    assert.equal(rule.statusCode, 201);
    await Promise.all([a.app.alerting.evaluateNow(), b.app.alerting.evaluateNow()]);
    await Promise.all([a.app.alerting.evaluateNow(), b.app.alerting.evaluateNow()]);
    const alerts = await a.platform.state.query<{ state: string }>('SELECT state FROM alerts');
    assert.deepEqual(alerts.map((r) => r.state), ['firing']);
    const outbox = await b.platform.state.query<{ event_type: string }>(`SELECT event_type FROM outbox WHERE event_type = 'alert.firing'`);
    assert.equal(outbox.length, 1);
    // Exactly one session holds the evaluator lock (the other replica's attempts were refused).
    const holders = await a.platform.state.query<{ n: number }>(
      `SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted AND objid = $1`, [EVALUATOR_LOCK]);
    assert.equal(holders[0].n, 1);
  } finally {
    await a.close();
    await b.close();
    const c = new pg.Client({ connectionString: TEST_DATABASE_URL });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
});
