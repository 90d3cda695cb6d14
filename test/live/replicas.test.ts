// Two replicas through the real Redis (127.0.0.1:6379): two server processes on separate data
// directories with REDIS_URL. Events POSTed to replica A reach a client of replica B as deltas
// with exact counts, B's REST live answer includes them (its window got A's rows), and a
// merchant client on B receives nothing of another merchant. The Redis channel prefix is unique
// per run, so parallel runs on one Redis do not see each other. Without Redis the test is
// skipped, except under CI, where it fails.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, type ServerProcess } from '../support/server-process.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { liveClient, type LiveClient } from '../support/live-client.ts';

const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = 6379;

/** A PING answered with +PONG within 2 s. */
function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const s = tcpConnect(REDIS_PORT, REDIS_HOST, () => s.write('PING\r\n'));
    const done = (ok: boolean) => { clearTimeout(timer); s.destroy(); resolve(ok); };
    const timer = setTimeout(() => done(false), 2000);
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
    s.once('error', () => done(false));
  });
}

const reachable = await redisReachable();
const skip = !reachable && !process.env.CI
  ? `Redis is not reachable at ${REDIS_HOST}:${REDIS_PORT}: skipped (under CI this test fails instead)`
  : false;

let seq = 0;
function payment(merchant: string, country: string, city: string) {
  const id = `rep_${process.pid}_${seq++}`;
  return {
    event_id: id, type: 'wallet_txn_created', status: seq % 4 ? 'succeeded' : 'failed', txn_id: id, merchant_id: merchant,
    amount: '1500', currency: 'USD', country, city, occurred_at: new Date(Date.now() - (seq % 3) * 60_000).toISOString(),
  };
}

async function waitFor(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

test('replica B streams and answers what was ingested on replica A (Redis fan-out)', { skip, timeout: 180_000 }, async () => {
  assert.ok(reachable, `Redis is not reachable at ${REDIS_HOST}:${REDIS_PORT}, and CI is set: this test must run`);
  const prefix = `molam-live-test-${process.pid}-${randomBytes(6).toString('hex')}`;
  const dirs = [0, 1].map(() => mkdtempSync(join(tmpdir(), 'molam-replica-')));
  const servers: ServerProcess[] = [];
  const clients: LiveClient[] = [];
  try {
    const env = (dir: string) => ({
      DATA_DIR: dir, DUCKDB_MEMORY_LIMIT: '256MB', LIVE_COALESCE_MS: '50', RATE_LIMIT_PER_MINUTE: '0',
      REDIS_URL: `redis://${REDIS_HOST}:${REDIS_PORT}`, REDIS_PREFIX: prefix,
    });
    servers.push(...await Promise.all(dirs.map((d) => startServer(env(d)))));
    const [a, b] = servers;
    const ingest = await mintToken({ sub: 'replica-ingest', roles: ['events:write'] });
    const ops = await mintToken({ sub: 'replica-ops', roles: ['analytics:ops'] });

    const onB = await liveClient(b.url, ops);
    clients.push(onB);
    for (const room of ['global', 'merchant:m_x']) assert.equal((await onB.subscribe(room)).ok, true, room);
    const yOnB = await liveClient(b.url, await mintToken({ sub: 'y-admin', roles: ['merchant_admin'], merchantId: 'm_y' }));
    clients.push(yOnB);
    assert.equal((await yOnB.subscribe('merchant:m_y')).ok, true);
    assert.equal(onB.totals.get('global')!.tx_count, 0, 'B starts empty');

    const post = async (events: unknown[]) => {
      const res = await fetch(new URL('/api/v1/events', a.url), {
        method: 'POST', headers: { 'content-type': 'application/x-ndjson', ...bearer(ingest) },
        body: events.map((e) => JSON.stringify(e)).join('\n'),
      });
      const body = await res.text();
      assert.equal(res.status, 200, body.slice(0, 300));
      assert.equal(JSON.parse(body).accepted, events.length);
    };
    const places = [['SN', 'Dakar'], ['NG', 'Lagos'], ['KE', 'Nairobi']];
    let sentX = 0;
    for (let batch = 0; batch < 4; batch++) {
      const events = Array.from({ length: 15 }, (_, i) => payment('m_x', places[i % 3][0], places[i % 3][1]));
      await post(events);
      sentX += events.length;
    }
    await waitFor('B\'s global room to count A\'s events', () => onB.totals.get('global')?.tx_count === sentX);
    await onB.settle();
    assert.equal(onB.totals.get('global')!.tx_count, sentX);
    assert.equal(onB.totals.get('merchant:m_x')!.tx_count, sentX);
    assert.ok(onB.deltas.some((d) => d.room === 'merchant:m_x'), 'the merchant room got deltas');
    // m_y hears nothing of m_x. A minute boundary passing during the test sends every subscribed
    // room its slid window (the broadcaster's minute tick): that one is m_y's own, and empty.
    for (const d of yOnB.deltas) {
      assert.equal(d.room, 'merchant:m_y', 'm_y hears nothing of m_x');
      assert.equal(d.last_60m.tx_count, 0, 'm_y hears nothing of m_x');
    }

    // m_y's own traffic does reach its client on B, and nothing else does.
    await post([payment('m_y', 'SN', 'Dakar')]);
    await waitFor('m_y\'s event on B', () => yOnB.totals.get('merchant:m_y')?.tx_count === 1);
    await waitFor('B\'s global room to count every event', () => onB.totals.get('global')?.tx_count === sentX + 1);
    await Promise.all([onB.settle(), yOnB.settle()]);
    for (const d of yOnB.deltas) {
      assert.equal(d.room, 'merchant:m_y');
      assert.ok(!JSON.stringify(d).includes('m_x'));
    }
    assert.equal(yOnB.totals.get('merchant:m_y')!.tx_count, 1);
    assert.equal(onB.totals.get('merchant:m_x')!.tx_count, sentX);

    // B's window holds A's rows: its REST live answer equals A's and the client's state.
    const live = async (url: string, q = '') => {
      const res = await fetch(new URL(`/api/analytics/live${q}`, url), { headers: bearer(ops) });
      assert.equal(res.status, 200);
      return (await res.json()) as { totals: Record<string, number | null> };
    };
    const [restA, restB] = await Promise.all([live(a.url), live(b.url)]);
    assert.equal(restB.totals.tx_count, sentX + 1);
    assert.deepEqual(restB.totals, restA.totals);
    assert.deepEqual(onB.totals.get('global'), restB.totals);
    assert.deepEqual((await live(b.url, '?merchant_id=m_x')).totals, onB.totals.get('merchant:m_x'));
  } finally {
    for (const c of clients) c.close();
    await Promise.all(servers.map((s) => s.stop()));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
});
