import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import {
  REJECTION_CODES, type NormalizedEvent, type ParseContext, type ParseResult, type RejectionCode,
} from '../../src/events/contract.ts';
import { parseEvent, parseEventLine } from '../../src/events/parse-event.ts';
import { MAX_EVENT_CHARS, MAX_NESTING, nestingDepth } from '../../src/events/event-text.ts';

const NOW = Date.parse('2024-05-03T00:00:00Z');
const DAY = 86_400_000;
const ctx: ParseContext = { now: NOW, maxFutureMs: 5 * 60_000, minOccurredAt: NOW - 400 * DAY };

const base = {
  event_id: 'evt_1', type: 'wallet_txn_created', occurred_at: '2024-05-01T09:30:00Z',
  txn_id: 'txn_1', merchant_id: 'mer_1', amount: '15000', currency: 'XOF', country: 'SN',
  status: 'pending',
};
const payout = {
  event_id: 'evt_2', type: 'payout_created', occurred_at: '2024-05-01T09:30:00Z',
  payout_id: 'po_1', merchant_id: 'mer_1', amount: '100.00', currency: 'GHS', country: 'GH',
};

/** Collects every rejection code the tests below produce. */
const seen = new Set<RejectionCode>();

function accept(input: unknown): NormalizedEvent {
  const r = parseEvent(input, ctx);
  assert.ok(r.ok, `expected ok, got ${r.ok ? '' : `${r.code}: ${r.message}`}`);
  return r.event;
}
function check(r: ParseResult, code: RejectionCode, field?: string): void {
  assert.ok(!r.ok, `expected ${code}, got ok`);
  assert.equal(r.code, code, r.message);
  if (field !== undefined) assert.equal(r.field, field);
  if (r.field !== undefined) assert.ok(r.message.includes(r.field), r.message);
  assert.match(r.message, /^[\w "].*\.$/);
  seen.add(r.code);
}
const reject = (input: unknown, code: RejectionCode, field?: string) => check(parseEvent(input, ctx), code, field);
const withField = (over: Record<string, unknown>, from: object = base) => ({ ...from, ...over });

test('a valid payment is normalised', () => {
  const ev = accept({
    ...base, fee: '150', city: '  Dakar ', payment_method: 'wallet', provider: 'wave', customer_id: 'c1',
    metadata: { a: 1 }, extra: 'ignored',
  });
  assert.deepEqual(ev, {
    eventId: 'evt_1', type: 'wallet_txn_created', occurredAt: Date.parse('2024-05-01T09:30:00Z'), offsetMinutes: 0,
    entityId: 'txn_1', txnId: 'txn_1', merchantId: 'mer_1', amountMinor: 15000n, feeMinor: 150n, currency: 'XOF',
    country: 'SN', city: 'Dakar', paymentMethod: 'wallet', provider: 'wave', status: 'pending', failureReason: null,
    customerId: 'c1', reason: null, metadata: '{"a":1}',
  });
});

test('entity and txn ids per type', () => {
  const refund = accept({ ...base, type: 'refund_created', refund_id: 'ref_1', status: 'bogus' });
  assert.deepEqual([refund.entityId, refund.txnId, refund.status], ['ref_1', 'txn_1', null]);
  const dispute = accept({ ...base, type: 'dispute_created', dispute_id: 'd_1', reason: 'fraud' });
  assert.deepEqual([dispute.entityId, dispute.txnId, dispute.reason], ['d_1', 'txn_1', 'fraud']);
  const po = accept({ ...payout, type: 'payout.settled', fee: 'not read', city: 'Accra' });
  assert.deepEqual([po.entityId, po.txnId, po.amountMinor, po.feeMinor, po.city], ['po_1', null, 10000n, 0n, null]);
  reject({ ...base, type: 'refund_created' }, 'missing_field', 'refund_id');
  reject(withField({ txn_id: undefined }, { ...base, type: 'dispute_created', dispute_id: 'd' }), 'missing_field', 'txn_id');
  reject(withField({ payout_id: '' }, payout), 'missing_field', 'payout_id');
});

test('status: required on created, implied by the others, never contradicted', () => {
  reject(withField({ status: undefined }), 'missing_field', 'status');
  reject(withField({ status: '' }), 'missing_field', 'status');
  reject(withField({ status: 'done' }), 'invalid_field', 'status');
  reject(withField({ status: 1 }), 'invalid_field', 'status');
  assert.equal(accept(withField({ status: 'succeeded' })).status, 'succeeded');
  assert.equal(accept(withField({ type: 'wallet_txn_succeeded', status: undefined })).status, 'succeeded');
  assert.equal(accept(withField({ type: 'invoice.paid', status: null })).status, 'succeeded');
  assert.equal(accept(withField({ type: 'wallet_txn_failed', status: 'failed' })).status, 'failed');
  reject(withField({ type: 'invoice.paid', status: 'failed' }), 'invalid_field', 'status');
  reject(withField({ type: 'wallet_txn_failed', status: 'pending' }), 'invalid_field', 'status');
});

test('amounts are exact to the currency exponent', () => {
  assert.equal(accept(withField({ amount: 19.99, currency: 'USD' })).amountMinor, 1999n);
  assert.equal(accept(withField({ amount: '1.234', currency: 'KWD', country: 'KW' })).amountMinor, 1234n);
  assert.equal(accept(withField({ amount: '150.00' })).amountMinor, 150n);
  assert.equal(accept(withField({ amount: '1000000000000000' })).amountMinor, 10n ** 15n);
  reject(withField({ amount: '150.5' }), 'amount_precision', 'amount');
  reject(withField({ amount: '1.2345', currency: 'KWD' }), 'amount_precision', 'amount');
  reject(withField({ amount: '1000000000000001' }), 'invalid_amount', 'amount');
  reject(withField({ amount: '-5' }), 'invalid_amount', 'amount');
  reject(withField({ amount: -5 }), 'invalid_amount', 'amount');
  reject(withField({ amount: '1e3' }), 'invalid_amount', 'amount');
  reject(withField({ amount: true }), 'invalid_field', 'amount');
  reject(withField({ amount: null }), 'missing_field', 'amount');
  assert.equal(accept(withField({ fee: '' })).feeMinor, 0n);
  reject(withField({ fee: '1.5' }), 'amount_precision', 'fee');
  reject(withField({ fee: { v: 1 } }), 'invalid_field', 'fee');
});

test('currency and country are uppercase ISO codes', () => {
  for (const currency of ['xof', 'ZZZ', 'XO', 'XOFF', 'constructor', '__proto__']) {
    reject(withField({ currency }), 'unknown_currency', 'currency');
  }
  for (const country of ['sn', 'XX', 'SEN', 'toString', '__proto__']) {
    reject(withField({ country }), 'unknown_country', 'country');
  }
  reject(withField({ currency: 952 }), 'invalid_field', 'currency');
  reject(withField({ country: undefined }), 'missing_field', 'country');
});

test('ids, text fields and metadata', () => {
  reject(withField({ event_id: '' }), 'missing_field', 'event_id');
  reject(withField({ event_id: 'x'.repeat(129) }), 'invalid_field', 'event_id');
  assert.equal(accept(withField({ event_id: 'x'.repeat(128) })).eventId.length, 128);
  reject(withField({ merchant_id: 42 }), 'invalid_field', 'merchant_id');
  assert.equal(accept(withField({ city: '   ' })).city, null);
  assert.equal(accept(withField({ city: ` ${'é'.repeat(100)} ` })).city, 'é'.repeat(100));
  reject(withField({ city: 'x'.repeat(101) }), 'invalid_field', 'city');
  assert.equal(accept(withField({ payment_method: 'mobile_money2' })).paymentMethod, 'mobile_money2');
  for (const payment_method of ['Card', '2fa', '_x', 'card-1', 'x'.repeat(33), 7]) {
    reject(withField({ payment_method }), 'invalid_field', 'payment_method');
  }
  reject(withField({ provider: 'p'.repeat(65) }), 'invalid_field', 'provider');
  reject(withField({ failure_reason: 'r'.repeat(129) }), 'invalid_field', 'failure_reason');
  reject(withField({ customer_id: ['c'] }), 'invalid_field', 'customer_id');
  reject({ ...base, type: 'dispute_created', dispute_id: 'd', reason: 'r'.repeat(257) }, 'invalid_field', 'reason');
  assert.equal(accept(withField({ metadata: {} })).metadata, '{}');
  assert.equal(accept(withField({ metadata: '' })).metadata, null);
  for (const metadata of [[1], 'text', 3, { big: 'x'.repeat(4090) }]) {
    reject(withField({ metadata }), 'invalid_field', 'metadata');
  }
});

test('structural rejections', () => {
  check(parseEventLine('{"event_id": ', ctx), 'invalid_json');
  check(parseEventLine('', ctx), 'invalid_json');
  for (const input of [null, [], [base], 'evt', 42, true]) reject(input, 'invalid_event');
  reject(withField({ type: 'wallet_txn_refunded' }), 'unknown_type', 'type');
  reject(withField({ type: 'constructor' }), 'unknown_type', 'type');
  reject(withField({ type: undefined }), 'missing_field', 'type');
  reject(withField({ type: 3 }), 'invalid_field', 'type');
  assert.ok(parseEventLine(JSON.stringify(base), ctx).ok);
});

test('bounds of one event\'s text: size, then nesting depth, before it is decoded', () => {
  const line = JSON.stringify({ ...base, metadata: { note: 'x'.repeat(100) } });
  assert.ok(parseEventLine(line, ctx).ok);
  // Padding with spaces keeps it valid JSON: only the size refuses it.
  check(parseEventLine(line + ' '.repeat(MAX_EVENT_CHARS - line.length + 1), ctx), 'event_too_large');
  assert.ok(parseEventLine(line + ' '.repeat(MAX_EVENT_CHARS - line.length), ctx).ok);
  const nested = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`;
  // The event is level 1, metadata level 2: MAX_NESTING levels in all are accepted.
  const deepMeta = (levels: number) => `{"deep":${nested(levels - 2)}}`;
  const withMeta = (meta: string) => `${JSON.stringify(base).slice(0, -1)},"fee":"0","metadata":${meta}}`;
  assert.ok(parseEventLine(withMeta(deepMeta(MAX_NESTING)), ctx).ok);
  check(parseEventLine(withMeta(deepMeta(MAX_NESTING + 1)), ctx), 'too_deeply_nested');
  // 10,000 levels in 20 KB: refused without recursing (a recursive walk would overflow the stack).
  check(parseEventLine(nested(10_000), ctx), 'too_deeply_nested');
  check(parseEventLine(`{"a":${'{"a":'.repeat(9_999)}1${'}'.repeat(10_000)}`, ctx), 'too_deeply_nested');
  // Brackets inside strings are text, not nesting.
  assert.ok(parseEventLine(JSON.stringify({ ...base, txn_id: '[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{"\\' }), ctx).ok);
  assert.equal(nestingDepth('{"a":"\\"}'), 1);
  assert.equal(nestingDepth('{"a":"\\\"[[["}'), 1);
});

test('every string field is valid Unicode text without NUL or U+FEFF: refused, never repaired', () => {
  const fields: Array<[string, Record<string, unknown>]> = [
    ['event_id', base], ['txn_id', base], ['merchant_id', base], ['city', base], ['provider', base],
    ['failure_reason', base], ['customer_id', base], ['payout_id', payout],
    ['reason', { ...base, type: 'dispute_created', dispute_id: 'd_1' }],
  ];
  for (const [field, event] of fields) {
    for (const bad of ['x_\ud800', '\udc00x', 'a\udbff\udbffb', 'nul\u0000', '\ufeffbom', 'mid\ufeffdle']) {
      reject({ ...event, [field]: bad }, 'invalid_field', field);
    }
    for (const good of ['x_\ud83d\ude00', 'Lome\u0301', 'Saint-Louis \u{1F1F8}\u{1F1F3}', 'tab\there']) {
      const r = parseEvent({ ...event, [field]: good }, ctx);
      assert.ok(r.ok, `${field}=${JSON.stringify(good)}: ${r.ok ? '' : r.message}`);
    }
  }
  // Also when the escape arrives as JSON text.
  check(parseEventLine(JSON.stringify(base).replace('"evt_1"', '"x_\\ud800"'), ctx), 'invalid_field', 'event_id');
});

test('timestamps: RFC 3339 with an offset, possible dates only', () => {
  const at = (occurred_at: unknown) => parseEvent(withField({ occurred_at }), ctx);
  const ms = (s: string) => { const r = at(s); assert.ok(r.ok, s); return [r.event.occurredAt, r.event.offsetMinutes]; };
  assert.deepEqual(ms('2024-02-29T00:00:00Z'), [Date.parse('2024-02-29T00:00:00Z'), 0]);
  assert.deepEqual(ms('2024-05-01T15:15:00+05:45'), [Date.parse('2024-05-01T09:30:00Z'), 345]);
  assert.deepEqual(ms('2024-05-01T06:00:00-03:30'), [Date.parse('2024-05-01T09:30:00Z'), -210]);
  assert.deepEqual(ms('2024-05-01T09:30:00.123999Z'), [Date.parse('2024-05-01T09:30:00.123Z'), 0]);
  assert.deepEqual(ms('2024-05-01T09:30:00.5Z'), [Date.parse('2024-05-01T09:30:00.500Z'), 0]);
  assert.deepEqual(ms('2024-05-01t09:30:00z'), [Date.parse('2024-05-01T09:30:00Z'), 0]);
  assert.deepEqual(ms('2024-05-01 09:30:00-00:00'), [Date.parse('2024-05-01T09:30:00Z'), 0]);
  for (const bad of [
    '2023-02-29T00:00:00Z', '2024-02-30T00:00:00Z', '2024-04-31T00:00:00Z', '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z', '2024-01-00T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T10:60:00Z',
    '2024-01-01T10:00:60Z', '2024-01-01T10:00:00', '2024-01-01T10:00:00+0100', '2024-01-01T10:00:00+24:00',
    '2024-01-01T10:00:00.Z', '2024-1-01T10:00:00Z', '2024-01-01T10:00Z', '2024-01-01', '2024-01-01T10:00:00Zx',
    '2024-01-01X10:00:00Z', ' 2024-01-01T10:00:00Z', '２０２４-01-01T10:00:00Z',
  ]) check(at(bad), 'invalid_timestamp', 'occurred_at');
  check(at(1714555800000), 'invalid_field', 'occurred_at');
  check(at('1900-02-29T00:00:00Z'), 'invalid_timestamp');
  check(at('2000-02-29T00:00:00Z'), 'beyond_retention'); // a possible date, but too old here
});

test('property: any instant and offset round-trips through occurred_at', () => {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  fc.assert(
    fc.property(
      fc.integer({ min: Date.parse('0001-01-02T00:00:00Z'), max: Date.parse('9999-12-30T00:00:00Z') }),
      fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }),
      (instant, offset) => {
        const d = new Date(instant + offset * 60_000); // local wall clock, read through UTC getters
        const sign = offset < 0 ? '-' : '+';
        const text = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}T${pad(d.getUTCHours())}:`
          + `${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)}`
          + `${sign}${pad(Math.floor(Math.abs(offset) / 60))}:${pad(Math.abs(offset) % 60)}`;
        const r = parseEvent(withField({ occurred_at: text }), { ...ctx, now: Infinity, minOccurredAt: -Infinity });
        assert.ok(r.ok, text);
        assert.equal(r.event.occurredAt, instant, text);
        assert.equal(r.event.offsetMinutes, offset);
      },
    ),
  );
});

