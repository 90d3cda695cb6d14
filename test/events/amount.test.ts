import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { formatMinor, parseAmount } from '../../src/events/amount.ts';

const code = (r: unknown): string | undefined =>
  typeof r === 'object' && r !== null ? (r as { code: string }).code : undefined;

test('decimal strings become exact minor units', () => {
  assert.equal(parseAmount('150', 0), 150n);
  assert.equal(parseAmount('150.50', 2), 15050n);
  assert.equal(parseAmount('150.5', 2), 15050n);
  assert.equal(parseAmount('0', 2), 0n);
  assert.equal(parseAmount('0.05', 2), 5n);
  assert.equal(parseAmount('007', 0), 7n);
  assert.equal(parseAmount('1.234', 3), 1234n); // KWD
  assert.equal(parseAmount('12.5', 3), 12500n); // BHD
  assert.equal(parseAmount('1.2345', 4), 12345n); // CLF
});

test('never rounds: decimals beyond the exponent must be zeros', () => {
  assert.equal(code(parseAmount('150.5', 0)), 'amount_precision'); // XOF
  assert.equal(code(parseAmount('150.10', 0)), 'amount_precision');
  assert.equal(parseAmount('150.00', 0), 150n);
  assert.equal(parseAmount('150.000', 0), 150n);
  assert.equal(parseAmount('19.9900', 2), 1999n);
  assert.equal(code(parseAmount('1.2345', 3)), 'amount_precision'); // KWD
  assert.equal(code(parseAmount('0.001', 2)), 'amount_precision');
});

test('rejects anything but a plain non-negative decimal', () => {
  const notPlain = ['', '-5', '-0', '+5', '.5', '5.', '1e3', '1E3', ' 5', '5 ', '1,000', '0x10', 'abc', 'NaN', 'Infinity', '1.2.3', '٥'];
  for (const bad of notPlain) {
    assert.equal(code(parseAmount(bad, 2)), 'invalid_amount', JSON.stringify(bad));
  }
  for (const bad of [null, undefined, true, {}, [], 5n]) {
    assert.equal(code(parseAmount(bad, 2)), 'invalid_amount', String(bad));
  }
});

test('10^15 major units is the limit, in every exponent', () => {
  assert.equal(parseAmount('1000000000000000', 0), 10n ** 15n);
  assert.equal(parseAmount('1000000000000000.00', 2), 10n ** 17n);
  assert.equal(parseAmount('999999999999999.99', 2), 10n ** 17n - 1n);
  assert.equal(parseAmount('0001000000000000000', 0), 10n ** 15n);
  assert.equal(code(parseAmount('1000000000000001', 0)), 'invalid_amount');
  assert.equal(code(parseAmount('1000000000000000.01', 2)), 'invalid_amount');
  assert.equal(code(parseAmount('1000000000000000.001', 3)), 'invalid_amount');
  assert.equal(code(parseAmount('99999999999999999999', 0)), 'invalid_amount');
  assert.equal(parseAmount(1e15, 3), 10n ** 18n);
  assert.equal(code(parseAmount(1e15 + 1, 0)), 'invalid_amount');
});

test('JSON numbers go through their shortest decimal form', () => {
  assert.equal(parseAmount(19.99, 2), 1999n);
  assert.equal(parseAmount(150, 0), 150n);
  assert.equal(parseAmount(1e3, 0), 1000n);
  assert.equal(parseAmount(0.5, 2), 50n);
  assert.equal(parseAmount(-0, 2), 0n);
  assert.equal(parseAmount(1.5e-7, 8), 15n); // String(1.5e-7) is "1.5e-7": e-notation, handled exactly
  assert.equal(parseAmount(2.5e-6, 7), 25n);
  assert.equal(code(parseAmount(1e-7, 2)), 'amount_precision');
  assert.equal(code(parseAmount(1.5e-7, 0)), 'amount_precision');
  assert.equal(code(parseAmount(0.1 + 0.2, 2)), 'amount_precision'); // 0.30000000000000004
  assert.equal(code(parseAmount(150.5, 0)), 'amount_precision');
  assert.equal(code(parseAmount(-1, 2)), 'invalid_amount');
  assert.equal(code(parseAmount(Number.NaN, 2)), 'invalid_amount');
  assert.equal(code(parseAmount(Number.POSITIVE_INFINITY, 2)), 'invalid_amount');
  assert.equal(code(parseAmount(1e21, 2)), 'invalid_amount');
});

test('messages name the field', () => {
  const r = parseAmount('1.5', 0, 'fee');
  assert.equal(typeof r, 'object');
  assert.match((r as { message: string }).message, /^fee /);
});

test('formatMinor writes the exact decimal', () => {
  assert.equal(formatMinor(15050n, 2), '150.50');
  assert.equal(formatMinor(-5n, 2), '-0.05');
  assert.equal(formatMinor(0n, 2), '0.00');
  assert.equal(formatMinor(150n, 0), '150');
  assert.equal(formatMinor(-150n, 0), '-150');
  assert.equal(formatMinor(1234n, 3), '1.234');
  assert.equal(formatMinor(1n, 4), '0.0001');
  assert.equal(formatMinor(10n ** 17n, 2), '1000000000000000.00');
});

test('parse and format round-trip', () => {
  for (const [text, exp] of [['0.01', 2], ['150.50', 2], ['1.234', 3], ['987654321012345', 0], ['12.3456', 4]] as const) {
    const minor = parseAmount(text, exp);
    assert.equal(typeof minor, 'bigint');
    assert.equal(formatMinor(minor as bigint, exp), text);
  }
});

test('property: formatMinor then parseAmount is the identity up to 10^15 (and int64)', () => {
  const minorInRange = fc
    .integer({ min: 0, max: 4 })
    .chain((exp) => fc.tuple(fc.constant(exp), fc.bigInt({ min: 0n, max: [10n ** BigInt(15 + exp), 2n ** 63n - 1n].reduce((a, b) => (a < b ? a : b)) })));
  fc.assert(
    fc.property(minorInRange, ([exp, minor]) => {
      assert.equal(parseAmount(formatMinor(minor, exp), exp), minor);
    }),
  );
});

test('an amount whose minor units exceed int64 is rejected, not wrapped (CLF has 4 decimals)', async () => {
  const { parseAmount } = await import('../../src/events/amount.ts');
  const r = parseAmount('1000000000000000', 4);
  assert.equal(typeof r, 'object');
  assert.equal((r as { code: string }).code, 'invalid_amount');
  assert.equal(parseAmount('922337203685477.5807', 4), 9223372036854775807n);
});
