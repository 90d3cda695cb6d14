// The synthetic trading stream (demo, bench): every event it makes passes the seed's trading
// definitions on the real app — none refused, each type present — and its money measures are
// integers; the same seed gives the same events.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openTempApp, ndjson, type TempApp } from '../support/temp-app.ts';
import { TRADING_EVENTS_FILE, tradingStream } from '../../src/custom-events/trading-stream.ts';
import { parseDefinitionsFile } from '../../src/custom-events/definitions-file.ts';

const NOW = Date.parse('2026-04-02T10:00:00Z');
let t: TempApp;
before(async () => {
  t = await openTempApp({ now: () => NOW });
  for (const d of parseDefinitionsFile(readFileSync(TRADING_EVENTS_FILE, 'utf8'))) {
    const r = await t.inject({ method: 'POST', url: '/api/v1/custom-events', payload: d as object });
    assert.equal(r.statusCode, 201, r.body);
  }
});
after(async () => { await t.close(); });

test('every generated trading event passes its definition; all eleven types appear; seeded', async () => {
  const stream = tradingStream(7);
  const events = Array.from({ length: 1500 }, (_, i) => stream.next(NOW - 3_600_000 + i * 2000));
  const again = tradingStream(7);
  assert.deepEqual(again.next(NOW - 3_600_000), events[0], 'the same seed, the same events');
  assert.equal(new Set(events.map((e) => e.event_type)).size, 11);
  const r = await t.inject({ method: 'POST', url: '/api/v1/track', payload: ndjson(events), headers: { 'content-type': 'application/x-ndjson' } });
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.json().accepted, events.length, JSON.stringify(r.json().results.slice(0, 3)));
  const stats = await t.inject({ url: `/api/v1/custom-events/position.closed/stats?measure=realized_pnl&interval=all&from=2026-04-02T09:00:00Z&to=2026-04-02T10:00:00Z&group_by=currency` });
  assert.equal(stats.statusCode, 200, stats.body);
  const closed = events.filter((e) => e.event_type === 'position.closed');
  const usd = closed.filter((e) => (e.properties as Record<string, unknown>).currency === 'USD');
  const item = stats.json().items.find((i: { group: string }) => i.group === 'USD');
  assert.equal(item.sum, usd.reduce((a, e) => a + BigInt((e.properties as { realized_pnl: number }).realized_pnl), 0n).toString());
});