test('time window: future skew and retention', () => {
  const iso = (t: number) => new Date(t).toISOString();
  assert.ok(parseEvent(withField({ occurred_at: iso(NOW + ctx.maxFutureMs) }), ctx).ok);
  reject(withField({ occurred_at: iso(NOW + ctx.maxFutureMs + 1) }), 'future_timestamp', 'occurred_at');
  assert.ok(parseEvent(withField({ occurred_at: iso(ctx.minOccurredAt) }), ctx).ok);
  reject(withField({ occurred_at: iso(ctx.minOccurredAt - 1) }), 'beyond_retention', 'occurred_at');
  // The window is checked last: an otherwise invalid old event reports its real fault.
  reject(withField({ occurred_at: iso(ctx.minOccurredAt - 1), amount: '1.5' }), 'amount_precision');
});

test('__proto__ and friends pollute nothing', () => {
  const hostile = '{"__proto__":{"polluted":1,"merchant_id":"evil"},"constructor":{"prototype":{"polluted":1}},';
  const line = JSON.stringify(base).replace('{', hostile);
  const r = parseEventLine(line, ctx);
  assert.ok(r.ok);
  assert.equal(r.event.merchantId, 'mer_1');
  const withMeta = '{"__proto__":{"polluted":1},"nested":{"__proto__":{"polluted":1}}}';
  const m = parseEventLine(JSON.stringify(base).replace('}', `,"metadata":${withMeta}}`), ctx);
  assert.ok(m.ok);
  assert.equal(m.event.metadata, withMeta);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(!('polluted' in Object.prototype));
  const proto = Object.prototype as Record<string, unknown>;
  try { // A prototype polluted elsewhere must not supply missing fields.
    proto.merchant_id = 'evil';
    proto.status = 'pending';
    const { merchant_id: _m, status: _s, ...lacking } = base;
    assert.equal((lacking as Record<string, unknown>).merchant_id, 'evil');
    reject(lacking, 'missing_field', 'merchant_id');
    reject({ ...lacking, merchant_id: 'mer_1' }, 'missing_field', 'status');
  } finally {
    delete proto.merchant_id;
    delete proto.status;
  }
});

