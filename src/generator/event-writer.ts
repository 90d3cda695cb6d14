// Writes the generator's facts as contract v1 event objects, the way each merchant's integration
// writes them: occurred_at in UTC or local offset, with or without milliseconds; amounts as
// decimal strings or JSON numbers; only the optional fields that integration sends.

import { minorToNumber, minorToText } from './amounts.ts';
import { IdMint } from './ids.ts';
import type { Merchant, MoneyChoice, Route } from './merchants.ts';
import type { Seed } from './prng.ts';
import { formatRfc3339 } from './time.ts';

export type GeneratedEvent = Record<string, unknown>;

/** One payment, shared by all of its events. */
export interface Txn {
  id: string;
  merchant: Merchant;
  money: MoneyChoice;
  amountMinor: number;
  feeMinor: number;
  route: Route;
  customer: string | null;
  metadata: Record<string, unknown> | null;
}

export class EventWriter {
  private readonly eventIds: IdMint;

  /** `start`: occurred_at never goes below it, even when an integration drops milliseconds. */
  constructor(seed: Seed, tag: string, private readonly start: number) {
    this.eventIds = new IdMint('evt_', tag, seed);
  }

  payment(type: string, txn: Txn, at: number, status: string | null, failureReason: string | null): GeneratedEvent {
    const m = txn.merchant;
    const e = this.head(type, at, m);
    e.txn_id = txn.id;
    e.merchant_id = m.id;
    e.amount = amountValue(m, txn.amountMinor, txn.money);
    const succeeded = type === 'wallet_txn_succeeded' || type === 'invoice.paid' || status === 'succeeded';
    if (succeeded && m.sendsFee) e.fee = amountValue(m, txn.feeMinor, txn.money);
    e.currency = txn.money.currency;
    e.country = m.country.code;
    if (m.sendsCity) e.city = m.city.name;
    if (m.sendsMethod) e.payment_method = txn.route.method;
    if (m.sendsProvider) e.provider = txn.route.provider.id;
    if (status !== null) e.status = status;
    if (failureReason !== null) e.failure_reason = failureReason;
    if (txn.customer !== null) e.customer_id = txn.customer;
    if (txn.metadata !== null) e.metadata = txn.metadata;
    return e;
  }

  refund(id: string, txn: Txn, amountMinor: number, at: number): GeneratedEvent {
    const e = this.head('refund_created', at, txn.merchant);
    e.refund_id = id;
    return this.txnMoney(e, txn, amountMinor);
  }

  dispute(id: string, txn: Txn, at: number, reason: string | null): GeneratedEvent {
    const e = this.head('dispute_created', at, txn.merchant);
    e.dispute_id = id;
    this.txnMoney(e, txn, txn.amountMinor);
    if (reason !== null) e.reason = reason;
    return e;
  }

  payout(type: 'payout_created' | 'payout.settled', id: string, m: Merchant, amountMinor: number, at: number): GeneratedEvent {
    const e = this.head(type, at, m);
    e.payout_id = id;
    e.merchant_id = m.id;
    e.amount = amountValue(m, amountMinor, m.home);
    e.currency = m.home.currency;
    e.country = m.country.code;
    return e;
  }

  /** event_id, type and occurred_at. */
  private head(type: string, at: number, m: Merchant): GeneratedEvent {
    let ms = at;
    let millis = true;
    const second = Math.floor(at / 1000) * 1000;
    if (!m.sendsMillis && second >= this.start) {
      ms = second;
      millis = false;
    }
    const offset = m.sendsLocalOffset ? m.zone.offsetAt(ms) : null;
    return { event_id: this.eventIds.next(), type, occurred_at: formatRfc3339(ms, offset, millis) };
  }

  /** txn_id, merchant_id, amount, currency, country of a refund or dispute. */
  private txnMoney(e: GeneratedEvent, txn: Txn, amountMinor: number): GeneratedEvent {
    e.txn_id = txn.id;
    e.merchant_id = txn.merchant.id;
    e.amount = amountValue(txn.merchant, amountMinor, txn.money);
    e.currency = txn.money.currency;
    e.country = txn.merchant.country.code;
    return e;
  }
}

function amountValue(m: Merchant, minor: number, money: MoneyChoice): string | number {
  const exp = money.profile.exponent;
  return m.sendsNumbers ? minorToNumber(minor, exp) : minorToText(minor, exp);
}
