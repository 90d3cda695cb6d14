// The merchant area turns a typed refund amount into minor units with the currency's exponent:
// it must be the server's ISO 4217 exponent (src/reference/currencies.ts), not Intl's (CLDR),
// which says 0 decimals for COP, HUF, IDR, IQD, MGA, PKR, … where ISO 4217 says 2 or 3: a
// refund typed as 1000 COP would otherwise be sent as 1000 minor units, 10.00 COP.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CURRENCY_CODES, currencyExponent as serverExponent } from '../../src/reference/currencies.ts';
import { currencyExponent, fromMinor, toMinor } from '../../web/src/merchant-api.ts';

test('the web\'s minor-unit exponent is the server\'s, for every currency', () => {
  const differ = CURRENCY_CODES.filter((c) => currencyExponent(c) !== serverExponent(c)).map((c) => `${c}: web ${currencyExponent(c)}, server ${serverExponent(c)}`);
  assert.deepEqual(differ, []);
});

test('a typed amount in minor units as the server reads them', () => {
  assert.equal(toMinor('1000.00', 'COP'), 100_000);
  assert.equal(toMinor('1000.5', 'MGA'), 100_050);
  assert.equal(toMinor('2.125', 'IQD'), 2125);
  assert.equal(toMinor('5000', 'XOF'), 5000);
  assert.equal(toMinor('12.5', 'XOF'), null);
  assert.equal(fromMinor(100_050, 'MGA'), '1000.50');
});
