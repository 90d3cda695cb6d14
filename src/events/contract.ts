// The event contract v1: the types every other module speaks. The parser (parse-event.ts)
// turns untrusted JSON into a NormalizedEvent or a Rejection; nothing downstream sees raw input.

export const PAYMENT_TYPES = [
  'wallet_txn_created',
  'wallet_txn_succeeded',
  'wallet_txn_failed',
  'invoice.paid',
] as const;

export const EVENT_TYPES = [
  ...PAYMENT_TYPES,
  'refund_created',
  'dispute_created',
  'payout_created',
  'payout.settled',
] as const;

export type PaymentType = (typeof PAYMENT_TYPES)[number];
export type EventType = (typeof EVENT_TYPES)[number];
export type PaymentStatus = 'pending' | 'succeeded' | 'failed';

/** Index of each type in EVENT_TYPES: the stored code of a type. */
export const TYPE_CODE: Readonly<Record<EventType, number>> = Object.freeze(
  Object.fromEntries(EVENT_TYPES.map((t, i) => [t, i])) as Record<EventType, number>,
);

export function isPaymentType(type: EventType): type is PaymentType {
  return TYPE_CODE[type] < PAYMENT_TYPES.length;
}

/** Stable rejection codes. Add, never rename: producers and dashboards key on them. */
export const REJECTION_CODES = [
  'invalid_json', // the line or body is not JSON
  'invalid_event', // JSON, but not an object
  'missing_field', // a required field is absent or empty
  'invalid_field', // a field has the wrong type, length or value
  'unknown_type', // `type` is not one of EVENT_TYPES
  'invalid_amount', // amount/fee not a decimal, negative, non-finite or beyond ±10^15
  'amount_precision', // more decimals than the currency's ISO 4217 exponent
  'unknown_currency', // not an ISO 4217 alpha-3 code
  'unknown_country', // not an ISO 3166-1 alpha-2 code
  'invalid_timestamp', // not RFC 3339 with an offset, or an impossible date
  'future_timestamp', // more than the allowed skew in the future
  'beyond_retention', // older than raw retention: cannot be kept raw nor reconciled
  'duplicate_conflict', // event_id seen before with different content
  'event_too_large', // one event's JSON text is longer than MAX_EVENT_CHARS
  'too_deeply_nested', // one event nests arrays or objects deeper than MAX_NESTING
  'invalid_encoding', // the event's bytes are not UTF-8
  'invalid_csv', // a CSV row that cannot be read as one (e.g. more cells than the header)
] as const;

export type RejectionCode = (typeof REJECTION_CODES)[number];

export interface Rejection {
  ok: false;
  code: RejectionCode;
  message: string;
  field?: string;
}

/**
 * A validated event. Money is in integer minor units of `currency`.
 * Optional strings are null when absent. `entityId` is txn_id for payments,
 * refund_id / dispute_id / payout_id otherwise; `txnId` is the related transaction.
 */
export interface NormalizedEvent {
  eventId: string;
  type: EventType;
  /** UTC epoch milliseconds. */
  occurredAt: number;
  /** The producer's UTC offset in minutes, kept to render occurred_at as sent. */
  offsetMinutes: number;
  entityId: string;
  txnId: string | null;
  merchantId: string;
  amountMinor: bigint;
  feeMinor: bigint;
  currency: string;
  country: string;
  city: string | null;
  paymentMethod: string | null;
  provider: string | null;
  /** Payments only: explicit on wallet_txn_created, implied by the other payment types. */
  status: PaymentStatus | null;
  failureReason: string | null;
  customerId: string | null;
  /** Dispute reason. */
  reason: string | null;
  /** The producer's metadata object as JSON text, kept but not aggregated. */
  metadata: string | null;
}

export interface ParseContext {
  /** Current time, epoch ms (passed in so tests are reproducible). */
  now: number;
  /** Largest accepted lead of occurred_at over now, ms (default 5 minutes). */
  maxFutureMs: number;
  /** Oldest accepted occurred_at, epoch ms (now − raw retention); -Infinity for none. */
  minOccurredAt: number;
}

export type ParseResult = { ok: true; event: NormalizedEvent } | Rejection;