test('the input is not modified', () => {
  const input = { ...base, city: ' Dakar ', metadata: { a: [1] } };
  const copy = structuredClone(input);
  accept(input);
  assert.deepEqual(input, copy);
});

const docExamples = [...readFileSync(new URL('../../docs/events.md', import.meta.url), 'utf8')
  .matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]) as Record<string, unknown>);
const validate = new Ajv2020({ allErrors: true }).compile(
  JSON.parse(readFileSync(new URL('../../docs/event.schema.json', import.meta.url), 'utf8')),
);

test('docs/events.md examples: one per type, all accepted by the parser and the schema', () => {
  assert.deepEqual(new Set(docExamples.map((e) => e.type)).size, 8);
  for (const example of docExamples) {
    assert.ok(parseEvent(example, ctx).ok, JSON.stringify(example));
    assert.ok(validate(example), `${JSON.stringify(example)}: ${JSON.stringify(validate.errors)}`);
  }
});

test('the schema rejects structurally bad events, as the parser does', () => {
  const [created] = docExamples;
  const bad: Array<[Record<string, unknown>, RejectionCode]> = [
    [{ ...created, merchant_id: undefined }, 'missing_field'],
    [{ ...created, status: undefined }, 'missing_field'],
    [{ ...payout, payout_id: '' }, 'missing_field'],
    [{ ...created, type: 'wallet_txn_refunded' }, 'unknown_type'],
    [{ ...created, amount: -1 }, 'invalid_amount'],
    [{ ...created, amount: '1e3' }, 'invalid_amount'],
    [{ ...created, currency: 'xof' }, 'unknown_currency'],
    [{ ...created, country: 'Senegal' }, 'unknown_country'],
    [{ ...created, occurred_at: '2024-05-01T09:30:00' }, 'invalid_timestamp'],
    [{ ...created, type: 'invoice.paid', status: 'failed' }, 'invalid_field'],
    [{ ...created, payment_method: 'Card' }, 'invalid_field'],
    [{ ...created, metadata: [1] }, 'invalid_field'],
  ];
  for (const [event, code] of bad) {
    const input = JSON.parse(JSON.stringify(event)); // drops the undefined fields
    assert.equal(validate(input), false, JSON.stringify(input));
    reject(input, code);
  }
});

test('every parser rejection code is exercised (dedupe and framing have their own)', () => {
  const elsewhere = new Set(['duplicate_conflict', 'invalid_encoding', 'invalid_csv']);
  assert.deepEqual([...seen].sort(), REJECTION_CODES.filter((c) => !elsewhere.has(c)).sort());
});
