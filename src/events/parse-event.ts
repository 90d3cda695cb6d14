// The ingest hot path: untrusted JSON → NormalizedEvent, or a Rejection with a stable code.
// Reads only known own properties (nothing is spread or merged, so `__proto__` keys are
// inert), allocates little beyond the result, and parses RFC 3339 by hand.

import {
  type EventType,
  type NormalizedEvent,
  type ParseContext,
  type ParseResult,
  type PaymentStatus,
  type Rejection,
  type RejectionCode,
} from './contract.ts';
import { parseAmount } from './amount.ts';
import { decodeEventText, isContractText } from './event-text.ts';
import { currencyExponent } from '../reference/currencies.ts';
import { countryKey } from '../reference/countries.ts';

export const MAX_ID = 128;
const MAX_CITY = 100;
const MAX_PROVIDER = 64;
const MAX_FAILURE_REASON = 128;
const MAX_REASON = 256;
const MAX_METADATA = 4096;
/** For codes and timestamps, whose own checks bound them. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;
const PAYMENT_METHOD = /^[a-z][a-z0-9_]{0,31}$/;

type Obj = Record<string, unknown>;

interface TypeSpec {
  type: EventType;
  /** The field that names the entity: txn_id for payments. */
  entity: 'txn_id' | 'refund_id' | 'dispute_id' | 'payout_id';
  /** Also reads txn_id (refunds, disputes). */
  relatedTxn: boolean;
  payment: boolean;
  /** The status a payment type implies; null where `status` must be sent. */
  impliedStatus: PaymentStatus | null;
  /** fee, city, payment_method, provider, failure_reason, customer_id, metadata. */
  extras: boolean;
  /** Dispute `reason`. */
  reason: boolean;
}

const PAYMENT = { entity: 'txn_id', relatedTxn: false, payment: true, extras: true, reason: false } as const;
const PAYOUT = {
  entity: 'payout_id', relatedTxn: false, payment: false, impliedStatus: null, extras: false, reason: false,
} as const;
const SPECS_BY_TYPE: Record<EventType, Omit<TypeSpec, 'type'>> = {
  wallet_txn_created: { ...PAYMENT, impliedStatus: null },
  wallet_txn_succeeded: { ...PAYMENT, impliedStatus: 'succeeded' },
  wallet_txn_failed: { ...PAYMENT, impliedStatus: 'failed' },
  'invoice.paid': { ...PAYMENT, impliedStatus: 'succeeded' },
  refund_created: { ...PAYMENT, entity: 'refund_id', relatedTxn: true, payment: false, impliedStatus: null },
  dispute_created: { ...PAYOUT, entity: 'dispute_id', relatedTxn: true, reason: true },
  payout_created: PAYOUT,
  'payout.settled': PAYOUT,
};
const SPECS = new Map<string, TypeSpec>(
  Object.entries(SPECS_BY_TYPE).map(([type, spec]) => [type, { type: type as EventType, ...spec }]),
);

function reject(code: RejectionCode, message: string, field?: string): Rejection {
  return field === undefined ? { ok: false, code, message } : { ok: false, code, message, field };
}
const missing = (field: string): Rejection => reject('missing_field', `${field} is missing.`, field);
const invalid = (field: string, why: string): Rejection =>
  reject('invalid_field', `${field} ${why}.`, field);
/** Echoes producer text in a message, bounded. */
const clip = (s: string): string => (s.length > 40 ? `${s.slice(0, 40)}…` : s);

function isRejection(v: string | null | Rejection): v is Rejection {
  return typeof v === 'object' && v !== null;
}

/**
 * `value` (read as o.key at the call site, where the inline cache is per field) if it is an
 * own property; an inherited value, e.g. from a polluted Object.prototype, counts as absent.
 */
function own(o: Obj, key: string, value: unknown): unknown {
  return value === undefined || Object.hasOwn(o, key) ? value : undefined;
}

const NOT_TEXT = 'must be valid Unicode text, without unpaired surrogates, NUL or U+FEFF';

