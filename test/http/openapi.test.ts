// The OpenAPI document against the routes and against real answers: every route of the route
// table is documented with the right security; every documented status has a schema; and for
// real requests (a success and errors for each family of routes) the status is documented, the
// body validates against the documented schema, and it is exactly what the handler returned
// (Fastify's response schemas also serialise: a field they drop or a value they coerce fails).

import { test, before, after } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { MERCHANTS, NOW, dataset } from '../support/kpi-dataset.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { OpenApiContract, type OpenApiDoc } from '../support/openapi-contract.ts';

let t: TempApp;
let doc: OpenApiDoc;
const contract = new OpenApiContract({ errorsToo: true });

before(async () => {
  t = await openTempApp({
    now: () => NOW, parts: ['live-feed'], env: { REFUND_APPROVAL_THRESHOLD: '*:1' },
    beforeStart: contract.record,
  });
  await contract.load((o) => t.inject(o));
  doc = contract.doc;
  const ingest = await t.inject({ method: 'POST', url: '/api/v1/events', payload: dataset().events });
  assert.equal(ingest.statusCode, 200, ingest.body);
});
after(async () => { await t.close(); });

/** The document's path of a route URL (`:id` → `{id}`). */
const docPath = (url: string) => url.replace(/:(\w+)/g, '{$1}');
const documented = () => t.app.routeTable.filter((r) => !r.hidden && r.method !== 'HEAD' && r.method !== 'OPTIONS');

test('every documented route of the route table is in the document, with no security when public', () => {
  assert.ok(documented().length > 40);
  for (const r of documented()) {
    const op = doc.paths[docPath(r.url)]?.[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${r.url} is documented`);
    if (r.permission === null) assert.deepEqual(op.security, [], `${r.method} ${r.url} is public`);
    else assert.ok(op.security === undefined && doc.security.length > 0, `${r.method} ${r.url} needs the bearer token`);
    if (r.permission !== null) for (const s of ['401', '403', '429']) assert.ok(op.responses[s], `${r.method} ${r.url} documents ${s}`);
  }
  const operations = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`));
  assert.deepEqual(operations.sort(), documented().map((r) => `${r.method} ${docPath(r.url)}`).sort(), 'nothing documented that is not a route');
});

test('every operation documents a success, and a schema for every status that has a body', () => {
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const statuses = Object.keys(op.responses);
      assert.ok(statuses.some((s) => /^2/.test(s)), `${method} ${path} documents a success`);
      assert.ok(statuses.includes('500'), `${method} ${path} documents 500`);
      for (const s of statuses) {
        if (s === '204') continue;
        const content = op.responses[s].content;
        assert.ok(content && Object.values(content).every((c) => c.schema), `${method} ${path} ${s} has a schema`);
        // Errors are problem+json; ingest's 422 (no event accepted) is its per-event summary instead.
        const summary = method === 'post' && (path === '/api/v1/events' || path === '/api/v1/track') && s === '422';
        if (/^[45]/.test(s) && !summary) assert.deepEqual(Object.keys(content), ['application/problem+json'], `${method} ${path} ${s} is problem+json`);
      }
    }
  }
});

/** Checks one real answer against the document; returns it for further checks. */
async function check(o: InjectOptions & { url: string }, expected: number, token?: string | null): Promise<LightMyRequestResponse> {
  const res = token === null ? await t.app.inject(o) : token ? await t.app.inject({ ...o, headers: { ...bearer(token), ...o.headers } }) : await t.inject(o);
  const method = o.method ?? 'GET';
  const docPath = contract.docPathOf(method, o.url);
  assert.ok(docPath, `${method} ${o.url} → ${res.statusCode}: a documented operation`);
  contract.conforms(res, method, docPath, expected);
  return res;
}

const RANGE = 'from=2026-11-18T00:00:00Z&to=2026-11-20T00:00:00Z';

test('docs, probes and who-am-I answer as documented', async () => {
  await check({ url: '/docs/errors', headers: { accept: 'application/json' } }, 200, null);
  await check({ url: '/docs/errors', headers: { accept: 'text/html' } }, 200, null);
  for (const url of ['/health', '/healthz', '/ready', '/metrics']) await check({ url }, 200, null);
  await check({ url: '/api/v1/me' }, 200);
  await check({ url: '/api/v1/me' }, 401, null);
  await check({ url: '/api/v1/me', headers: { authorization: 'Bearer not.a.token' } }, 401, null);
  await check({ url: '/api/v1/me' }, 401, await mintToken({ expiresIn: Math.round((NOW - Date.now()) / 1000) - 3600 }));
});

