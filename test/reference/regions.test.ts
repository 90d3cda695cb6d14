import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { DEFAULT_REGIONS_FILE, loadRegions, regionOf } from '../../src/reference/regions.ts';
import { CURRENCY_CODES, PEGGED_TO_EUR, currencyCode, currencyExponent, currencyKey } from '../../src/reference/currencies.ts';
import { COUNTRY_CODES, countryCode, countryKey, countryName } from '../../src/reference/countries.ts';

const shipped = loadRegions(readFileSync(DEFAULT_REGIONS_FILE, 'utf8'));

test('the shipped table loads and places the main markets', () => {
  const expected: Record<string, string> = {
    SN: 'ECOWAS', CI: 'ECOWAS', NG: 'ECOWAS', GH: 'ECOWAS', ML: 'ECOWAS', BF: 'ECOWAS', NE: 'ECOWAS',
    CM: 'CEMAC', GA: 'CEMAC', KE: 'EAC', TZ: 'EAC', ZA: 'SADC', MA: 'NORTH_AFRICA', EG: 'NORTH_AFRICA',
    FR: 'EU', DE: 'EU', US: 'NORTH_AMERICA', MX: 'NORTH_AMERICA',
  };
  for (const [country, region] of Object.entries(expected)) assert.equal(regionOf(shipped, country), region, country);
  assert.equal(regionOf(shipped, 'JP'), 'OTHER');
  assert.equal(regionOf(shipped, 'GB'), 'OTHER');
  assert.equal(regionOf(shipped, 'ZZ'), 'OTHER');
  assert.equal(regionOf(shipped, '__proto__'), 'OTHER');
  assert.equal([...shipped.values()].filter((r) => r === 'EU').length, 27);
});

test('comments, blank lines, spaces and CRLF are tolerated', () => {
  const map = loadRegions('# zones\r\ncountry,region\r\n\r\n SN , ECOWAS \r\nKE,EAC\r\n');
  assert.deepEqual([...map], [['SN', 'ECOWAS'], ['KE', 'EAC']]);
});

test('a bad line is reported with its number', () => {
  const cases: Array<[string, RegExp]> = [
    ['country,region\nSN,ECOWAS\nXX,ECOWAS\n', /line 3.*"XX"/],
    ['country,region\nsn,ECOWAS\n', /line 2.*"sn"/],
    ['country,region\nSN,ecowas\n', /line 2.*region "ecowas"/],
    ['country,region\nSN,E\n', /line 2/],
    ['country,region\nSN,ECOWAS\nKE,EAC\nSN,SADC\n', /line 4.*SN.*twice/],
    ['country,region\nSN\n', /line 2/],
    ['country,region\nSN,ECOWAS,extra\n', /line 2/],
    ['SN,ECOWAS\n', /line 1.*header/],
    ['', /header/],
  ];
  for (const [text, message] of cases) assert.throws(() => loadRegions(text), message, JSON.stringify(text));
});

test('stored keys of the ISO tables never move (the tables are append-only)', () => {
  // If one of these fails, a code was inserted, removed or reordered: stored rows would decode wrongly.
  assert.deepEqual(['EUR', 'NGN', 'USD', 'XAF', 'XOF', 'ZWL'].map(currencyKey), [49, 104, 149, 160, 163, 169]);
  assert.deepEqual(['CI', 'SN', 'ZW'].map(countryKey), [44, 205, 249]);
  assert.ok(CURRENCY_CODES.length >= 169 && COUNTRY_CODES.length >= 249);
  assert.equal(currencyCode(163), 'XOF');
  assert.equal(countryCode(205), 'SN');
  assert.deepEqual([currencyKey('xof'), currencyCode(0), countryKey('__proto__'), countryCode(9999)], [0, '', 0, '']);
});

test('currency exponents and pegs', () => {
  const exps = { XOF: 0, XAF: 0, USD: 2, EUR: 2, NGN: 2, KWD: 3, BHD: 3, JPY: 0, UGX: 0, RWF: 0, GNF: 0, KMF: 0, CLF: 4 };
  for (const [code, exp] of Object.entries(exps)) assert.equal(currencyExponent(code), exp, code);
  assert.equal(currencyExponent('XAU'), undefined);
  assert.equal(new Set(CURRENCY_CODES).size, CURRENCY_CODES.length);
  assert.ok(CURRENCY_CODES.every((c) => /^[A-Z]{3}$/.test(c)));
  assert.deepEqual(PEGGED_TO_EUR, { XOF: 655.957, XAF: 655.957, KMF: 491.96775, CVE: 110.265 });
  assert.equal(new Set(COUNTRY_CODES).size, 249);
  assert.ok(COUNTRY_CODES.every((c) => /^[A-Z]{2}$/.test(c) && countryName(c) !== undefined));
  assert.equal(countryName('CI'), "Côte d'Ivoire");
});
