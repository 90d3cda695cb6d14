// A merchant's payout schedule (state table merchant_payout_schedules, migration 7): how often its
// balance is paid out (`manual`, `daily`, `weekly` on a weekday, `monthly` on a day of the month —
// 29 to 31 falling back to a shorter month's last day), how many days a captured transaction is
// held before it can be paid (delay_days), and the least amount worth a payout, per currency in
// its minor units. A merchant without a row has the defaults. A change is audited in its own
// transaction; the HTTP layer asks a recent sign-in first (src/auth/step-up.ts).
//
// Dates are the merchant's local dates (its time zone setting, merchant-settings.ts): the next
// payout date is the first scheduled date after today, there.

import { DateTime } from 'luxon';
import { AppError } from '../errors.ts';
import { currencyExponent } from '../reference/currencies.ts';
import type { Queryable, StateStore } from '../state-store/state-store.ts';
import { writeAudit } from './merchant-audit.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';

export const PAYOUT_INTERVALS = ['manual', 'daily', 'weekly', 'monthly'] as const;
export type PayoutInterval = (typeof PAYOUT_INTERVALS)[number];
/** ISO weekdays: monday = 1 … sunday = 7 (luxon's numbering). */
export const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'] as const;
export type Weekday = (typeof WEEKDAYS)[number];
export const MAX_DELAY_DAYS = 60;
/** The largest minimum amount, minor units (a safe integer, and the contract's amount bound). */
export const MAX_MINIMUM_MINOR = 1_000_000_000_000_000;

export interface PayoutScheduleInput {
  interval: PayoutInterval;
  weekly_anchor: Weekday;
  /** 1–31; a month without that day pays on its last day. */
  monthly_anchor: number;
  delay_days: number;
  /** Per currency (ISO 4217), in its minor units; a currency not named has no minimum. */
  minimum_amounts: Record<string, number>;
}

export interface PayoutSchedule extends PayoutScheduleInput {
  merchant_id: string;
  /** Null while the merchant has the defaults. */
  updated_at: string | null;
  updated_by: string | null;
}

export const DEFAULT_SCHEDULE: PayoutScheduleInput = Object.freeze({
  interval: 'daily', weekly_anchor: 'monday', monthly_anchor: 1, delay_days: 2, minimum_amounts: Object.freeze({}) as Record<string, number>,
});

interface ScheduleRow {
  payout_interval: PayoutInterval; weekly_anchor: Weekday; monthly_anchor: number; delay_days: number;
  minimum_amounts: Record<string, number>; updated_at: Date; updated_by: string;
}

const COLUMNS = 'payout_interval, weekly_anchor, monthly_anchor, delay_days, minimum_amounts, updated_at, updated_by';

function scheduleOf(merchantId: string, row: ScheduleRow | undefined): PayoutSchedule {
  if (!row) return { merchant_id: merchantId, ...DEFAULT_SCHEDULE, minimum_amounts: {}, updated_at: null, updated_by: null };
  return {
    merchant_id: merchantId, interval: row.payout_interval, weekly_anchor: row.weekly_anchor, monthly_anchor: Number(row.monthly_anchor),
    delay_days: Number(row.delay_days), minimum_amounts: row.minimum_amounts, updated_at: row.updated_at.toISOString(), updated_by: row.updated_by,
  };
}

export async function getPayoutSchedule(q: Queryable, merchantId: string): Promise<PayoutSchedule> {
  const [row] = await q.query<ScheduleRow>(`SELECT ${COLUMNS} FROM merchant_payout_schedules WHERE merchant_id = $1`, [merchantId]);
  return scheduleOf(merchantId, row);
}

/** What a change may hold beyond the body schema: known currencies, amounts in their bounds. */
function checkMinimums(minimums: Record<string, number>): void {
  for (const [code, minor] of Object.entries(minimums)) {
    if (currencyExponent(code) === undefined) throw new AppError('invalid_parameter', `minimum_amounts: ${JSON.stringify(code.slice(0, 8))} is not an ISO 4217 currency`);
    if (!Number.isSafeInteger(minor) || minor < 0 || minor > MAX_MINIMUM_MINOR) {
      throw new AppError('invalid_parameter', `minimum_amounts.${code} must be an integer of minor units, 0 to ${MAX_MINIMUM_MINOR}`);
    }
  }
}

/** Replaces the schedule (fields left out take the defaults); the change is audited with the previous schedule. */
export async function setPayoutSchedule(
  state: StateStore, scope: MerchantScope, origin: RequestOrigin, input: Partial<PayoutScheduleInput> & { interval: PayoutInterval }, now: number,
): Promise<PayoutSchedule> {
  const next: PayoutScheduleInput = { ...DEFAULT_SCHEDULE, ...input, minimum_amounts: { ...(input.minimum_amounts ?? {}) } };
  checkMinimums(next.minimum_amounts);
  return state.transaction(async (q) => {
    const [old] = await q.query<ScheduleRow>(`SELECT ${COLUMNS} FROM merchant_payout_schedules WHERE merchant_id = $1 FOR UPDATE`, [scope.merchantId]);
    const [row] = await q.query<ScheduleRow>(
      `INSERT INTO merchant_payout_schedules (merchant_id, payout_interval, weekly_anchor, monthly_anchor, delay_days, minimum_amounts, updated_at, updated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (merchant_id) DO UPDATE SET payout_interval = EXCLUDED.payout_interval, weekly_anchor = EXCLUDED.weekly_anchor,
         monthly_anchor = EXCLUDED.monthly_anchor, delay_days = EXCLUDED.delay_days, minimum_amounts = EXCLUDED.minimum_amounts,
         updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
       RETURNING ${COLUMNS}`,
      [scope.merchantId, next.interval, next.weekly_anchor, next.monthly_anchor, next.delay_days, next.minimum_amounts, new Date(now), scope.actor]);
    const { merchant_id: _m, updated_at: _a, updated_by: _b, ...from } = scheduleOf(scope.merchantId, old);
    await writeAudit(q, scope, origin, {
      action: 'payout_schedule.changed', objectType: 'payout_schedule', objectId: scope.merchantId, detail: { from, to: next },
    }, now);
    return scheduleOf(scope.merchantId, row);
  });
}

/**
 * The next payout date after `now`'s local date in `zone` (YYYY-MM-DD), or null for a manual
 * schedule; and `basis`, the local date whose payout the hold is counted back from (the next
 * payout date, or tomorrow for a manual schedule).
 */
export function nextPayoutDate(s: PayoutScheduleInput, now: number, zone: string): { date: DateTime | null; basis: DateTime } {
  const today = DateTime.fromMillis(now, { zone }).startOf('day');
  const tomorrow = today.plus({ days: 1 });
  switch (s.interval) {
    case 'manual':
      return { date: null, basis: tomorrow };
    case 'daily':
      return { date: tomorrow, basis: tomorrow };
    case 'weekly': {
      const want = WEEKDAYS.indexOf(s.weekly_anchor) + 1;
      const date = tomorrow.plus({ days: (want - tomorrow.weekday + 7) % 7 });
      return { date, basis: date };
    }
    case 'monthly': {
      for (let m = 0; ; m++) {
        const month = today.startOf('month').plus({ months: m });
        const date = month.set({ day: Math.min(s.monthly_anchor, month.daysInMonth ?? 28) });
        if (date > today) return { date, basis: date };
      }
    }
  }
}

/** Transactions captured at or after this instant are held back from the payout of `basis`: its local midnight less delay_days. */
export function heldFrom(s: PayoutScheduleInput, basis: DateTime): number {
  return basis.minus({ days: s.delay_days }).startOf('day').toMillis();
}
