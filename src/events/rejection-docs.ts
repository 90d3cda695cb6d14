// What each ingest rejection code means, for the error catalogue (GET /docs/errors) beside the
// request-level codes. A code added to REJECTION_CODES does not compile until it has its line
// here; docs/events.md#rejection-codes has the same table, checked by a test.

import type { RejectionCode } from './contract.ts';

export const REJECTION_DOCS = {
  invalid_json: 'the line or body is not JSON',
  invalid_event: 'JSON, but not an object (an array, a string, `null`, …)',
  missing_field: 'a required field is absent, `null` or `""`; `field` names it',
  invalid_field: 'a field has the wrong JSON type, is too long, is not an allowed value, contradicts the type (`status`), or `metadata` is not an object or too large',
  unknown_type: '`type` is not one of the eight event types',
  invalid_amount: '`amount`/`fee` is not a plain decimal, is negative, not finite, or beyond 10^15 (or int64 minor units)',
  amount_precision: '`amount`/`fee` has more (non-zero) decimals than the currency allows',
  unknown_currency: '`currency` is not an ISO 4217 alpha-3 code in uppercase',
  unknown_country: '`country` is not an ISO 3166-1 alpha-2 code in uppercase',
  invalid_timestamp: '`occurred_at` is not RFC 3339 with an offset, or is an impossible date',
  future_timestamp: '`occurred_at` is too far ahead of the server\'s clock (MAX_FUTURE_SKEW_SECONDS)',
  beyond_retention: '`occurred_at` is older than raw retention (RAW_RETENTION_DAYS): it can be neither kept nor reconciled',
  duplicate_conflict: 'the `event_id` was seen before with different content; the first one stands',
  event_too_large: 'the event\'s JSON text is longer than 65,536 characters',
  too_deeply_nested: 'the event nests objects or arrays more than 16 levels deep',
  invalid_encoding: 'the event\'s bytes are not UTF-8 (never silently turned into U+FFFD)',
  invalid_csv: 'a CSV row cannot be read as CSV (an unclosed quote, say); the row\'s text is kept',
} as const satisfies Record<RejectionCode, string>;