/** A required string: absent, null or '' → missing_field; too long → invalid_field. */
function requiredText(o: Obj, key: string, value: unknown, max: number): string | Rejection {
  const v = own(o, key, value);
  if (v === undefined || v === null || v === '') return missing(key);
  if (typeof v !== 'string') return invalid(key, 'must be a string');
  if (v.length > max) return invalid(key, `must be at most ${max} characters`);
  if (!isContractText(v)) return invalid(key, NOT_TEXT);
  return v;
}

/** An optional string: absent, null or '' → null. */
function optionalText(o: Obj, key: string, value: unknown, max: number): string | null | Rejection {
  const v = own(o, key, value);
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'string') return invalid(key, 'must be a string');
  if (v.length > max) return invalid(key, `must be at most ${max} characters`);
  if (!isContractText(v)) return invalid(key, NOT_TEXT);
  return v;
}

/** Parses one decoded JSON value as a contract v1 event. */
export function parseEvent(input: unknown, ctx: ParseContext): ParseResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return reject('invalid_event', 'The event must be a JSON object.');
  }
  const o = input as Obj;
  const eventId = requiredText(o, 'event_id', o.event_id, MAX_ID);
  if (isRejection(eventId)) return eventId;
  const type = own(o, 'type', o.type);
  if (type === undefined || type === null || type === '') return missing('type');
  if (typeof type !== 'string') return invalid('type', 'must be a string');
  const spec = SPECS.get(type);
  if (spec === undefined) {
    return reject('unknown_type', `type "${clip(type)}" is not a known event type.`, 'type');
  }
  const ev: NormalizedEvent = {
    eventId, type: spec.type, occurredAt: 0, offsetMinutes: 0, entityId: '', txnId: null,
    merchantId: '', amountMinor: 0n, feeMinor: 0n, currency: '', country: '', city: null,
    paymentMethod: null, provider: null, status: spec.impliedStatus, failureReason: null,
    customerId: null, reason: null, metadata: null,
  };
  const failure =
    readOccurredAt(o, ev) ??
    readParties(o, ev, spec) ??
    readMoney(o, ev, spec) ??
    (spec.payment ? readStatus(o, ev, spec) : null) ??
    (spec.extras ? readExtras(o, ev) : null) ??
    (spec.reason ? readReason(o, ev) : null) ??
    checkWindow(ev, ctx);
  return failure ?? { ok: true, event: ev };
}

/** Parses one line of NDJSON (or one HTTP body) as an event. */
export function parseEventLine(line: string, ctx: ParseContext): ParseResult {
  const decoded = decodeEventText(line);
  return decoded.ok ? parseEvent(decoded.value, ctx) : decoded;
}

function readOccurredAt(o: Obj, ev: NormalizedEvent): Rejection | null {
  const v = requiredText(o, 'occurred_at', o.occurred_at, UNBOUNDED);
  if (isRejection(v)) return v;
  return parseRfc3339(v, ev) ? null : badTimestamp();
}

const badTimestamp = (): Rejection =>
  reject(
    'invalid_timestamp',
    'occurred_at must be an RFC 3339 date-time with an offset, such as 2024-05-01T09:30:00Z.',
    'occurred_at',
  );

/** Runs last, so future_timestamp and beyond_retention mean "otherwise valid". */
function checkWindow(ev: NormalizedEvent, ctx: ParseContext): Rejection | null {
  if (ev.occurredAt > ctx.now + ctx.maxFutureMs) {
    return reject('future_timestamp', 'occurred_at is too far in the future.', 'occurred_at');
  }
  if (ev.occurredAt < ctx.minOccurredAt) {
    return reject('beyond_retention', 'occurred_at is older than the retention window.', 'occurred_at');
  }
  return null;
}