test('analytics and the registry query answer as documented', async () => {
  for (const url of ['/api/analytics/summary', '/api/analytics/kpis', '/api/analytics/timeseries', '/api/analytics/overview',
    '/api/analytics/top/merchants', '/api/analytics/top/countries', '/api/analytics/breakdown']) {
    await check({ url: `${url}?${RANGE}${url.endsWith('breakdown') ? '&dimension=country' : ''}` }, 200);
  }
  await check({ url: '/api/analytics/summary?metrics=gross_volume_usd&currency=XOF&' + RANGE }, 200);
  await check({ url: '/api/analytics/live' }, 200);
  await check({ url: '/api/v1/dashboard/metrics' }, 200);
  await check({ url: '/api/v1/metrics/registry' }, 200);
  await check({ url: `/api/v1/metrics?metrics=tx_count,success_rate&dimensions=country&granularity=day&${RANGE}` }, 200);
  await check({ url: `/api/analytics/summary?metrics=nope&${RANGE}` }, 400);
  await check({ url: `/api/analytics/summary?misspelt=1` }, 400);
  await check({ url: `/api/analytics/breakdown?${RANGE}` }, 400);
  await check({ url: '/api/analytics/timeseries?granularity=minute&from=2026-01-01T00:00:00Z&to=2026-11-20T00:00:00Z' }, 422);
  const merchant = await mintToken({ roles: ['merchant_admin'], merchantId: 'm_sn' });
  await check({ url: `/api/analytics/top/merchants?${RANGE}` }, 403, merchant);
  await check({ url: `/api/analytics/summary?merchant_id=m_ng&${RANGE}` }, 403, merchant);
});

