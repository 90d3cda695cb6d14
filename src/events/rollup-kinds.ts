// What a rollup row counts. Payments carry their current status in the kind, so a status change
// is a -1 on one kind and a +1 on another; the other kinds are plain additive event counts.

export const KIND_PENDING = 1;
export const KIND_SUCCEEDED = 2;
export const KIND_FAILED = 3;
export const KIND_REFUND = 4;
export const KIND_DISPUTE = 5;
export const KIND_PAYOUT = 6;
export const KIND_PAYOUT_SETTLED = 7;

/** Status codes as stored in raw_events.status; for payments the code equals the kind. */
export const STATUS_CODE = { pending: 1, succeeded: 2, failed: 3 } as const;