function readParties(o: Obj, ev: NormalizedEvent, spec: TypeSpec): Rejection | null {
  const entityId = requiredText(o, spec.entity, o[spec.entity], MAX_ID);
  if (isRejection(entityId)) return entityId;
  ev.entityId = entityId;
  if (spec.payment) ev.txnId = entityId;
  else if (spec.relatedTxn) {
    const txnId = requiredText(o, 'txn_id', o.txn_id, MAX_ID);
    if (isRejection(txnId)) return txnId;
    ev.txnId = txnId;
  }
  const merchantId = requiredText(o, 'merchant_id', o.merchant_id, MAX_ID);
  if (isRejection(merchantId)) return merchantId;
  ev.merchantId = merchantId;
  const country = requiredText(o, 'country', o.country, UNBOUNDED);
  if (isRejection(country)) return country;
  if (countryKey(country) === 0) return unknownCountry(country);
  ev.country = country;
  return null;
}

const unknownCountry = (code: string): Rejection =>
  reject('unknown_country', `country "${clip(code)}" is not an ISO 3166-1 alpha-2 code.`, 'country');

function readMoney(o: Obj, ev: NormalizedEvent, spec: TypeSpec): Rejection | null {
  const currency = requiredText(o, 'currency', o.currency, UNBOUNDED);
  if (isRejection(currency)) return currency;
  const exponent = currencyExponent(currency);
  if (exponent === undefined) {
    return reject('unknown_currency', `currency "${clip(currency)}" is not an ISO 4217 code.`, 'currency');
  }
  ev.currency = currency;
  const amount = readAmount(o, 'amount', o.amount, exponent, true);
  if (typeof amount !== 'bigint') return amount;
  ev.amountMinor = amount;
  if (spec.extras) {
    const fee = readAmount(o, 'fee', o.fee, exponent, false);
    if (typeof fee !== 'bigint') return fee;
    ev.feeMinor = fee;
  }
  return null;
}

function readAmount(
  o: Obj, key: string, value: unknown, exponent: number, required: boolean,
): bigint | Rejection {
  const v = own(o, key, value);
  if (v === undefined || v === null || v === '') return required ? missing(key) : 0n;
  if (typeof v !== 'string' && typeof v !== 'number') {
    return invalid(key, 'must be a decimal string or a number');
  }
  const minor = parseAmount(v, exponent, key);
  return typeof minor === 'bigint' ? minor : reject(minor.code, minor.message, key);
}

function readStatus(o: Obj, ev: NormalizedEvent, spec: TypeSpec): Rejection | null {
  const v = own(o, 'status', o.status);
  if (v === undefined || v === null || v === '') {
    return spec.impliedStatus === null ? missing('status') : null;
  }
  if (v !== 'pending' && v !== 'succeeded' && v !== 'failed') {
    return invalid('status', 'must be pending, succeeded or failed');
  }
  if (spec.impliedStatus !== null && v !== spec.impliedStatus) {
    return invalid('status', `contradicts type ${spec.type}, which means ${spec.impliedStatus}`);
  }
  ev.status = v;
  return null;
}

function readExtras(o: Obj, ev: NormalizedEvent): Rejection | null {
  const city = optionalText(o, 'city', o.city, UNBOUNDED);
  if (isRejection(city)) return city;
  if (city !== null) {
    const trimmed = city.trim();
    if (trimmed.length > MAX_CITY) return invalid('city', `must be at most ${MAX_CITY} characters`);
    ev.city = trimmed === '' ? null : trimmed;
  }
  const method = optionalText(o, 'payment_method', o.payment_method, 32);
  if (isRejection(method)) return method;
  if (method !== null && !PAYMENT_METHOD.test(method)) {
    return invalid('payment_method', 'must be a lowercase token such as wallet, card or ussd');
  }
  ev.paymentMethod = method;
  const provider = optionalText(o, 'provider', o.provider, MAX_PROVIDER);
  if (isRejection(provider)) return provider;
  ev.provider = provider;
  const failureReason = optionalText(o, 'failure_reason', o.failure_reason, MAX_FAILURE_REASON);
  if (isRejection(failureReason)) return failureReason;
  ev.failureReason = failureReason;
  const customerId = optionalText(o, 'customer_id', o.customer_id, MAX_ID);
  if (isRejection(customerId)) return customerId;
  ev.customerId = customerId;
  return readMetadata(o, ev);
}

