// Custom event definitions over HTTP, on the real app and its PGlite state store: versions (a
// change adds one, the same content adds none, history is kept and readable), the type rule
// across versions, each refusal coded, and who may do what (events:define writes, analytics:view
// reads, a merchant's token sees none).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openTempApp, type TempApp } from '../support/temp-app.ts';
import { bearer, mintToken } from '../support/tokens.ts';

let t: TempApp;
before(async () => {
  t = await openTempApp();
});
after(async () => { await t.close(); });

const post = (body: unknown, headers?: Record<string, string>) => t.inject({ method: 'POST', url: '/api/v1/custom-events', payload: body as object, headers });
const get = (url: string, headers?: Record<string, string>) => t.inject({ method: 'GET', url, headers });

const placedV1 = {
  name: 'order.placed', description: 'An order was sent',
  properties: [
    { name: 'symbol', type: 'string', role: 'dimension', cardinality_cap: 500 },
    { name: 'quantity', type: 'number', role: 'measure', unit: 'quantity' },
    { name: 'side', type: 'string', role: 'dimension' },
  ],
};

test('a new name is version 1; the same content again adds nothing; a change adds version 2 and keeps version 1', async () => {
  const v1 = await post(placedV1);
  assert.equal(v1.statusCode, 201, v1.body);
  const d1 = v1.json();
  assert.equal(d1.version, 1);
  assert.equal(d1.created_by, 'test-admin');
  assert.deepEqual(d1.properties.map((p: { name: string }) => p.name), ['quantity', 'side', 'symbol'], 'sorted by name');
  assert.deepEqual(d1.properties[1], { name: 'side', type: 'string', role: 'dimension', description: '', cardinality_cap: 1000 }, 'the default cap');
  assert.deepEqual(d1.properties[0], { name: 'quantity', type: 'number', role: 'measure', description: '', unit: 'quantity' });

  // The same definition, properties in another order: unchanged.
  const again = await post({ ...placedV1, properties: [...placedV1.properties].reverse() });
  assert.equal(again.statusCode, 200, again.body);
  assert.equal(again.json().version, 1);

  // Removing a property, adding one, changing a description and a cap: version 2.
  const v2 = await post({
    name: 'order.placed', description: 'An order was sent to a venue',
    properties: [
      { name: 'symbol', type: 'string', role: 'dimension', cardinality_cap: 2000 },
      { name: 'quantity', type: 'number', role: 'measure', unit: 'quantity' },
      { name: 'submit_latency_ms', type: 'number', role: 'measure', unit: 'ms' },
    ],
  });
  assert.equal(v2.statusCode, 201, v2.body);
  assert.equal(v2.json().version, 2);

  const latest = await get('/api/v1/custom-events/order.placed');
  assert.equal(latest.statusCode, 200);
  assert.equal(latest.json().version, 2);
  assert.equal(latest.json().description, 'An order was sent to a venue');
  const first = await get('/api/v1/custom-events/order.placed?version=1');
  assert.equal(first.statusCode, 200);
  assert.deepEqual(first.json(), d1, 'version 1 is unchanged');
  const missing = await get('/api/v1/custom-events/order.placed?version=3');
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().code, 'not_found');
  assert.equal((await get('/api/v1/custom-events/order.never')).statusCode, 404);

  const other = await post({ name: 'strategy.started', properties: [] });
  assert.equal(other.statusCode, 201);
  const listed = await get('/api/v1/custom-events');
  assert.equal(listed.statusCode, 200);
  assert.deepEqual(listed.json().items.map((d: { name: string; version: number }) => `${d.name}@${d.version}`), ['order.placed@2', 'strategy.started@1']);
});

test('a property keeps its type and a measure its unit across versions — even one removed and declared again', async () => {
  const base = { name: 'order.filled', properties: [{ name: 'price', type: 'number', role: 'measure', unit: 'price' }, { name: 'venue', type: 'string', role: 'dimension' }] };
  assert.equal((await post(base)).statusCode, 201);
  const retyped = await post({ name: 'order.filled', properties: [{ name: 'price', type: 'string', role: 'dimension' }] });
  assert.equal(retyped.statusCode, 409, retyped.body);
  assert.equal(retyped.json().code, 'property_type_changed');
  assert.equal(retyped.json().property, 'price');
  const reunit = await post({ name: 'order.filled', properties: [{ name: 'price', type: 'number', role: 'measure', unit: 'minor_units:XOF' }] });
  assert.equal(reunit.statusCode, 409);
  assert.equal(reunit.json().code, 'property_type_changed');
  // A role change of the same type is allowed (it applies from the new version on).
  const venueGone = await post({ name: 'order.filled', properties: [{ name: 'price', type: 'number', role: 'measure', unit: 'price' }] });
  assert.equal(venueGone.statusCode, 201);
  assert.equal(venueGone.json().version, 2);
  const venueBack = await post({ name: 'order.filled', properties: [{ name: 'venue', type: 'boolean', role: 'dimension' }] });
  assert.equal(venueBack.statusCode, 409, 'venue was a string in version 1');
  assert.equal(venueBack.json().property, 'venue');
  assert.equal((await get('/api/v1/custom-events/order.filled')).json().version, 2, 'a refusal writes nothing');
});

