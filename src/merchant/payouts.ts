// GET /api/merchant/payouts[/:id]: the merchant's payouts, as the analytics stream tells them
// (payout_created, payout.settled events folded per payout_id: store/queries/merchant-payouts.ts),
// the upcoming payout, and the transactions each payout covers.
//
// - Coverage: paid-out money is allocated to the merchant's succeeded transactions first in, first
//   out, per currency: a transaction's net (amount − fee − refunds) is covered by the payouts in
//   creation order, in capture order (store/queries/merchant-payout-coverage.ts); a transaction may
//   be split between two payouts. The parts a payout covers add up to its amount exactly, unless
//   the stream holds less than was paid out: the rest is `uncovered_amount`.
// - Upcoming: per currency, balance = captured − refunds − fees − paid out (succeeded
//   transactions); the transactions captured within the schedule's delay before the next payout
//   date are held back; the rest is the upcoming amount, paid if it reaches the currency's minimum.
//
// Another merchant's payout is looked up within this merchant only: the same 404 as a missing one.

import { AppError } from '../errors.ts';
import { formatMinor } from '../events/amount.ts';
import { MAX_ID } from '../events/parse-event.ts';
import { currencyCode, currencyExponent } from '../reference/currencies.ts';
import { dimension, type DimContext } from '../query/query-dimensions.ts';
import type { AnalyticsStore, PayoutRow } from '../store/analytics-store.ts';
import type { StateStore } from '../state-store/state-store.ts';
import { getMerchantSettings } from './merchant-settings.ts';
import { getPayoutSchedule, heldFrom, nextPayoutDate, type PayoutInterval } from './payout-schedule.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';

export interface PayoutDeps {
  store: AnalyticsStore;
  dims: DimContext;
  state: StateStore;
  now: () => number;
}

export const MAX_PAYOUT_PAGE = 200;

export interface Payout {
  payout_id: string;
  status: 'pending' | 'settled';
  /** Minor units of `currency`. */
  amount: Minor;
  amount_decimal: string;
  currency: string;
  created_at: string;
  settled_at: string | null;
  event_count: number;
}

export interface CoveredTransaction {
  txn_id: string;
  captured_at: string;
  amount: Minor;
  fee: Minor;
  refunded: Minor;
  /** amount − fee − refunds. */
  net: Minor;
  /** The part of `net` this payout pays. */
  covered: Minor;
  /** The part earlier payouts paid. */
  covered_before: Minor;
}

export interface PayoutDetail extends Payout {
  transactions: CoveredTransaction[];
  covered_amount: Minor;
  uncovered_amount: Minor;
}

export interface UpcomingBalance {
  currency: string;
  captured: Minor;
  refunds: Minor;
  fees: Minor;
  paid_out: Minor;
  /** captured − refunds − fees − paid_out. */
  balance: Minor;
  /** Net of the transactions still within the delay. */
  held: Minor;
  /** What the next payout would pay: max(0, balance − held). */
  amount: Minor;
  amount_decimal: string;
  minimum_amount: number;
  reaches_minimum: boolean;
}

export interface UpcomingPayout {
  interval: PayoutInterval;
  time_zone: string;
  /** The next payout date in the merchant's zone, YYYY-MM-DD; null for a manual schedule. */
  scheduled_for: string | null;
  /** Transactions captured at or after this instant are held back (delay_days). */
  held_from: string;
  balances: UpcomingBalance[];
}

/**
 * Minor units as the API writes them: a number while it is a safe integer, else the bigint, which
 * the response serializer writes as its exact digits (STYLE: bigint where it can overflow 2^53;
 * the contract allows 10^15 major units, beyond 2^53 minor units in a 2-decimal currency).
 */
export type Minor = number | bigint;
const SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const num = (v: bigint): Minor => (v <= SAFE && v >= -SAFE ? Number(v) : v);
const decimal = (minor: bigint, currency: string) => formatMinor(minor, currencyExponent(currency) ?? 0);
const merchantKeyOf = (deps: PayoutDeps, merchantId: string) => dimension('merchant_id').filter([merchantId], deps.dims).keys[0] ?? -1;

function decode(row: PayoutRow): Payout {
  const currency = currencyCode(row.currencyKey);
  return {
    payout_id: row.payoutId,
    status: row.settledAt === null ? 'pending' : 'settled',
    amount: num(row.amountMinor),
    amount_decimal: decimal(row.amountMinor, currency),
    currency,
    created_at: new Date(row.createdAt).toISOString(),
    settled_at: row.settledAt === null ? null : new Date(row.settledAt).toISOString(),
    event_count: row.events,
  };
}

