// Redis unreachable must not stop a replica: the app starts (after a bounded wait), serves its
// own commits live, and closes without hanging. No wall-clock assertions (a loaded CI machine
// makes them flaky): a start or close that waited on Redis forever would hit the test timeout.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import { mintToken } from '../support/tokens.ts';
import { liveClient } from '../support/live-client.ts';

test('with Redis down, a replica starts, streams its own commits and closes', { timeout: 120_000 }, async () => {
  const t = await openTempApp({ env: { REDIS_URL: 'redis://127.0.0.1:1', LIVE_COALESCE_MS: '20' }, parts: ['live-feed', 'live'] });
  try {
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(t.app.server.address() as { port: number }).port}`;
    const c = await liveClient(url, await mintToken({ roles: ['analytics:ops'] }));
    assert.equal((await c.subscribe('global')).ok, true);
    const ev = { event_id: 'rd_1', type: 'wallet_txn_created', status: 'succeeded', txn_id: 'rd_1', merchant_id: 'm_r', amount: '5', currency: 'USD', country: 'SN', occurred_at: new Date().toISOString() };
    assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: [ev] })).statusCode, 200);
    await c.settle();
    assert.equal(c.totals.get('global')!.tx_count, 1);
    c.close();
  } finally {
    await t.close();
  }
});
