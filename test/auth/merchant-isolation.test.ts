// Merchant isolation (OWASP API1) on every route a merchant may call: a merchant token sees
// exactly what an ops token sees when it filters to that merchant, and not one byte of any other
// merchant; naming another merchant is 403; another merchant's object is 404, like a missing one.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { MERCHANTS, NOW, dataset, type Merchant } from '../support/kpi-dataset.ts';
import { bearer, mintToken } from '../support/tokens.ts';

const { txns: TXNS, events: EVENTS } = dataset();
const ME: Merchant = 'm_sn';
const OTHERS = (Object.keys(MERCHANTS) as Merchant[]).filter((m) => m !== ME);
const RANGE = { from: '2026-11-18T00:00:00Z', to: '2026-11-20T00:00:00Z' };
/** Extra parameters some routes need to answer 200. */
const EXTRA: Record<string, Record<string, string>> = {
  '/api/analytics/breakdown': { dimension: 'merchant_id' },
  '/api/v1/metrics': { dimensions: 'merchant_id,country' },
};
/** Routes whose answers hold no merchant data at all (definitions — metric and custom event ones, platform-wide —, FX rates). */
const NOT_MERCHANT_DATA = new Set(['/api/v1/metrics/registry', '/api/v1/fx-rates', '/api/v1/custom-events']);
let t: TempApp;
let merchant: string;

before(async () => {
  t = await openTempApp({ now: () => NOW, parts: ['live-feed'] });
  const res = await t.inject({ method: 'POST', url: '/api/v1/events', payload: EVENTS });
  assert.equal(res.json().accepted, EVENTS.length);
  merchant = await mintToken({ sub: 'sn-admin', roles: ['merchant_admin'], merchantId: ME });
  await t.app.ready();
});
after(async () => { await t.close(); });

/** GET routes a merchant may call, without path parameters. */
const merchantRoutes = () => t.app.routeTable
  .filter((r) => r.method === 'GET' && (r.permission === 'analytics:view' || r.permission === 'events:read') && !r.url.includes(':'));

/** Strings that belong to other merchants only: their ids and their transactions' ids. */
function foreignStrings(): string[] {
  const mine = new Set(TXNS.filter((x) => x.merchant === ME).map((x) => x.id));
  return [...OTHERS, ...TXNS.filter((x) => !mine.has(x.id)).map((x) => x.id)].flatMap((s) => [`"${s}"`, `"${s}_`]);
}

/** The answer without what legitimately differs: freshness, and the merchant ranking ops alone get. */
function comparable(body: string) {
  const { as_of: _a, top_merchants: _m, ...rest } = JSON.parse(body);
  return rest;
}

test('every merchant route: the merchant sees exactly its own data and nothing of others', async () => {
  const foreign = foreignStrings();
  const routes = merchantRoutes();
  assert.ok(routes.length >= 10, routes.map((r) => r.url).join(' '));
  for (const r of routes) {
    const params = new URLSearchParams(NOT_MERCHANT_DATA.has(r.url) ? {} : { ...RANGE, ...EXTRA[r.url] });
    if (r.url === '/api/analytics/live' || r.url === '/api/v1/dashboard/metrics') {
      params.delete('from');
      params.delete('to');
    }
    const mine = await t.app.inject({ method: 'GET', url: `${r.url}?${params}`, headers: bearer(merchant) });
    assert.equal(mine.statusCode, 200, `${r.url}: ${mine.body.slice(0, 200)}`);
    for (const s of foreign) assert.ok(!mine.body.includes(s), `${r.url} leaks ${s}`);
    if (!NOT_MERCHANT_DATA.has(r.url)) {
      params.set('merchant_id', ME);
      const ops = await t.inject({ method: 'GET', url: `${r.url}?${params}` });
      assert.deepEqual(comparable(mine.body), comparable(ops.body), `${r.url}: merchant view differs from the ops view filtered to the merchant`);
    }
  }
});

test('naming another merchant is 403 on every route that takes a merchant filter', async () => {
  for (const r of merchantRoutes().filter((x) => !NOT_MERCHANT_DATA.has(x.url))) {
    const asks: string[] = [OTHERS[0], `${ME},${OTHERS[0]}`];
    for (const ask of asks) {
      const url = `${r.url}?merchant_id=${ask}&${new URLSearchParams(EXTRA[r.url] ?? {})}`;
      const res = await t.app.inject({ method: 'GET', url, headers: bearer(merchant) });
      assert.equal(res.statusCode, 403, `${r.url} ${ask}`);
      assert.equal(res.json().code, 'forbidden_merchant');
    }
  }
});

test('ops-only routes answer 403 to a merchant token', async () => {
  for (const url of ['/api/analytics/top/merchants', '/api/v1/dead-letters']) {
    const res = await t.app.inject({ method: 'GET', url, headers: bearer(merchant) });
    assert.equal(res.statusCode, 403, url);
  }
  const put = await t.app.inject({ method: 'PUT', url: '/api/v1/fx-rates', headers: { ...bearer(merchant), 'content-type': 'text/csv' }, payload: 'date,currency,usd_per_unit\n2026-11-01,XOF,1' });
  assert.equal(put.statusCode, 403);
});

test('another merchant\'s event is 404, exactly like a missing one', async (ctx) => {
  if (!t.app.routeTable.some((r) => r.url === '/api/v1/events/:event_id')) return ctx.skip('no single-event route');
  const theirs = TXNS.find((x) => x.merchant !== ME)!.id + '_c';
  const ours = TXNS.find((x) => x.merchant === ME)!.id + '_c';
  const a = await t.app.inject({ method: 'GET', url: `/api/v1/events/${theirs}`, headers: bearer(merchant) });
  const b = await t.app.inject({ method: 'GET', url: '/api/v1/events/no_such_event', headers: bearer(merchant) });
  const c = await t.app.inject({ method: 'GET', url: `/api/v1/events/${ours}`, headers: bearer(merchant) });
  assert.equal(a.statusCode, 404);
  assert.equal(b.statusCode, 404);
  assert.equal(a.json().code, b.json().code);
  assert.equal(a.json().detail.replace(theirs, 'ID'), b.json().detail.replace('no_such_event', 'ID'));
  assert.equal(c.statusCode, 200);
});