export async function upcomingPayout(deps: PayoutDeps, merchantId: string): Promise<UpcomingPayout> {
  const [settings, schedule] = await Promise.all([getMerchantSettings(deps.state, merchantId), getPayoutSchedule(deps.state, merchantId)]);
  const { date, basis } = nextPayoutDate(schedule, deps.now(), settings.time_zone);
  const held = heldFrom(schedule, basis);
  const rows = await deps.store.merchantBalance({ merchantKey: merchantKeyOf(deps, merchantId), heldFrom: held });
  return {
    interval: schedule.interval,
    time_zone: settings.time_zone,
    scheduled_for: date?.toISODate() ?? null,
    held_from: new Date(held).toISOString(),
    balances: rows.map((r) => {
      const currency = currencyCode(r.currencyKey);
      const balance = r.capturedMinor - r.refundedMinor - r.feesMinor - r.paidOutMinor;
      const available = balance - r.heldMinor;
      const amount = available > 0n ? available : 0n;
      const minimum = schedule.minimum_amounts[currency] ?? 0;
      return {
        currency, captured: num(r.capturedMinor), refunds: num(r.refundedMinor), fees: num(r.feesMinor), paid_out: num(r.paidOutMinor),
        balance: num(balance), held: num(r.heldMinor), amount: num(amount), amount_decimal: decimal(amount, currency),
        minimum_amount: minimum, reaches_minimum: amount > 0n && amount >= BigInt(minimum),
      };
    }),
  };
}

export async function listPayouts(
  deps: PayoutDeps, merchantId: string, o: { cursor?: string; limit: number },
): Promise<{ upcoming: UpcomingPayout | null; items: Payout[]; next_cursor: string | null }> {
  const after = o.cursor === undefined ? null : positionOf(o.cursor);
  const rows = await deps.store.merchantPayoutPage({ merchantKey: merchantKeyOf(deps, merchantId), payoutId: null, after, limit: o.limit + 1 });
  const page = rows.slice(0, o.limit);
  return {
    // On the first page only: it reads the merchant's whole ledger.
    upcoming: after === null ? await upcomingPayout(deps, merchantId) : null,
    items: page.map(decode),
    next_cursor: rows.length > o.limit ? cursorOf(page[page.length - 1]) : null,
  };
}

/**
 * The merchant's payouts created in [from, to), newest first, a page at a time (for exports): the
 * listing's keyset pages, started just below `to` and stopped at the first payout before `from`.
 */
export async function* payoutPages(
  deps: PayoutDeps, merchantId: string, range: { from: number; to: number }, pageSize: number,
): AsyncGenerator<Array<{ row: PayoutRow; payout: Payout }>> {
  const merchantKey = merchantKeyOf(deps, merchantId);
  // (created_at, payout_id) below (to, ''): every payout created before `to`.
  let after: { createdAt: number; payoutId: string } = { createdAt: range.to, payoutId: '' };
  for (;;) {
    const rows = await deps.store.merchantPayoutPage({ merchantKey, payoutId: null, after, limit: pageSize });
    const inRange = rows.filter((r) => r.createdAt >= range.from);
    if (inRange.length > 0) yield inRange.map((row) => ({ row, payout: decode(row) }));
    if (rows.length < pageSize || inRange.length < rows.length) return;
    const last = rows[rows.length - 1];
    after = { createdAt: last.createdAt, payoutId: last.payoutId };
  }
}

export async function getPayout(deps: PayoutDeps, merchantId: string, payoutId: string): Promise<PayoutDetail> {
  // JSON Schema counts code points, the contract UTF-16 units: the exact rule is checked here.
  if (payoutId.length > MAX_ID) throw new AppError('invalid_parameter', `a payout id is at most ${MAX_ID} UTF-16 units`);
  const merchantKey = merchantKeyOf(deps, merchantId);
  const [row] = await deps.store.merchantPayoutPage({ merchantKey, payoutId, after: null, limit: 1 });
  if (!row) throw new AppError('not_found', 'no such payout');
  const from = row.paidBeforeMinor;
  const to = from + row.amountMinor;
  const lines = await deps.store.merchantPayoutCoverage({ merchantKey, currencyKey: row.currencyKey, from, to });
  let covered = 0n;
  const transactions = lines.map((l) => {
    const end = l.startMinor + l.netMinor;
    const lo = l.startMinor > from ? l.startMinor : from;
    const part = (end < to ? end : to) - lo;
    covered += part;
    return {
      txn_id: l.txnId, captured_at: new Date(l.capturedAt).toISOString(), amount: num(l.amountMinor), fee: num(l.feeMinor),
      refunded: num(l.refundedMinor), net: num(l.netMinor), covered: num(part), covered_before: num(lo - l.startMinor),
    };
  });
  return { ...decode(row), transactions, covered_amount: num(covered), uncovered_amount: num(row.amountMinor - covered) };
}

const cursorOf = (row: PayoutRow) => encodeCursor([String(row.createdAt), row.payoutId]);

function positionOf(cursor: string): { createdAt: number; payoutId: string } {
  const [at, id] = decodeCursor(cursor, (p) => p.length === 2 && /^[0-9]{1,15}$/.test(p[0]) && p[1].length >= 1 && p[1].length <= MAX_ID);
  return { createdAt: Number(at), payoutId: id };
}
