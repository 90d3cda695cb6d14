// The state store on both backends: migrations (idempotent, concurrent), parameter and type
// round trips, transactions, the one-open-alert-per-fingerprint constraint, outbox dedupe, and
// the advisory lock that lets exactly one replica evaluate.

import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { migrateState, LATEST_STATE_VERSION } from '../../src/state-store/state-migrations.ts';
import { pgliteBackend, postgresBackend, postgresReachable, type Backend } from '../support/state-backends.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

for (const backend of [pgliteBackend(), postgresBackend()] as Backend[]) {
  describe(`state store on ${backend.name}`, { skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable' }, () => {
    after(() => backend.cleanup());

    test('migrations apply once, and again is a no-op', async () => {
      const s = await backend.open('m');
      try {
        assert.equal(await migrateState(s), 0, 'already applied at open');
        const [v] = await s.query<{ v: number }>('SELECT max(version) AS v FROM state_migrations');
        assert.equal(v.v, LATEST_STATE_VERSION);
      } finally {
        await s.close();
      }
    });

    test('types round-trip alike: ids, jsonb, arrays, timestamps, int8', async () => {
      const s = await backend.open();
      try {
        const [e] = await s.query<{ id: number; secrets: string[]; created_at: Date }>(
          'INSERT INTO webhook_endpoints (url, secrets, created_by) VALUES ($1, $2, $3) RETURNING id, secrets, created_at',
          ['https://hooks.example/x', ['whsec_a', 'whsec_b'], 'ops-1']);
        assert.equal(typeof e.id, 'number');
        assert.deepEqual(e.secrets, ['whsec_a', 'whsec_b']);
        assert.ok(e.created_at instanceof Date);
        const [r] = await s.query<{ definition: Record<string, unknown>; big: number | bigint }>(
          `INSERT INTO alert_rules (name, definition, created_by) VALUES ($1, $2, $3) RETURNING definition, 9007199254740993::int8 AS big`,
          ['refunds', { metric: 'refund_rate', filters: { country: ['SN'] } }, 'ops-1']);
        assert.deepEqual(r.definition, { metric: 'refund_rate', filters: { country: ['SN'] } });
        assert.equal(r.big, 9007199254740993n, 'int8 beyond 2^53 stays exact');
        const [n] = await s.query<{ n: number }>('SELECT count(*) AS n FROM alert_rules');
        assert.equal(n.n, 1, 'small int8 values are numbers');
      } finally {
        await s.close();
      }
    });

    test('a transaction commits or rolls back as a whole', async () => {
      const s = await backend.open();
      try {
        await assert.rejects(s.transaction(async (q) => {
          await q.query(`INSERT INTO audit_log (actor, action, object_type) VALUES ('a', 'x', 'rule')`);
          throw new Error('boom');
        }));
        assert.equal((await s.query<{ n: number }>('SELECT count(*) AS n FROM audit_log'))[0].n, 0);
        await s.transaction((q) => q.query(`INSERT INTO audit_log (actor, action, object_type) VALUES ('a', 'x', 'rule')`));
        assert.equal((await s.query<{ n: number }>('SELECT count(*) AS n FROM audit_log'))[0].n, 1);
      } finally {
        await s.close();
      }
    });

    test('one open alert per fingerprint; resolved ones do not count; outbox dedupe keys are unique', async () => {
      const s = await backend.open();
      try {
        const [rule] = await s.query<{ id: number }>(`INSERT INTO alert_rules (name, definition, created_by) VALUES ('r', '{}', 'o') RETURNING id`);
        const open = (state: string) => s.query(
          `INSERT INTO alerts (rule_id, fingerprint, group_labels, state, severity, started_at, last_evaluated_at)
           VALUES ($1, 'fp1', '{}', $2, 'warn', now(), now())`, [rule.id, state]);
        await open('firing');
        await assert.rejects(open('pending'), /duplicate key|unique/i);
        await s.query(`UPDATE alerts SET state = 'resolved', resolved_at = now() WHERE fingerprint = 'fp1'`);
        await open('pending');
        const put = (key: string, msg: string) => s.query(
          `INSERT INTO outbox (msg_id, dedupe_key, event_type, payload) VALUES ($1, $2, 'alert.firing', '{}')`, [msg, key]);
        await put('alert:1:firing', 'msg_1');
        await assert.rejects(put('alert:1:firing', 'msg_2'), /duplicate key|unique/i);
      } finally {
        await s.close();
      }
    });

    // Sessions exist on PostgreSQL only (PGlite is one process holding its own lock).
    if (backend.name === 'postgres') test('a lost lock session is noticed, and the lock passes on', async () => {
      const a = await backend.open('lost');
      const b = await backend.open('lost');
      try {
        assert.equal(await a.tryLock(43), true);
        assert.equal(await a.holdsLock(43), true);
        // The session holding the lock dies (a network cut, a failover, an admin).
        await b.query(`SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND objid = 43 AND granted`);
        await new Promise((r) => setTimeout(r, 200));
        assert.equal(await a.holdsLock(43), false, 'the old holder knows it lost the lock');
        assert.equal(await b.tryLock(43), true, 'another replica takes it');
        assert.equal(await a.tryLock(43), false, 'a new session of the old holder does not get it back');
      } finally {
        await a.close();
        await b.close();
      }
    });

    test('the evaluator lock: one holder at a time', async () => {
      const a = await backend.open('lock');
      const b = backend.name === 'postgres' ? await backend.open('lock') : null;
      try {
        assert.equal(await a.tryLock(42), true);
        if (b) {
          assert.equal(await b.tryLock(42), false, 'a second replica does not get it');
          // A deployment in another schema of the same database elects its own holder.
          const other = await backend.open('lock-elsewhere');
          try {
            assert.equal(await other.tryLock(42), true, 'another schema: its own lock');
          } finally {
            await other.close();
          }
          await a.unlock(42);
          assert.equal(await b.tryLock(42), true, 'released: the other replica takes it');
        }
      } finally {
        await a.close();
        await b?.close();
      }
    });
  });
}
