// The demo's history gives merchants real refunds, disputes and payouts to look at in the merchant
// area (issue 13): with the default settings (DEMO_HISTORY_DAYS, DEMO_EVENTS_PER_SECOND), several
// merchants have all three, and the history is deterministic (a fixed seed).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.ts';
import { demoHistory } from '../../src/demo/run-demo.ts';

const NOW = Date.parse('2026-03-10T14:20:00Z');

function tally(now: number) {
  const config = loadConfig({});
  const per = new Map<string, { refunds: number; disputes: number; payouts: number; recentDisputes: number }>();
  for (const e of demoHistory(now, config.DEMO_HISTORY_DAYS, config.DEMO_EVENTS_PER_SECOND)) {
    const m = String(e.merchant_id);
    const c = per.get(m) ?? { refunds: 0, disputes: 0, payouts: 0, recentDisputes: 0 };
    if (e.type === 'refund_created') c.refunds++;
    if (e.type === 'dispute_created') {
      c.disputes++;
      // Still open for a response (DISPUTE_RESPONSE_DAYS, 7 by default).
      if (Date.parse(String(e.occurred_at)) > now - 7 * 86_400_000) c.recentDisputes++;
    }
    if (e.type === 'payout_created' || e.type === 'payout.settled') c.payouts++;
    per.set(m, c);
  }
  return per;
}

test('the default demo history gives several merchants refunds, disputes (some still open) and payouts', { timeout: 120_000 }, () => {
  const per = tally(NOW);
  const complete = [...per].filter(([, c]) => c.refunds > 0 && c.disputes > 0 && c.payouts > 0);
  assert.ok(complete.length >= 5, `merchants with refunds, disputes and payouts: ${complete.length}`);
  assert.ok(complete.some(([, c]) => c.recentDisputes > 0), 'a dispute that still needs a response');
  // Deterministic: the seed is fixed (the counts move with `now` only through the daily rhythm).
  assert.deepEqual([...tally(NOW)], [...per]);
  const busiest = complete.sort((a, b) => b[1].disputes - a[1].disputes).slice(0, 3).map(([m, c]) => `${m} ${JSON.stringify(c)}`);
  console.log(`demo merchants to look at: ${busiest.join('; ')}`);
});