test('definitions that break a rule are refused, each with its code, and write nothing', async () => {
  const cases: [string, unknown, number, string][] = [
    ['a property twice', { name: 'x.dup', properties: [{ name: 'a', type: 'string', role: 'dimension' }, { name: 'a', type: 'string', role: 'dimension' }] }, 422, 'invalid_definition'],
    ['a string measure', { name: 'x.m', properties: [{ name: 'a', type: 'string', role: 'measure', unit: 'ms' }] }, 422, 'invalid_definition'],
    ['a measure without a unit', { name: 'x.m', properties: [{ name: 'a', type: 'number', role: 'measure' }] }, 422, 'invalid_definition'],
    ['a cap on a measure', { name: 'x.m', properties: [{ name: 'a', type: 'number', role: 'measure', unit: 'ms', cardinality_cap: 5 }] }, 422, 'invalid_definition'],
    ['a unit on a dimension', { name: 'x.m', properties: [{ name: 'a', type: 'string', role: 'dimension', unit: 'ms' }] }, 422, 'invalid_definition'],
    ['minor_units without a currency dimension', { name: 'x.m', properties: [{ name: 'pnl', type: 'number', role: 'measure', unit: 'minor_units' }] }, 422, 'invalid_definition'],
    ['an unknown unit', { name: 'x.m', properties: [{ name: 'a', type: 'number', role: 'measure', unit: 'parsecs' }] }, 400, 'invalid_parameter'],
    ['an uppercase name', { name: 'Order.Placed', properties: [] }, 400, 'invalid_parameter'],
    ['a name with a space', { name: 'order placed', properties: [] }, 400, 'invalid_parameter'],
    ['a name too long', { name: `a${'b'.repeat(64)}`, properties: [] }, 400, 'invalid_parameter'],
    ['a camelCase property', { name: 'x.m', properties: [{ name: 'orderId', type: 'string', role: 'dimension' }] }, 400, 'invalid_parameter'],
    ['51 properties', { name: 'x.m', properties: Array.from({ length: 51 }, (_, i) => ({ name: `p${i}`, type: 'string', role: 'dimension' })) }, 400, 'invalid_parameter'],
    ['an unknown type', { name: 'x.m', properties: [{ name: 'a', type: 'date', role: 'dimension' }] }, 400, 'invalid_parameter'],
    ['a cap of 0', { name: 'x.m', properties: [{ name: 'a', type: 'string', role: 'dimension', cardinality_cap: 0 }] }, 400, 'invalid_parameter'],
    ['an unknown field', { name: 'x.m', properties: [], owner: 'me' }, 400, 'invalid_parameter'],
  ];
  for (const [what, body, status, code] of cases) {
    const res = await post(body);
    assert.equal(res.statusCode, status, `${what}: ${res.body}`);
    assert.equal(res.json().code, code, what);
  }
  assert.equal((await post({ name: 'x.currency', properties: [
    { name: 'pnl', type: 'number', role: 'measure', unit: 'minor_units' }, { name: 'currency', type: 'string', role: 'dimension' },
    { name: 'fee', type: 'number', role: 'measure', unit: 'minor_units:XOF' },
  ] })).statusCode, 201, 'minor_units with a currency dimension, and of a named currency');
  const names = (await get('/api/v1/custom-events')).json().items.map((d: { name: string }) => d.name);
  assert.ok(!names.includes('x.dup') && !names.includes('x.m'));
});

test('events:define writes; analytics:view reads; a merchant\'s token sees no definition; others are refused', async () => {
  const viewer = bearer(await mintToken({ sub: 'viewer', roles: ['analytics:view'] }));
  assert.equal((await get('/api/v1/custom-events', viewer)).statusCode, 200);
  assert.equal((await get('/api/v1/custom-events/order.placed', viewer)).statusCode, 200);
  const denied = await post({ name: 'viewer.event', properties: [] }, viewer);
  assert.equal(denied.statusCode, 403);
  assert.equal(denied.json().code, 'forbidden');

  const definer = bearer(await mintToken({ sub: 'definer', permissions: ['events:define'] }));
  const made = await post({ name: 'definer.event', properties: [] }, definer);
  assert.equal(made.statusCode, 201);
  assert.equal(made.json().created_by, 'definer');
  assert.equal((await get('/api/v1/custom-events', definer)).statusCode, 403, 'defining is not reading');

  const writer = bearer(await mintToken({ roles: ['events:write'] }));
  assert.equal((await get('/api/v1/custom-events', writer)).statusCode, 403);
  assert.equal((await post({ name: 'w.e', properties: [] }, writer)).statusCode, 403);

  const merchant = bearer(await mintToken({ roles: ['merchant_admin'], merchantId: 'm_sn' }));
  const list = await get('/api/v1/custom-events', merchant);
  assert.equal(list.statusCode, 200);
  assert.deepEqual(list.json().items, []);
  const one = await get('/api/v1/custom-events/order.placed', merchant);
  assert.equal(one.statusCode, 404);
  assert.equal(one.json().code, 'not_found');
  const merchantDefine = await post({ name: 'm.e', properties: [] }, bearer(await mintToken({ roles: ['analytics:ops'], merchantId: 'm_sn' })));
  assert.equal(merchantDefine.statusCode, 403, 'ops roles grant nothing to a merchant token');
});

test('concurrent versions of one name get distinct numbers', async () => {
  const bodies = Array.from({ length: 5 }, (_, i) => ({ name: 'balance.updated', description: `v${i}`, properties: [] }));
  const answers = await Promise.all(bodies.map((b) => post(b)));
  assert.deepEqual(answers.map((a) => a.statusCode), [201, 201, 201, 201, 201]);
  assert.deepEqual(answers.map((a) => a.json().version).sort(), [1, 2, 3, 4, 5]);
});
