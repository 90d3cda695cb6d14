// The live window against the store: for every room shape, GET /api/analytics/live (answered
// from the in-memory window) equals the store's own minute series and totals for the same last
// hour — counts exactly, USD to the last float rounding — and a restart rebuilds the same window
// from the minute rollups. Missing FX rates show as unconverted, then convert.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp } from '../support/temp-app.ts';
import { randomStream } from '../support/random-stream.ts';

const NOW = Date.parse('2026-11-20T12:00:30Z');
const ROOMS: Array<Record<string, string>> = [
  {}, { region: 'ECOWAS' }, { country: 'NG' }, { country: 'NG', city: 'Lagos' }, { merchant_id: 'm_nairobi' }, { country: 'KW' },
];
const close = (a: number, b: number) => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));

type Live = { points: Array<Record<string, number | null | string>>; totals: Record<string, number | null>; unconverted_events: number };

async function compare(t: Awaited<ReturnType<typeof openTempApp>>) {
  for (const room of ROOMS) {
    const q = new URLSearchParams(room);
    const live: Live = (await t.inject({ method: 'GET', url: `/api/analytics/live?${q}` })).json();
    // The store's answer for the same hour: the registry query always runs SQL.
    const from = live.points[0].ts as string;
    const to = new Date(Date.parse(live.points.at(-1)!.ts as string) + 60_000).toISOString();
    const sql = (await t.inject({
      method: 'GET',
      url: `/api/v1/metrics?${q}&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}&granularity=minute&metrics=${Object.keys(live.totals).join(',')}`,
    })).json();
    assert.equal(sql.rows.length, 60);
    assert.equal(live.unconverted_events, sql.unconverted_events, JSON.stringify(room));
    live.points.forEach((p, i) => {
      assert.equal(p.ts, sql.rows[i].bucket);
      for (const [name, v] of Object.entries(sql.rows[i].metrics as Record<string, number | null>)) {
        const mine = p[name] as number | null;
        if (v === null || mine === null) assert.equal(mine, v, `${JSON.stringify(room)} ${p.ts} ${name}`);
        else assert.ok(close(mine, v), `${JSON.stringify(room)} ${p.ts} ${name}: ${mine} ≠ ${v}`);
      }
    });
    assert.ok(live.totals.tx_count! > 0 || room.country === 'KW', JSON.stringify(room));
  }
}

test('the live window answers like the store, for every room shape, and again after a restart', async () => {
  const t = await openTempApp({ now: () => NOW, parts: ['live-feed'] });
  const events = randomStream({ seed: 77, txns: 600, start: NOW - 70 * 60_000, spanMs: 70 * 60_000 }).events
    .filter((e) => Date.parse(String(e.occurred_at)) <= NOW);
  for (let i = 0; i < events.length; i += 200) {
    const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: events.slice(i, i + 200) });
    assert.ok(res.statusCode === 200 || res.statusCode === 422, res.body.slice(0, 200));
  }
  const before: Live = (await t.inject({ method: 'GET', url: '/api/analytics/live' })).json();
  assert.ok(before.unconverted_events > 0, 'no FX rates yet: non-USD events are unconverted');
  await compare(t);
  const fx = 'date,currency,usd_per_unit\n2026-11-20,XOF,0.0016\n2026-11-20,NGN,0.00065\n2026-11-20,KES,0.0077\n2026-11-20,KWD,3.25';
  assert.equal((await t.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: fx })).statusCode, 200);
  const after: Live = (await t.inject({ method: 'GET', url: '/api/analytics/live' })).json();
  assert.equal(after.unconverted_events, 0);
  assert.ok(after.totals.gross_volume_usd! > before.totals.gross_volume_usd!);
  await compare(t);

  // Restart on the same data: the window is rebuilt from the minute rollups.
  await t.app.close();
  await t.platform.close();
  const again = await openTempApp({ now: () => NOW, env: { DATA_DIR: t.config.DATA_DIR }, parts: ['live-feed'] });
  try {
    const reborn: Live = (await again.inject({ method: 'GET', url: '/api/analytics/live' })).json();
    assert.deepEqual(reborn.totals, after.totals);
    await compare(again);
  } finally {
    await again.close();
  }
});
