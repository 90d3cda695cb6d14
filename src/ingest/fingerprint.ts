// The content fingerprint of a normalized event: what "the same event" means for dedupe.
// It covers every normalized field except the producer's offset notation, so "150" and 150,
// or Z and +00:00, are duplicates while a changed amount or status is a conflict. The fields are
// hashed one after another (no concatenated string) because this runs for every event.

import type { NormalizedEvent } from '../events/contract.ts';
import { fmix } from './hash.ts';

export function fingerprint(e: NormalizedEvent): number {
  let h = 0x811c9dc5;
  h = mixStr(h, e.type);
  h = mixNum(h, e.occurredAt);
  h = mixStr(h, e.entityId);
  h = mixOpt(h, e.txnId);
  h = mixStr(h, e.merchantId);
  h = mixBig(h, e.amountMinor);
  h = mixBig(h, e.feeMinor);
  h = mixStr(h, e.currency);
  h = mixStr(h, e.country);
  h = mixOpt(h, e.city);
  h = mixOpt(h, e.paymentMethod);
  h = mixOpt(h, e.provider);
  h = mixOpt(h, e.status);
  h = mixOpt(h, e.failureReason);
  h = mixOpt(h, e.customerId);
  h = mixOpt(h, e.reason);
  h = mixOpt(h, e.metadata);
  return fmix(h) >>> 0;
}

function mixStr(h: number, s: string): number {
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return Math.imul(h ^ 0xff, 0x01000193); // field separator
}

function mixOpt(h: number, s: string | null): number {
  return s === null ? Math.imul(h ^ 0xfe, 0x01000193) : mixStr(h, s);
}

function mixNum(h: number, n: number): number {
  h = Math.imul(h ^ (n % 0x100000000), 0x01000193);
  h = Math.imul(h ^ Math.floor(n / 0x100000000), 0x01000193);
  return Math.imul(h ^ 0xff, 0x01000193);
}

function mixBig(h: number, n: bigint): number {
  if (n >= -9007199254740991n && n <= 9007199254740991n) {
    const v = Number(n);
    return mixNum(mixNum(h, v < 0 ? 1 : 0), Math.abs(v));
  }
  return mixStr(h, n.toString());
}
