// The dashboard's formatters (web/src/format.ts) as the screens use them: money with the
// currency's own symbol in both languages, the short form of large amounts, the change badge's
// "new" and its cap, and the one date format.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  formatChange, formatDate, formatDateTime, formatMoney, formatMoneyCompact, formatTime, formatUsdShort,
} from '../../web/src/format.ts';

// Intl separates groups and symbols with (narrow) no-break spaces: compare with plain spaces.
const plain = (s: string) => s.replace(/[\u202f\u00a0]/g, ' ');

test('naira is written ₦ in English and in French, never NGN', () => {
  assert.equal(formatMoney('780752661.56', 'NGN', 'en'), '₦780,752,661.56');
  assert.equal(plain(formatMoney('780752661.56', 'NGN', 'fr')), '780 752 661,56 ₦');
});

test('CFA francs read FCFA, a dollar keeps an unambiguous symbol', () => {
  assert.equal(plain(formatMoney('1234567', 'XOF', 'fr')), '1 234 567 FCFA');
  assert.equal(plain(formatMoney('1234567', 'XOF', 'en')), 'FCFA 1,234,567');
  assert.equal(plain(formatMoney('12.5', 'USD', 'fr')), '12,50 $US');
  assert.equal(formatMoney('12.5', 'CAD', 'en'), 'CA$12.50');
  assert.equal(formatMoney('not a number', 'XOF', 'en'), '—');
});

test('large amounts in short form, small ones in full', () => {
  assert.equal(plain(formatMoneyCompact('780752661', 'XOF', 'fr')), '780,8 M FCFA');
  assert.equal(formatMoneyCompact('780752661.56', 'NGN', 'en'), '₦780.8M');
  assert.equal(formatMoneyCompact('950000', 'NGN', 'en'), '₦950,000.00');
  assert.equal(formatUsdShort(780752661.56, 'en'), '$780.8M');
  assert.equal(formatUsdShort(1234.5, 'en'), '$1,234.50');
});

test('a change from nothing is "new", an absurd one is capped at 999%', () => {
  assert.equal(formatChange(null, 'en', { previous: 0, current: 120 }), 'new');
  assert.equal(formatChange(null, 'fr', { previous: 0, current: 120 }), 'nouveau');
  assert.equal(formatChange(45491.471, 'en', { previous: 0.01, current: 455 }), '↑ >999%');
  assert.equal(plain(formatChange(-0.125, 'fr', { previous: 8, current: 7 })), '↓ 12,5 %');
  assert.equal(formatChange(0.125, 'en'), '↑ 12.5%');
  assert.equal(formatChange(null, 'en', { previous: 0, current: 0 }), '—');
});

test('one date format: medium date, short time, in the view\'s zone', () => {
  const at = '2026-12-04T05:17:00Z';
  assert.equal(formatDate(at, 'en', 'UTC'), 'Dec 4, 2026');
  assert.equal(formatDateTime(at, 'en', 'Africa/Lagos'), 'Dec 4, 2026, 6:17 AM');
  assert.equal(plain(formatDateTime(at, 'fr', 'Africa/Dakar')), '4 déc. 2026, 05:17');
  assert.equal(formatTime(Date.parse(at), 'en', 'UTC'), '5:17 AM');
});
