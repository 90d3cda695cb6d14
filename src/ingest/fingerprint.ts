// The content fingerprint of a normalized event: what "the same event" means for dedupe.
// It covers every normalized field except the producer's offset notation, so "150" and 150,
// or Z and +00:00, are duplicates while a changed amount or status is a conflict.

import type { NormalizedEvent } from '../events/contract.ts';
import { hash32 } from './hash.ts';

export function fingerprint(e: NormalizedEvent): number {
  return hash32(
    e.type + '\u0001' + e.occurredAt + '\u0001' + e.entityId + '\u0001' + e.txnId + '\u0001' +
      e.merchantId + '\u0001' + e.amountMinor + '\u0001' + e.feeMinor + '\u0001' + e.currency +
      '\u0001' + e.country + '\u0001' + e.city + '\u0001' + e.paymentMethod + '\u0001' + e.provider +
      '\u0001' + e.status + '\u0001' + e.failureReason + '\u0001' + e.customerId + '\u0001' +
      e.reason + '\u0001' + e.metadata,
  );
}
