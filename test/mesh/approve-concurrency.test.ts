// Approving proposals under concurrency, on both state stores: on PostgreSQL two app instances
// (two replicas, each its own pool) share one schema; on PGlite the requests interleave in the
// event loop. Whatever the interleaving: one Idempotency-Key acts once (the others get its stored
// answer, or 409 while it runs; another body is 422); a proposal approved by several operators at
// once is applied once; two proposals on one base version never both apply.

import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { dropSchemas, postgresReachable, TEST_DATABASE_URL } from '../support/state-backends.ts';
import { activeMember, freshKey, people, route, setTable, type People } from './mesh-support.ts';

const pgUp = await postgresReachable();
if (!pgUp && process.env.CI) throw new Error('PostgreSQL at 127.0.0.1:5432 (database test) is required under CI');

const NOW = Date.parse('2026-12-01T10:00:00Z');
const ATTEMPTS = 24;
const schema = `t_${randomBytes(6).toString('hex')}`;
const backends = [
  { name: 'pglite', replicas: 1, env: {} as Record<string, string> },
  { name: 'postgres', replicas: 2, env: { DATABASE_URL: TEST_DATABASE_URL, DATABASE_SCHEMA: schema } },
];

for (const backend of backends) {
  describe(`approving proposals concurrently, state store on ${backend.name}`, {
    skip: backend.name === 'postgres' && !pgUp && 'PostgreSQL unreachable', timeout: 300_000,
  }, () => {
    const apps: TempApp[] = [];
    let p: People;
    let operators: Array<Record<string, string>>;
    const app = (i: number) => apps[i % apps.length].app;

    before(async () => {
      for (let i = 0; i < backend.replicas; i++) apps.push(await openTempApp({ now: () => NOW, env: backend.env }));
      p = await people();
      operators = await Promise.all(['ben', 'dora', 'eli', 'fay'].map(async (sub) => bearer(await mintToken({ sub, roles: ['mesh_ops'] }))));
      for (const provider of ['wave', 'orange_money']) await activeMember(apps[0], p, provider);
      await setTable(apps[0], p, [route('*', 0, null, 'wave', 'orange_money')], 0);
    });
    after(async () => {
      for (const t of apps) await t.close();
      if (backend.name === 'postgres') await dropSchemas([schema]);
    });

    const version = async () => (await app(0).inject({ url: '/api/mesh/routing/ECOWAS/XOF', headers: p.viewer })).json().current.version as number;
    async function propose(providers: string[], base?: number): Promise<string> {
      const res = await app(0).inject({
        method: 'POST', url: '/api/mesh/proposals', headers: p.ana,
        payload: { region: 'ECOWAS', currency: 'XOF', base_version: base ?? await version(), routes: [route('*', 0, null, ...providers)] },
      });
      assert.equal(res.statusCode, 201, res.body);
      return res.json().proposal.id;
    }
    const approve = (i: number, id: string, key: string, who = p.ben, comment = 'go') => app(i).inject({
      method: 'POST', url: `/api/mesh/proposals/${id}/approve`, headers: { ...who, 'idempotency-key': key }, payload: { comment },
    });

    test(`one key sent ${ATTEMPTS} times at once: applied once, every other answer the stored one or 409 in use`, async () => {
      const before = await version();
      const id = await propose(['orange_money', 'wave']);
      const key = freshKey();
      const answers = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => approve(i, id, key)));
      const fresh = answers.filter((r) => r.statusCode === 200 && r.headers['idempotent-replayed'] === undefined);
      assert.equal(fresh.length, 1, answers.map((r) => `${r.statusCode} ${r.body.slice(0, 80)}`).join('\n'));
      for (const r of answers) {
        if (r.statusCode === 200) assert.deepEqual(r.json(), fresh[0].json(), 'a replay is the stored answer');
        else {
          assert.equal(r.statusCode, 409, r.body);
          assert.equal(r.json().code, 'idempotency_key_in_use');
        }
      }
      assert.equal(await version(), before + 1, 'one new version');
      const replay = await approve(0, id, key);
      assert.equal(replay.headers['idempotent-replayed'], 'true');
      assert.deepEqual(replay.json(), fresh[0].json());
      const other = await approve(1, id, key, p.ben, 'another body');
      assert.equal(other.statusCode, 422);
      assert.equal(other.json().code, 'idempotency_key_reused');
      const applied = await apps[0].platform.state.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM mesh_actions WHERE action = 'proposal.applied' AND target = $1", [`proposal:${id}`]);
      assert.equal(applied[0].n, 1, 'one action logged');
    });

    test('four operators approve one proposal at once, each with a key of their own: applied once', async () => {
      const before = await version();
      const id = await propose(['wave', 'orange_money']);
      const answers = await Promise.all(Array.from({ length: ATTEMPTS }, (_, i) => approve(i, id, freshKey(), operators[i % operators.length])));
      const byOutcome = new Map<string, number>();
      for (const r of answers) {
        const outcome = r.statusCode === 200 ? 'applied' : `${r.statusCode} ${r.json().code}`;
        byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
      }
      assert.deepEqual(Object.fromEntries(byOutcome), { applied: 1, '409 proposal_not_pending': ATTEMPTS - 1 });
      assert.equal(await version(), before + 1);
    });

    test('two proposals on one base approved at once: one applies, the other is stale and superseded', async () => {
      const base = await version();
      const a = await propose(['orange_money', 'wave'], base);
      const b = await propose(['wave'], base);
      const [ra, rb] = await Promise.all([approve(0, a, freshKey()), approve(1, b, freshKey(), operators[1])]);
      const codes = [ra, rb].map((r) => (r.statusCode === 200 ? 'applied' : `${r.statusCode} ${r.json().code}`)).sort();
      assert.deepEqual(codes, ['409 stale_version', 'applied']);
      assert.equal(await version(), base + 1);
      const loser = ra.statusCode === 200 ? b : a;
      const status = (await app(0).inject({ url: `/api/mesh/proposals/${loser}`, headers: p.viewer })).json().status;
      assert.equal(status, 'superseded');
    });
  });
}
