// The dev sign-in's merchant picker (issue 16): GET /api/dev/merchants lists the merchants that
// have transactions, busiest first — not one that only has a payout, nor one that has nothing —
// and does not exist outside dev mode.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import { payoutEvent, txnEvents } from '../merchant/merchant-events.ts';

const NOW = Date.parse('2026-03-11T12:00:00Z');
const at = (minutesAgo: number) => new Date(NOW - minutesAgo * 60_000).toISOString();

test('dev mode lists the merchants with data, busiest first', async () => {
  const t = await openTempApp({ now: () => NOW, env: { DEV_MODE: 'true', JWT_SECRET: '' } });
  try {
    const events = [
      ...txnEvents({ merchant: 'm_busy', txn: 't1', at: at(90), status: 'succeeded', amount: '1000' }),
      ...txnEvents({ merchant: 'm_busy', txn: 't2', at: at(80), status: 'failed', amount: '500' }),
      ...txnEvents({ merchant: 'm_quiet', txn: 't3', at: at(70), status: 'succeeded', amount: '700' }),
      payoutEvent({ merchant: 'm_payout_only', payout: 'p1', at: at(60), amount: '100' }),
    ];
    await t.platform.engine.submit({ source: 'test', items: events });
    await t.platform.engine.flush();
    const res = await t.app.inject({ method: 'GET', url: '/api/dev/merchants' });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json().items, [{ merchant_id: 'm_busy', tx_count: 2 }, { merchant_id: 'm_quiet', tx_count: 1 }]);
    const away = await t.app.inject({ method: 'GET', url: '/api/dev/merchants', headers: { host: 'attacker.example:8080' } });
    assert.equal(away.statusCode, 403, 'loopback host names only');
  } finally {
    await t.close();
  }
});

test('outside dev mode there is no merchant list', async () => {
  const t = await openTempApp();
  try {
    assert.equal((await t.inject({ method: 'GET', url: '/api/dev/merchants' })).statusCode, 404);
  } finally {
    await t.close();
  }
});
