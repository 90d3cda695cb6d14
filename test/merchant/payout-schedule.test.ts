// The payout schedule's dates (src/merchant/payout-schedule.ts), in the merchant's time zone:
// daily, weekly anchors, monthly anchors with 29–31 falling back to a short month's last day
// (February 28, and 29 in a leap year), the hold counted back from the payout date.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DateTime } from 'luxon';
import { DEFAULT_SCHEDULE, heldFrom, nextPayoutDate, type PayoutScheduleInput } from '../../src/merchant/payout-schedule.ts';

const at = (s: string) => Date.parse(s);
const next = (o: Partial<PayoutScheduleInput>, now: string, zone = 'Africa/Dakar') => nextPayoutDate({ ...DEFAULT_SCHEDULE, ...o }, at(now), zone).date?.toISODate() ?? null;

test('daily: the next local day; manual: none', () => {
  assert.equal(next({ interval: 'daily' }, '2026-03-10T14:20:00Z'), '2026-03-11');
  assert.equal(next({ interval: 'manual' }, '2026-03-10T14:20:00Z'), null);
  // 14:20 UTC is already the 11th in Auckland (UTC+13).
  assert.equal(next({ interval: 'daily' }, '2026-03-10T14:20:00Z', 'Pacific/Auckland'), '2026-03-12');
  assert.equal(next({ interval: 'daily' }, '2026-03-10T02:00:00Z', 'America/New_York'), '2026-03-10');
});

test('weekly: the next anchor weekday after today (2026-03-10 is a Tuesday)', () => {
  assert.equal(next({ interval: 'weekly', weekly_anchor: 'wednesday' }, '2026-03-10T14:20:00Z'), '2026-03-11');
  assert.equal(next({ interval: 'weekly', weekly_anchor: 'tuesday' }, '2026-03-10T14:20:00Z'), '2026-03-17');
  assert.equal(next({ interval: 'weekly', weekly_anchor: 'monday' }, '2026-03-10T14:20:00Z'), '2026-03-16');
  assert.equal(next({ interval: 'weekly', weekly_anchor: 'sunday' }, '2026-03-10T14:20:00Z'), '2026-03-15');
});

test('monthly: the anchor day; 29–31 fall back to the month\'s last day', () => {
  assert.equal(next({ interval: 'monthly', monthly_anchor: 31 }, '2026-02-10T12:00:00Z'), '2026-02-28');
  assert.equal(next({ interval: 'monthly', monthly_anchor: 31 }, '2028-02-10T12:00:00Z'), '2028-02-29', 'leap year');
  assert.equal(next({ interval: 'monthly', monthly_anchor: 29 }, '2026-02-10T12:00:00Z'), '2026-02-28');
  assert.equal(next({ interval: 'monthly', monthly_anchor: 31 }, '2026-01-31T12:00:00Z'), '2026-02-28', 'paid today: the next month');
  assert.equal(next({ interval: 'monthly', monthly_anchor: 31 }, '2026-02-28T12:00:00Z'), '2026-03-31');
  assert.equal(next({ interval: 'monthly', monthly_anchor: 31 }, '2026-04-01T12:00:00Z'), '2026-04-30');
  assert.equal(next({ interval: 'monthly', monthly_anchor: 1 }, '2026-03-10T12:00:00Z'), '2026-04-01');
  assert.equal(next({ interval: 'monthly', monthly_anchor: 15 }, '2026-12-20T12:00:00Z'), '2027-01-15');
});

test('delay days: transactions captured from local midnight of the payout date less the delay are held', () => {
  const s = { ...DEFAULT_SCHEDULE, interval: 'daily' as const, delay_days: 2 };
  const { basis } = nextPayoutDate(s, at('2026-03-10T14:20:00Z'), 'Africa/Dakar');
  assert.equal(new Date(heldFrom(s, basis)).toISOString(), '2026-03-09T00:00:00.000Z');
  assert.equal(new Date(heldFrom({ ...s, delay_days: 0 }, basis)).toISOString(), '2026-03-11T00:00:00.000Z');
  const ny = nextPayoutDate({ ...s, delay_days: 7 }, at('2026-03-10T14:20:00Z'), 'America/New_York').basis;
  // 2026-03-04 00:00 in New York (EST, before the 8th's switch to summer time).
  assert.equal(new Date(heldFrom({ ...s, delay_days: 7 }, ny)).toISOString(), '2026-03-04T05:00:00.000Z');
});

test('property: the next date is the first day after today (local) that the rule names, in any zone', () => {
  const zones = ['Africa/Dakar', 'America/New_York', 'Pacific/Auckland', 'Asia/Kolkata', 'Europe/Paris', 'Pacific/Kiritimati'];
  const names = (s: PayoutScheduleInput, d: DateTime) => {
    if (s.interval === 'daily') return true;
    if (s.interval === 'weekly') return d.weekday === ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'].indexOf(s.weekly_anchor) + 1;
    return d.day === Math.min(s.monthly_anchor, d.daysInMonth!);
  };
  fc.assert(fc.property(
    fc.integer({ min: Date.UTC(2024, 0, 1), max: Date.UTC(2032, 0, 1) }), fc.constantFrom(...zones),
    fc.constantFrom('daily' as const, 'weekly' as const, 'monthly' as const),
    fc.constantFrom('monday' as const, 'wednesday' as const, 'sunday' as const), fc.integer({ min: 1, max: 31 }),
    (now, zone, interval, weekday, day) => {
      const s = { ...DEFAULT_SCHEDULE, interval, weekly_anchor: weekday, monthly_anchor: day };
      const date = nextPayoutDate(s, now, zone).date!;
      const today = DateTime.fromMillis(now, { zone }).startOf('day');
      assert.ok(date > today && names(s, date), `${date.toISODate()} after ${today.toISODate()}`);
      for (let d = today.plus({ days: 1 }); d < date; d = d.plus({ days: 1 })) assert.ok(!names(s, d), `${d.toISODate()} comes first`);
    },
  ), { numRuns: 300, seed: 137 });
});
