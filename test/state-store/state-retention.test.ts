// State retention on both state backends: the dry run lists exactly the ids the run then deletes
// (resolved alerts past their age with their comments, old audit rows, finished outbox messages
// with their delivery attempts, expired idempotency keys); what is younger, still open or still
// pending stays, as does an alert a dispute reminder names; a second run finds nothing.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pgliteBackend, postgresBackend, type Backend } from '../support/state-backends.ts';
import { runStateRetention } from '../../src/state-store/state-retention.ts';
import type { StateStore } from '../../src/state-store/state-store.ts';
import { partsFor } from '../../src/start-parts.ts';

const DAY = 86_400_000;
const NOW = Date.parse('2026-12-01T12:00:00Z');
const POLICY = { alertDays: 90, auditDays: 365, outboxDays: 30 };
const ago = (days: number) => new Date(NOW - days * DAY);

async function seed(s: StateStore): Promise<void> {
  const [rule] = await s.query<{ id: number }>(`INSERT INTO alert_rules (name, definition, created_by) VALUES ('r', '{}', 'ops') RETURNING id`);
  const alert = async (state: string, resolvedDaysAgo: number | null, fingerprint: string) => (await s.query<{ id: number }>(
    `INSERT INTO alerts (rule_id, fingerprint, group_labels, state, severity, started_at, last_evaluated_at, resolved_at)
     VALUES ($1, $2, '{}', $3, 'warn', $4, $4, $5) RETURNING id`,
    [rule.id, fingerprint, state, ago(200), resolvedDaysAgo === null ? null : ago(resolvedDaysAgo)]))[0].id;
  const oldResolved = await alert('resolved', 100, 'a');
  await alert('resolved', 10, 'b');
  await alert('firing', null, 'c');
  const reminded = await alert('resolved', 120, 'd');
  await s.query(`INSERT INTO alert_comments (alert_id, author, body) VALUES ($1, 'ops', 'seen'), ($1, 'ops', 'fixed')`, [oldResolved]);
  await s.query(`INSERT INTO merchant_dispute_reminders (merchant_id, dispute_id, due_by, sent_at, alert_id) VALUES ('m1', 'd1', $1, $1, $2)`, [ago(120), reminded]);
  for (const days of [400, 10]) {
    await s.query(`INSERT INTO audit_log (at, actor, action, object_type) VALUES ($1, 'ops', 'x', 'rule')`, [ago(days)]);
    await s.query(`INSERT INTO merchant_audit (at, merchant_id, actor, actor_kind, action) VALUES ($1, 'm1', 'u', 'merchant', 'x')`, [ago(days)]);
  }
  const outbox = async (msg: string, status: string, days: number) => (await s.query<{ id: number }>(
    `INSERT INTO outbox (msg_id, event_type, payload, status, created_at) VALUES ($1, 'alert.firing', '{}', $2, $3) RETURNING id`, [msg, status, ago(days)]))[0].id;
  const delivered = await outbox('o1', 'delivered', 40);
  await s.query(`INSERT INTO delivery_log (outbox_id, attempt, outcome, duration_ms) VALUES ($1, 1, 'failed', 5), ($1, 2, 'ok', 5)`, [delivered]);
  await outbox('o2', 'pending', 40);
  await outbox('o3', 'dead', 31);
  await outbox('o4', 'delivered', 5);
  for (const [msg, status, days] of [['k1', 'delivered', 40], ['k2', 'pending', 40], ['k3', 'delivered', 1]] as const) {
    await s.query(`INSERT INTO kafka_outbox (msg_id, dedupe_key, topic, message_key, event_type, payload, occurred_at, status, next_attempt_at, created_at)
      VALUES ($1, $1, 't', 'k', 'alert.firing', '{}', $3, $2, $3, $3)`, [msg, status, ago(days)]);
  }
  await s.query(`INSERT INTO merchant_idempotency_keys (merchant_id, key, fingerprint, created_at, expires_at)
    VALUES ('m1', 'old', 'f', $1, $2), ('m1', 'new', 'f', $2, $3)`, [ago(2), ago(1), new Date(NOW + DAY)]);
}

for (const backend of [pgliteBackend(), postgresBackend()] as Backend[]) {
  test(`${backend.name}: the retention dry run lists exactly what the run deletes`, async () => {
    const s = await backend.open();
    try {
      await seed(s);
      const count = async (table: string) => (await s.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`))[0].n;
      const dry = await runStateRetention(s, POLICY, NOW, true);
      const ids = Object.fromEntries(dry.map((i) => [i.name, i.ids.length]));
      assert.deepEqual(ids, { resolved_alerts: 1, audit_log: 1, merchant_audit: 1, webhook_outbox: 2, kafka_outbox: 1, idempotency_keys: 1 });
      assert.deepEqual(dry.find((i) => i.name === 'resolved_alerts')!.dependents, { alert_comments: 2 });
      assert.deepEqual(dry.find((i) => i.name === 'webhook_outbox')!.dependents, { delivery_log: 2 });
      assert.equal(await count('alerts'), 4, 'a dry run deletes nothing');

      const run = await runStateRetention(s, POLICY, NOW, false);
      assert.deepEqual(run, dry, 'the run deletes exactly the rows the dry run listed');
      assert.equal(await count('alerts'), 3);
      assert.equal(await count('alert_comments'), 0);
      assert.equal(await count('audit_log'), 1);
      assert.equal(await count('merchant_audit'), 1);
      assert.deepEqual((await s.query<{ msg_id: string }>('SELECT msg_id FROM outbox ORDER BY msg_id')).map((r) => r.msg_id), ['o2', 'o4']);
      assert.equal(await count('delivery_log'), 0);
      assert.deepEqual((await s.query<{ msg_id: string }>('SELECT msg_id FROM kafka_outbox ORDER BY msg_id')).map((r) => r.msg_id), ['k2', 'k3']);
      assert.deepEqual((await s.query<{ key: string }>('SELECT key FROM merchant_idempotency_keys')).map((r) => r.key), ['new']);
      assert.deepEqual(await s.query(`SELECT fingerprint FROM alerts WHERE state = 'resolved' ORDER BY fingerprint`), [{ fingerprint: 'b' }, { fingerprint: 'd' }]);

      const again = await runStateRetention(s, POLICY, NOW, false);
      assert.ok(again.every((i) => i.ids.length === 0));
      // 0 keeps forever: a year later, the audit rows left are still there.
      const kept = await runStateRetention(s, { ...POLICY, auditDays: 0 }, NOW + 400 * DAY, false);
      assert.equal(kept.find((i) => i.name === 'audit_log')!.cutoff, null);
      assert.equal(await count('audit_log'), 1);
    } finally {
      await s.close();
      await backend.cleanup();
    }
  });
}

test('the evaluator role runs state retention (and ROLE=all); the api and consumer roles do not', () => {
  const base = { DEMO: false, KAFKA_BROKERS: '' };
  assert.ok(partsFor({ ...base, ROLE: 'evaluator' }).includes('state-retention'));
  assert.ok(partsFor({ ...base, ROLE: 'all' }).includes('state-retention'));
  assert.ok(!partsFor({ ...base, ROLE: 'api' }).includes('state-retention'));
  assert.ok(!partsFor({ ...base, ROLE: 'consumer' }).includes('state-retention'));
});
