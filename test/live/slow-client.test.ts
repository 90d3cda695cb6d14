// A client that stops reading is disconnected once its unsent messages pass LIVE_MAX_BUFFER_KB,
// while a normal client in the same room keeps receiving. The slow client speaks the
// engine.io long-polling protocol by hand and stops polling after subscribing, so the server's
// queue for it only grows.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import { mintToken } from '../support/tokens.ts';
import { liveClient } from '../support/live-client.ts';

async function pollingClient(url: string, token: string, room: string) {
  const base = `${url}/socket.io/?EIO=4&transport=polling`;
  const open = await (await fetch(base)).text();
  const { sid } = JSON.parse(open.slice(1));
  const post = (body: string) => fetch(`${base}&sid=${sid}`, { method: 'POST', body, headers: { 'content-type': 'text/plain' } });
  const poll = async () => (await fetch(`${base}&sid=${sid}`)).text();
  await post(`40${JSON.stringify({ token })}`);
  assert.match(await poll(), /^40/, 'connected');
  await post(`420${JSON.stringify(['subscribe', room])}`);
  assert.match(await poll(), /"ok":true/, 'subscribed');
  // From here on it never polls again.
  return { sid };
}

test('a client that stops reading is dropped; the others are not slowed', async () => {
  const t = await openTempApp({ env: { LIVE_COALESCE_MS: '5', LIVE_MAX_BUFFER_KB: '16' }, parts: ['live-feed', 'live'] });
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const token = await mintToken({ roles: ['analytics:ops'] });
    await pollingClient(url, token, 'global');
    const good = await liveClient(url, token);
    await good.subscribe('global');
    let sent = 0;
    for (let i = 0; i < 80; i++) {
      const at = new Date(Date.now() - (i % 50) * 60_000).toISOString();
      const ev = { event_id: `slow_${i}`, type: 'wallet_txn_created', status: 'succeeded', txn_id: `slow_${i}`, merchant_id: 'm_s', amount: '10', currency: 'USD', country: 'SN', occurred_at: at };
      assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: [ev] })).statusCode, 200);
      sent++;
      await new Promise((r) => setTimeout(r, 10));
    }
    await good.settle();
    assert.equal(good.totals.get('global')!.tx_count, sent, 'the normal client got everything');
    const metrics = (await t.app.inject({ url: '/metrics' })).body;
    assert.match(metrics, /analytics_ws_connections_total\{status="dropped_slow"\} 1/);
    assert.equal(t.app.metrics.registry.getSingleMetric('analytics_ws_connections') !== undefined, true);
    good.close();
  } finally {
    await t.close();
  }
});
