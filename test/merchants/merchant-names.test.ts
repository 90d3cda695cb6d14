// Merchant names: imported as CSV or JSON (the latest name wins; a bad row refuses the whole
// import), found by name or id — ops among every merchant, a merchant token only itself, by the
// central merchant check (scopeMerchants): naming another merchant is 403.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';
import { parseMerchantCsv } from '../../src/merchants/merchant-names.ts';

let t: TempApp;
let merchant: string;
before(async () => {
  t = await openTempApp();
  merchant = await mintToken({ sub: 'awa', roles: ['merchant_admin'], merchantId: 'm_sn' });
});
after(async () => { await t.close(); });

const csv = (body: string) => ({ method: 'PUT' as const, url: '/api/v1/merchants', headers: { 'content-type': 'text/csv' }, payload: body });
const names = (res: { json(): { items: Array<{ merchant_id: string; name: string }> } }) => res.json().items.map((m) => [m.merchant_id, m.name]);

test('an import as CSV then JSON: the latest name of a merchant wins', async () => {
  const first = await t.inject(csv('merchant_id,name\nm_sn,Boutique Awa\nm_ng,"Mama Put, Lagos"\nm_ci,Maquis Abidjan\n'));
  assert.equal(first.statusCode, 200, first.body);
  assert.equal(first.json().imported, 3);
  const second = await t.inject({ method: 'PUT', url: '/api/v1/merchants', payload: { merchants: [{ merchant_id: 'm_sn', name: '  Boutique Awa Dakar ' }] } });
  assert.equal(second.statusCode, 200, second.body);
  const all = await t.inject({ method: 'GET', url: '/api/v1/merchants' });
  assert.deepEqual(names(all), [['m_sn', 'Boutique Awa Dakar'], ['m_ng', 'Mama Put, Lagos'], ['m_ci', 'Maquis Abidjan']]);
});

test('ops searches every merchant by part of a name or an id, or asks for given ids', async () => {
  assert.deepEqual(names(await t.inject({ method: 'GET', url: '/api/v1/merchants?search=MA' })), [['m_ng', 'Mama Put, Lagos'], ['m_ci', 'Maquis Abidjan']]);
  assert.deepEqual(names(await t.inject({ method: 'GET', url: '/api/v1/merchants?search=m_ng' })), [['m_ng', 'Mama Put, Lagos']]);
  assert.deepEqual(names(await t.inject({ method: 'GET', url: '/api/v1/merchants?search=%25' })), [], 'a % is a character, not a wildcard');
  assert.deepEqual(names(await t.inject({ method: 'GET', url: '/api/v1/merchants?merchant_id=m_ci,m_sn' })), [['m_sn', 'Boutique Awa Dakar'], ['m_ci', 'Maquis Abidjan']]);
});

test('a merchant token finds only itself; naming another merchant is 403; it may not import', async () => {
  const own = await t.app.inject({ method: 'GET', url: '/api/v1/merchants', headers: bearer(merchant) });
  assert.equal(own.statusCode, 200, own.body);
  assert.deepEqual(names(own), [['m_sn', 'Boutique Awa Dakar']]);
  const search = await t.app.inject({ method: 'GET', url: '/api/v1/merchants?search=ma', headers: bearer(merchant) });
  assert.deepEqual(names(search), []);
  const other = await t.app.inject({ method: 'GET', url: '/api/v1/merchants?merchant_id=m_ng', headers: bearer(merchant) });
  assert.equal(other.statusCode, 403);
  assert.equal(other.json().code, 'forbidden_merchant');
  const put = await t.app.inject({ method: 'PUT', url: '/api/v1/merchants', headers: { ...bearer(merchant), 'content-type': 'text/csv' }, payload: 'merchant_id,name\nm_sn,Mine\n' });
  assert.equal(put.statusCode, 403);
});

test('names are limited: 1-200 characters, no control characters, a valid id; a bad row refuses the import', async () => {
  assert.deepEqual(parseMerchantCsv('merchant_id,name\nm_1,"Chez ""Fatou"""\n'), [{ merchant_id: 'm_1', name: 'Chez "Fatou"' }]);
  for (const body of [
    `merchant_id,name\nm_1,${'x'.repeat(201)}\n`, 'merchant_id,name\nm_1,   \n', 'merchant_id,name\nm_1,Tab\there\n',
    'merchant_id,name\nm 1,Space in the id\n', 'id,label\nm_1,Wrong header\n',
  ]) {
    const res = await t.inject(csv(`${body}m_ok,Fine\n`));
    assert.equal(res.statusCode, 400, body);
    assert.equal(res.json().code, 'invalid_merchants');
  }
  assert.equal((await t.inject(csv(`merchant_id,name\nm_long,${'é'.repeat(200)}\n`))).statusCode, 200);
  const ok = await t.inject({ method: 'GET', url: '/api/v1/merchants?merchant_id=m_ok' });
  assert.deepEqual(names(ok), [], 'nothing of a refused import was written');
});
