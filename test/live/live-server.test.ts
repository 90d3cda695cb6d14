// The live WebSocket server over a real listening app: handshake auth (none, bad, expired,
// foreign origin), per-subscription authorization (a merchant receives nothing of another
// merchant under any room name), token expiry closing the socket, and the client's state after
// a burst — snapshot plus deltas — equal to GET /api/analytics/live, late minutes included.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { mintToken } from '../support/tokens.ts';
import { connect, connected, liveClient } from '../support/live-client.ts';

let t: TempApp;
let url: string;
before(async () => {
  t = await openTempApp({ env: { LIVE_COALESCE_MS: '50' }, parts: ['live-feed', 'live'] });
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
});
after(async () => { await t.close(); });

let seq = 0;
function payment(merchant: string, country: string, city: string, minutesAgo: number, status = 'succeeded') {
  const id = `live_${seq++}`;
  return {
    event_id: id, type: 'wallet_txn_created', status, txn_id: id, merchant_id: merchant, amount: '1500', currency: 'USD',
    country, city, occurred_at: new Date(Date.now() - minutesAgo * 60_000).toISOString(),
  };
}
async function ingest(events: unknown[]) {
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events });
  assert.equal(res.statusCode, 200, res.body.slice(0, 200));
}

test('the handshake refuses no token, a bad token, an expired token and a foreign origin', async () => {
  const refusal = async (token: string | undefined, origin?: string) => {
    const s = connect(url, token, { origin });
    try {
      await connected(s);
      return 'connected';
    } catch (err) {
      return (err as { code?: string }).code ?? (err as Error).message;
    } finally {
      s.close();
    }
  };
  assert.equal(await refusal(undefined), 'unauthorized');
  assert.equal(await refusal('not.a.token'), 'invalid_token');
  assert.equal(await refusal(await mintToken({ roles: ['analytics:ops'], expiresIn: -120 })), 'token_expired');
  assert.equal(await refusal(await mintToken({ roles: ['events:write'] })), 'forbidden');
  assert.notEqual(await refusal(await mintToken({ roles: ['analytics:ops'] }), 'https://evil.test'), 'connected');
  assert.equal(await refusal(await mintToken({ roles: ['analytics:ops'] })), 'connected');
});

test('a merchant may join its own room only, and receives nothing of another merchant', async () => {
  const a = await liveClient(url, await mintToken({ sub: 'a-admin', roles: ['merchant_admin'], merchantId: 'm_a' }));
  try {
    assert.equal((await a.subscribe('merchant:m_a')).ok, true);
    for (const room of ['merchant:m_b', 'global', 'region:ECOWAS', 'country:SN', 'city:SN:Dakar', 'merchant:m_a:x', 'nonsense']) {
      const r = await a.subscribe(room);
      assert.equal(r.ok, false, room);
      assert.ok(r.code, room);
    }
    await ingest([payment('m_b', 'SN', 'Dakar', 1), payment('m_b', 'SN', 'Dakar', 2), payment('m_a', 'SN', 'Dakar', 1)]);
    await ingest([payment('m_b', 'SN', 'Thiès', 3)]);
    await a.settle();
    assert.ok(a.deltas.length >= 1, 'its own traffic arrives');
    for (const d of a.deltas) {
      assert.equal(d.room, 'merchant:m_a');
      assert.ok(!JSON.stringify(d).includes('m_b'));
    }
    assert.equal(a.totals.get('merchant:m_a')!.tx_count, 1);
  } finally {
    a.close();
  }
});

test('the socket closes when its token expires', async () => {
  const s = connect(url, await mintToken({ roles: ['analytics:ops'], expiresIn: 2 }));
  await connected(s);
  const closing = new Promise<{ code: string }>((resolve) => s.once('closing', resolve));
  const closed = new Promise<string>((resolve) => s.once('disconnect', resolve));
  assert.equal((await closing).code, 'token_expired');
  assert.equal(await closed, 'io server disconnect');
});

