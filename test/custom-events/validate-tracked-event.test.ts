// A tracked event against its definition: each refusal with its code (and the property it names),
// an undefined type kept but not aggregated, declared properties split into dimensions and
// measures, undeclared ones kept and listed.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeDefinition } from '../../src/custom-events/definition.ts';
import { TRACK_LIMITS, TRACK_REJECTION_DOCS, validateTrackedEvent, type TrackDefinition } from '../../src/custom-events/validate-tracked-event.ts';

const filled: TrackDefinition = {
  version: 3,
  ...normalizeDefinition({
    name: 'order.filled',
    properties: [
      { name: 'symbol', type: 'string', role: 'dimension' },
      { name: 'is_maker', type: 'boolean', role: 'dimension' },
      { name: 'fill_price', type: 'number', role: 'measure', unit: 'price' },
      { name: 'fill_latency_ms', type: 'number', role: 'measure', unit: 'ms' },
      { name: 'level', type: 'number', role: 'dimension', cardinality_cap: 10 },
    ],
  }),
};

test('a defined event: its dimensions and measures split out, undeclared properties listed, absent ones absent', () => {
  const r = validateTrackedEvent(filled, {
    event_type: 'order.filled',
    properties: { symbol: 'BTC-USDT', is_maker: false, fill_price: 97_000.5, level: 2, fill_latency_ms: null, order_id: 'o-1', venueLatency: 3 },
  });
  assert.deepEqual(r, {
    ok: true, aggregate: true, version: 3,
    dimensions: { symbol: 'BTC-USDT', is_maker: false, level: 2 },
    measures: { fill_price: 97_000.5 },
    undeclared: ['order_id', 'venueLatency'],
  });
  assert.deepEqual(validateTrackedEvent(filled, { event_type: 'order.filled' }), { ok: true, aggregate: true, version: 3, dimensions: {}, measures: {}, undeclared: [] });
});

test('an event of an undefined type is kept and countable, its properties not aggregated', () => {
  assert.deepEqual(validateTrackedEvent(null, { event_type: 'order.amended', properties: { anything: 'goes', n: 1 } }), { ok: true, aggregate: false, reason: 'undefined_event_type' });
});

test('each refusal has its code and names the property', () => {
  const cases: [string, Parameters<typeof validateTrackedEvent>[1], string, string?][] = [
    ['uppercase type', { event_type: 'Order.Filled' }, 'invalid_event_type'],
    ['empty type', { event_type: '' }, 'invalid_event_type'],
    ['type too long', { event_type: `a${'b'.repeat(64)}` }, 'invalid_event_type'],
    ['too many properties', { event_type: 'order.filled', properties: Object.fromEntries(Array.from({ length: TRACK_LIMITS.properties + 1 }, (_, i) => [`p${i}`, i])) }, 'too_many_properties'],
    ['empty key', { event_type: 'order.filled', properties: { '': 1 } }, 'invalid_property_key', ''],
    ['key too long', { event_type: 'order.filled', properties: { ['k'.repeat(65)]: 1 } }, 'invalid_property_key', 'k'.repeat(64)],
    ['nested object', { event_type: 'order.filled', properties: { meta: { a: 1 } } }, 'invalid_property_value', 'meta'],
    ['array', { event_type: 'order.filled', properties: { tags: ['a'] } }, 'invalid_property_value', 'tags'],
    ['NaN', { event_type: 'order.filled', properties: { fill_price: Number.NaN } }, 'invalid_property_value', 'fill_price'],
    ['Infinity', { event_type: 'order.filled', properties: { x: Number.POSITIVE_INFINITY } }, 'invalid_property_value', 'x'],
    ['long string', { event_type: 'order.filled', properties: { symbol: 's'.repeat(TRACK_LIMITS.valueLength + 1) } }, 'property_value_too_long', 'symbol'],
    ['measure as a string', { event_type: 'order.filled', properties: { fill_price: '97000.5' } }, 'property_type_mismatch', 'fill_price'],
    ['boolean dimension as a string', { event_type: 'order.filled', properties: { is_maker: 'true' } }, 'property_type_mismatch', 'is_maker'],
    ['string dimension as a number', { event_type: 'order.filled', properties: { symbol: 42 } }, 'property_type_mismatch', 'symbol'],
  ];
  const seen = new Set<string>();
  for (const [what, event, code, property] of cases) {
    const r = validateTrackedEvent(event.event_type === 'order.filled' ? filled : null, event);
    assert.equal(r.ok, false, what);
    if (r.ok) continue;
    assert.equal(r.code, code, what);
    assert.equal(r.property, property, what);
    assert.ok(r.message.length > 0);
    seen.add(r.code);
  }
  assert.deepEqual([...seen].sort(), Object.keys(TRACK_REJECTION_DOCS).sort(), 'every code is exercised');
  // The bounds hold for undefined types too.
  const r = validateTrackedEvent(null, { event_type: 'x.y', properties: { meta: { a: 1 } } });
  assert.equal(r.ok ? null : r.code, 'invalid_property_value');
  // At the bounds: accepted.
  assert.equal(validateTrackedEvent(filled, { event_type: 'order.filled', properties: { symbol: 's'.repeat(TRACK_LIMITS.valueLength), ['k'.repeat(64)]: true } }).ok, true);
});