test('raw events, dead letters and FX rates answer as documented', async () => {
  const page = await check({ url: `/api/v1/events?${RANGE}&limit=5` }, 200);
  await check({ url: `/api/v1/events/stats?${RANGE}` }, 200);
  await check({ url: `/api/v1/events/${encodeURIComponent(page.json().items[0].event_id)}` }, 200);
  await check({ url: '/api/v1/events/nope' }, 404);
  await check({ url: '/api/v1/events?cursor=zz' }, 400);
  await check({ method: 'POST', url: '/api/v1/events', payload: [{ event_id: 'x' }] }, 422);
  await check({ method: 'POST', url: '/api/v1/events', payload: [dataset().events[0], { event_id: 'y' }] }, 200);
  await check({ method: 'POST', url: '/api/v1/events', payload: [] }, 400);
  await check({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json' }, payload: '{' }, 422);
  await check({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/json' }, payload: '[{}] x' }, 400);
  await check({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'text/csv' }, payload: 'event_id,type\n"x,y\n' }, 422);
  await check({ method: 'POST', url: '/api/v1/events', headers: { 'content-type': 'application/xml' }, payload: '<a/>' }, 415);
  await check({ url: '/api/v1/dead-letters' }, 200);
  await check({ method: 'POST', url: '/api/v1/dead-letters/replay', payload: { code: 'missing_field' } }, 200);
  await check({ method: 'PUT', url: '/api/v1/fx-rates', headers: { 'content-type': 'text/csv' }, payload: 'date,currency,usd_per_unit\n2026-11-01,XOF,0.0016\n' }, 200);
  await check({ method: 'PUT', url: '/api/v1/fx-rates', payload: { nope: 1 } }, 400);
  await check({ url: '/api/v1/fx-rates?currency=XOF' }, 200);
  await check({ url: '/api/v1/fx-rates?currency=xof' }, 400);
});

test('custom event definitions answer as documented', async () => {
  const body = { name: 'doc.checked', properties: [{ name: 'ms', type: 'number', role: 'measure', unit: 'ms' }, { name: 'kind', type: 'string', role: 'dimension' }] };
  await check({ method: 'POST', url: '/api/v1/custom-events', payload: body }, 201);
  await check({ method: 'POST', url: '/api/v1/custom-events', payload: body }, 200);
  await check({ method: 'POST', url: '/api/v1/custom-events', payload: { name: 'doc.checked', properties: [{ name: 'ms', type: 'string', role: 'dimension' }] } }, 409);
  await check({ method: 'POST', url: '/api/v1/custom-events', payload: { name: 'doc.bad', properties: [{ name: 'ms', type: 'number', role: 'measure' }] } }, 422);
  await check({ method: 'POST', url: '/api/v1/custom-events', payload: { name: 'Doc', properties: [] } }, 400);
  await check({ url: '/api/v1/custom-events' }, 200);
  await check({ url: '/api/v1/custom-events/doc.checked?version=1' }, 200);
  await check({ url: '/api/v1/custom-events/doc.none' }, 404);
  const ndjson = { 'content-type': 'application/x-ndjson' };
  const event = { event_type: 'doc.checked', event_id: 'd1', timestamp: new Date(NOW - 60_000).toISOString(), properties: { ms: 12, kind: 'a' } };
  await check({ method: 'POST', url: '/api/v1/track', payload: JSON.stringify(event), headers: ndjson }, 200);
  await check({ method: 'POST', url: '/api/v1/track', payload: JSON.stringify({ ...event, event_id: 'd2', properties: { ms: 'x' } }), headers: ndjson }, 422);
  await check({ method: 'POST', url: '/api/v1/track', payload: 'a,b', headers: { 'content-type': 'text/csv' } }, 415);
  await check({ url: '/api/v1/custom-events/doc.checked/stats?measure=ms&interval=5m&group_by=kind&filter[kind]=a' }, 200);
  await check({ url: '/api/v1/custom-events/doc.checked/stats?measure=nope' }, 400);
});

test('alert rules, alerts, silences and webhooks answer as documented', async () => {
  const rule = { name: 'refunds', metric: 'refund_rate', window_minutes: 60, condition: { type: 'threshold', op: '>', value: 0.1 } };
  const base = '/api/analytics/alerts';
  const created = await check({ method: 'POST', url: `${base}/rules`, payload: rule }, 201);
  const id = created.json().id;
  await check({ url: `${base}/rules` }, 200);
  await check({ url: `${base}/rules/${id}` }, 200);
  await check({ method: 'PATCH', url: `${base}/rules/${id}`, payload: { severity: 'critical' } }, 200);
  await check({ method: 'POST', url: `${base}/rules/preview`, payload: rule }, 200);
  await check({ method: 'POST', url: `${base}/rules`, payload: { ...rule, metric: 'nope' } }, 400);
  await check({ url: `${base}/rules/999999` }, 404);
  await check({ url: base }, 200);
  await check({ url: `${base}/1` }, 404);
  await check({ method: 'PATCH', url: `${base}/1`, payload: { nope: true } }, 400);
  const silence = await check({ method: 'POST', url: `${base}/silences`, payload: { matchers: { rule_id: String(id) }, ends_at: '2026-11-21T00:00:00Z' } }, 201);
  await check({ url: `${base}/silences` }, 200);
  await check({ method: 'DELETE', url: `${base}/silences/${silence.json().id}` }, 204);
  const hook = await check({ method: 'POST', url: `${base}/webhooks`, payload: { url: 'https://hooks.example.com/molam' } }, 201);
  await check({ url: `${base}/webhooks` }, 200);
  await check({ method: 'POST', url: `${base}/webhooks/${hook.json().id}/rotate`, payload: {} }, 200);
  await check({ url: `${base}/webhooks/${hook.json().id}/deliveries` }, 200);
  await check({ method: 'DELETE', url: `${base}/webhooks/${hook.json().id}` }, 204);
  await check({ method: 'DELETE', url: `${base}/rules/${id}` }, 204);
  await check({ method: 'DELETE', url: `${base}/rules/${id}` }, 404);
  await check({ url: `${base}/rules` }, 403, await mintToken({ roles: ['events:write'] }));
});

test('the merchant portal answers as documented', async () => {
  const admin = await mintToken({ sub: 'admin@m', roles: ['merchant_admin'], merchantId: dataset().events[0].merchant_id as string });
  const ops = await mintToken({ sub: 'ops', roles: ['analytics:ops'] });
  const acting = { 'x-merchant-id': dataset().events[0].merchant_id as string };
  await check({ url: '/api/merchant/summary' }, 200, admin);
  await check({ url: '/api/merchant/summary?period=custom&from=2026-11-18T00:00:00Z&to=2026-11-20T00:00:00Z&currency=XOF' }, 200, admin);
  await check({ url: '/api/merchant/summary?period=ytd&tz=Africa/Lagos', headers: acting }, 200, ops);
  await check({ url: '/api/merchant/summary?period=custom' }, 400, admin);
  await check({ url: '/api/merchant/summary?tz=Mars/Olympus' }, 400, admin);
  await check({ url: '/api/merchant/summary' }, 400, ops);
  await check({ url: '/api/merchant/summary', headers: { 'x-merchant-id': 'someone_else' } }, 403, admin);
  await check({ url: '/api/merchant/summary' }, 403, await mintToken({ roles: ['merchant_support'], merchantId: 'm' }));
  const page = await check({ url: '/api/merchant/transactions?limit=2&sort=-amount' }, 200, admin);
  await check({ url: `/api/merchant/transactions?limit=2&sort=-amount&cursor=${page.json().next_cursor}` }, 200, admin);
  await check({ url: '/api/merchant/transactions?cursor=zz' }, 400, admin);
  await check({ url: '/api/merchant/transactions?amount_min=10' }, 400, admin);
  await check({ url: `/api/merchant/transactions/${encodeURIComponent(page.json().items[0].txn_id)}` }, 200, admin);
  await check({ url: '/api/merchant/transactions/nope' }, 404, admin);
  await check({ url: '/api/merchant/audit', headers: acting }, 200, ops);
  await check({ url: '/api/merchant/audit?from=nope' }, 400, admin);
  await check({ url: '/api/merchant/settings' }, 200, admin);
  await check({ method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: 'Africa/Abidjan' } }, 200, admin);
  await check({ method: 'PUT', url: '/api/merchant/settings', payload: { time_zone: 'Nowhere/Else' } }, 400, admin);
  await check({ method: 'PUT', url: '/api/merchant/settings', payload: { tz: 'UTC' } }, 400, admin);
});

test('merchant refunds answer as documented', async () => {
  const merchant = dataset().events[0].merchant_id as string;
  const txns = dataset().txns.filter((x) => x.merchant === merchant);
  const paid = txns.filter((x) => x.status === 'succeeded' && x.minor >= 10n);
  const failed = txns.find((x) => x.status === 'failed')!;
  const currency = MERCHANTS[paid[0].merchant].currency;
  const admin = await mintToken({ sub: 'admin@m', roles: ['merchant_admin'], merchantId: merchant });
  const second = await mintToken({ sub: 'second@m', roles: ['merchant_admin'], merchantId: merchant });
  const post = (key: string | null, body: Record<string, unknown>, url = '/api/merchant/refunds') =>
    ({ method: 'POST' as const, url, payload: body, headers: key === null ? {} : { 'idempotency-key': key } });
  const body = { transaction_id: paid[0].id, amount: 1, currency };
  const r = await check(post('oa-1', body), 201, admin);
  await check(post('oa-1', body), 201, admin);
  await check(post('oa-1', { ...body, amount: 2 }), 422, admin);
  await check(post(null, body), 400, admin);
  await check(post('oa-2', { ...body, transaction_id: 'nope' }), 404, admin);
  await check(post('oa-3', { ...body, transaction_id: failed.id }), 422, admin);
  const pending = await check(post('oa-4', { ...body, amount: 2 }), 201, admin);
  await check(post('oa-5', body), 409, admin);
  await check({ method: 'POST', url: `/api/merchant/refunds/${pending.json().id}/approve` }, 403, admin);
  await check({ method: 'POST', url: `/api/merchant/refunds/${pending.json().id}/approve`, payload: { reason: 'ok' } }, 200, second);
  await check({ method: 'POST', url: `/api/merchant/refunds/${pending.json().id}/reject` }, 409, second);
  await check({ method: 'POST', url: '/api/merchant/refunds/rf_nope/reject' }, 404, second);
  await check(post('oa-6', { txn_id: paid[1].id, amount: 1, currency }, '/api/merchant/refund'), 201, admin);
  const list = await check({ url: '/api/merchant/refunds?limit=1' }, 200, admin);
  await check({ url: `/api/merchant/refunds?limit=1&cursor=${list.json().next_cursor}&status=approved,pending_approval` }, 200, admin);
  await check({ url: '/api/merchant/refunds?cursor=zz' }, 400, admin);
  await check({ url: `/api/merchant/refunds/${r.json().id}` }, 200, admin);
  await check({ url: '/api/merchant/refunds/rf_nope' }, 404, admin);
  await check({ url: '/api/merchant/refunds' }, 403, await mintToken({ roles: ['analytics:view'], merchantId: merchant }));
});

test('the merchant\'s disputes and evidence answer as documented', async () => {
  const merchant = 'm_doc';
  const at = new Date(NOW - 3600_000).toISOString();
  const events = [
    { event_id: 'doc_dp_1', type: 'dispute_created', occurred_at: at, dispute_id: 'dp_doc', txn_id: 't_doc', merchant_id: merchant, amount: '100', currency: 'XOF', country: 'SN', reason: 'fraud' },
    { event_id: 'doc_dp_2', type: 'dispute_created', occurred_at: at, dispute_id: 'dp_doc_empty', txn_id: 't_doc', merchant_id: merchant, amount: '100', currency: 'XOF', country: 'SN' },
  ];
  assert.equal((await t.inject({ method: 'POST', url: '/api/v1/events', payload: events })).json().accepted, 2);
  const admin = await mintToken({ sub: 'admin@doc', roles: ['merchant_admin'], merchantId: merchant });
  const boundary = 'doc-boundary';
  const form = (name: string, filename: string, bytes: Buffer) => ({
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
    payload: Buffer.concat([Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\n\r\n`), bytes, Buffer.from(`\r\n--${boundary}--\r\n`)]),
  });
  const png = readFileSync(new URL('../files/fixtures/receipt.png', import.meta.url));
  const base = '/api/merchant/disputes';
  const page = await check({ url: `${base}?limit=1` }, 200, admin);
  await check({ url: `${base}?limit=1&cursor=${page.json().next_cursor}&status=needs_response` }, 200, admin);
  await check({ url: `${base}?status=won` }, 400, admin);
  await check({ url: `${base}/dp_doc` }, 200, admin);
  await check({ url: `${base}/nope` }, 404, admin);
  const up = await check({ method: 'POST', url: `${base}/dp_doc/evidence`, ...form('file', 'r.png', png) }, 201, admin);
  await check({ method: 'POST', url: `${base}/dp_doc/evidence`, ...form('file', 'r.pdf', Buffer.from('MZ not a pdf')) }, 422, admin);
  await check({ method: 'POST', url: `${base}/dp_doc/evidence`, ...form('upload', 'r.png', png) }, 400, admin);
  await check({ method: 'POST', url: `${base}/dp_doc/evidence`, payload: { file: 1 } }, 415, admin);
  await check({ url: `${base}/dp_doc/evidence/${up.json().id}` }, 200, admin);
  await check({ method: 'POST', url: `${base}/dp_doc_empty/submit` }, 422, admin);
  const second = await check({ method: 'POST', url: `${base}/dp_doc/evidence`, ...form('file', 'r2.png', png) }, 201, admin);
  await check({ method: 'DELETE', url: `${base}/dp_doc/evidence/${second.json().id}` }, 204, admin);
  await check({ method: 'POST', url: `${base}/dp_doc/submit` }, 200, admin);
  await check({ method: 'POST', url: `${base}/dp_doc/submit` }, 409, admin);
  await check({ method: 'DELETE', url: `${base}/dp_doc/evidence/${up.json().id}` }, 409, admin);
  await check({ method: 'POST', url: `${base}/dp_doc/evidence`, ...form('file', 'r.png', png) }, 409, admin);
});

test('failed authentications past the limit answer 429 as documented', async () => {
  const o = { url: '/api/v1/me', remoteAddress: '10.9.9.9', headers: { authorization: 'Bearer bad' } };
  for (let i = 0; i < 60; i++) assert.equal((await t.app.inject(o)).statusCode, 401);
  await check(o, 429, null);
});