test('after a burst, snapshot + deltas equal GET /api/analytics/live, late minutes included', async () => {
  const ops = await liveClient(url, await mintToken({ roles: ['analytics:ops'] }));
  try {
    const rooms = ['global', 'country:NG', 'city:NG:Lagos', 'region:ECOWAS', 'merchant:m_ng'];
    for (const r of rooms) assert.equal((await ops.subscribe(r)).ok, true, r);
    for (let burst = 0; burst < 8; burst++) {
      await ingest(Array.from({ length: 25 }, (_, i) => payment(i % 3 ? 'm_ng' : 'm_ke', i % 3 ? 'NG' : 'KE', i % 2 ? 'Lagos' : 'Abuja', i % 5, i % 4 ? 'succeeded' : 'failed')));
    }
    await ingest([payment('m_ng', 'NG', 'Lagos', 42)]); // late: an older minute changes
    await ops.settle();
    assert.ok(ops.deltas.some((d) => d.minutes.some((m) => Date.now() - Date.parse(String(m.ts)) > 40 * 60_000)), 'the late minute is sent');
    const filters: Record<string, string> = { global: '', 'country:NG': 'country=NG', 'city:NG:Lagos': 'country=NG&city=Lagos', 'region:ECOWAS': 'region=ECOWAS', 'merchant:m_ng': 'merchant_id=m_ng' };
    for (const room of rooms) {
      const rest = (await t.inject({ method: 'GET', url: `/api/analytics/live?${filters[room]}` })).json();
      assert.deepEqual(ops.totals.get(room), rest.totals, room);
      const mine = ops.state.get(room)!;
      for (const p of rest.points) {
        if ((p.tx_count as number) > 0) assert.deepEqual(mine.get(p.ts), p, `${room} ${p.ts}`);
      }
    }
    assert.ok((ops.totals.get('global')!.tx_count as number) >= 201);
  } finally {
    ops.close();
  }
});

test('one connection holds at most 100 rooms', async () => {
  const ops = await liveClient(url, await mintToken({ roles: ['analytics:ops'] }));
  try {
    for (let i = 0; i < 100; i++) assert.equal((await ops.subscribe(`city:SN:Town ${i}`)).ok, true);
    const over = await ops.subscribe('city:SN:One too many');
    assert.equal(over.ok, false);
    assert.equal(over.code, 'invalid_parameter');
    assert.equal((await ops.subscribe('city:SN:Town 7')).ok, true, 're-subscribing to a held room is fine');
  } finally {
    ops.close();
  }
});

test('a client flooding subscriptions is cut off', async () => {
  const s = connect(url, await mintToken({ roles: ['analytics:ops'] }));
  await connected(s);
  const gone = new Promise<string>((resolve) => s.once('disconnect', resolve));
  for (let i = 0; i < 400; i++) s.emit('subscribe', 'global', () => undefined);
  assert.equal(await gone, 'io server disconnect');
});

test('loading FX rates resends the USD figures to subscribers', async () => {
  const ops = await liveClient(url, await mintToken({ roles: ['analytics:ops'] }));
  try {
    assert.equal((await ops.subscribe('country:GH')).ok, true);
    const ev = { ...payment('m_gh', 'GH', 'Accra', 1), currency: 'GHS', amount: '100.00' };
    await ingest([ev]);
    await ops.settle();
    assert.equal(ops.totals.get('country:GH')!.gross_volume_usd, 0, 'no GHS rate yet');
    const day = new Date().toISOString().slice(0, 10);
    const put = await t.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: `date,currency,usd_per_unit\n${day},GHS,0.08` });
    assert.equal(put.statusCode, 200);
    await ops.settle();
    const rest = (await t.inject({ method: 'GET', url: '/api/analytics/live?country=GH' })).json();
    assert.ok(rest.totals.gross_volume_usd > 7.99);
    assert.deepEqual(ops.totals.get('country:GH'), rest.totals);
  } finally {
    ops.close();
  }
});

test('REST live refuses an unknown region like every other route', async () => {
  const res = await t.inject({ method: 'GET', url: '/api/analytics/live?region=NOPE' });
  assert.equal(res.statusCode, 400);
});