function readMetadata(o: Obj, ev: NormalizedEvent): Rejection | null {
  const v = own(o, 'metadata', o.metadata);
  if (v === undefined || v === null || v === '') return null;
  if (typeof v !== 'object' || Array.isArray(v)) return invalid('metadata', 'must be a JSON object');
  let text: string;
  try {
    // Keys sorted at every level: the same object sent with another key order is the same
    // content (a duplicate, not a conflict), and is stored the same way.
    text = JSON.stringify(v, sortedKeys);
  } catch {
    return invalid('metadata', 'must be serialisable as JSON'); // cycles or BigInt, never from JSON
  }
  if (text.length > MAX_METADATA) {
    return invalid('metadata', `must be at most ${MAX_METADATA} characters as JSON`);
  }
  ev.metadata = text;
  return null;
}

function sortedKeys(_key: string, value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) {
    Object.defineProperty(out, k, { value: (value as Record<string, unknown>)[k], enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function readReason(o: Obj, ev: NormalizedEvent): Rejection | null {
  const reason = optionalText(o, 'reason', o.reason, MAX_REASON);
  if (isRejection(reason)) return reason;
  ev.reason = reason;
  return null;
}

// RFC 3339 by hand: YYYY-MM-DD(T|t|space)HH:MM:SS[.fraction](Z|z|±HH:MM). Seconds 60 (leap
// seconds) and offsets beyond ±23:59 are rejected; fraction digits past ms are truncated.
const C_0 = 48;
const C_DASH = 45;
const C_COLON = 58;
const C_DOT = 46;
const C_PLUS = 43;
const DAYS_IN_MONTH = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** Two ASCII digits at i as a number, or -1 (also past the end: NaN fails both tests). */
function twoDigits(s: string, i: number): number {
  const a = s.charCodeAt(i) - C_0;
  const b = s.charCodeAt(i + 1) - C_0;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : -1;
}

/**
 * Parses an RFC 3339 date-time into out.occurredAt (UTC epoch ms) and out.offsetMinutes;
 * false, leaving `out` untouched, if `s` is not one or is not a possible instant.
 */
export function parseRfc3339(s: string, out: { occurredAt: number; offsetMinutes: number }): boolean {
  const hi = twoDigits(s, 0);
  const lo = twoDigits(s, 2);
  const month = twoDigits(s, 5);
  const day = twoDigits(s, 8);
  const hour = twoDigits(s, 11);
  const minute = twoDigits(s, 14);
  const second = twoDigits(s, 17);
  const sep = s.charCodeAt(10);
  if (
    hi < 0 || lo < 0 || s.charCodeAt(4) !== C_DASH || s.charCodeAt(7) !== C_DASH ||
    (sep !== 84 && sep !== 116 && sep !== 32) || // T, t, space
    s.charCodeAt(13) !== C_COLON || s.charCodeAt(16) !== C_COLON ||
    month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 ||
    minute < 0 || minute > 59 || second < 0 || second > 59
  ) return false;
  const year = hi * 100 + lo;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month])) return false;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === C_DOT) {
    const start = ++i;
    for (let c = s.charCodeAt(i) - C_0; c >= 0 && c <= 9; c = s.charCodeAt(++i) - C_0) {
      if (i - start < 3) ms = ms * 10 + c;
    }
    if (i === start) return false;
    for (let k = i - start; k < 3; k++) ms *= 10;
  }
  let offset = 0;
  const z = s.charCodeAt(i);
  if (z === 90 || z === 122) i += 1; // Z, z
  else if (z === C_PLUS || z === C_DASH) {
    const oh = twoDigits(s, i + 1);
    const om = twoDigits(s, i + 4);
    if (oh < 0 || oh > 23 || om < 0 || om > 59 || s.charCodeAt(i + 3) !== C_COLON) return false;
    offset = z === C_DASH ? 0 - (oh * 60 + om) : oh * 60 + om; // 0 - 0 is +0: -00:00 is UTC
    i += 6;
  } else return false;
  if (i !== s.length) return false;
  const days = daysFromCivil(year, month, day);
  out.occurredAt = ((days * 24 + hour) * 60 + minute - offset) * 60_000 + second * 1000 + ms;
  out.offsetMinutes = offset;
  return true;
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm). */
function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}
