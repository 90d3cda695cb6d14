// The stateless half of ingest: inputs → validated events, column by column, with the hashes
// and fingerprints the stateful half needs. It runs in a parse worker (typed arrays transfer
// without copying) or in the calling thread; both produce the same ParsedBatch.

import { parseEvent } from '../events/parse-event.ts';
import { decodeEventText } from '../events/event-text.ts';
import { isPaymentType, TYPE_CODE, type ParseContext, type RejectionCode } from '../events/contract.ts';
import { currencyKey } from '../reference/currencies.ts';
import { countryKey } from '../reference/countries.ts';
import { STATUS_CODE } from '../events/rollup-kinds.ts';
import { fingerprint } from './fingerprint.ts';
import { hash96, type Hash96 } from './hash.ts';

export interface Rejected {
  index: number;
  code: string;
  message: string;
  field?: string;
  /** The input's event_id when it has a readable one (for the dead letter). */
  eventId?: string;
}

export interface ParsedBatch {
  n: number;
  /** 1 where the input is a valid event; rejected inputs are listed in `rejections`. */
  ok: Uint8Array;
  rejections: Rejected[];
  type: Uint8Array;
  status: Uint8Array; // 0 none, 1 pending, 2 succeeded, 3 failed
  occurredAt: Float64Array;
  offsetMinutes: Int16Array;
  amount: BigInt64Array;
  fee: BigInt64Array;
  currencyKey: Uint16Array;
  countryKey: Uint16Array;
  fingerprint: Uint32Array;
  /** hash96 of event_id, and of txn_id for payments (zeros otherwise). */
  id: Uint32Array; // 3 per event
  txn: Uint32Array; // 3 per event
  eventId: Array<string | null>;
  entityId: Array<string | null>;
  txnId: Array<string | null>;
  merchantId: Array<string | null>;
  city: Array<string | null>;
  paymentMethod: Array<string | null>;
  provider: Array<string | null>;
  failureReason: Array<string | null>;
  customerId: Array<string | null>;
  reason: Array<string | null>;
  metadata: Array<string | null>;
}

/** An item its source already refused (bytes that are not UTF-8, a CSV row it cannot read). */
export interface Refusal {
  index: number;
  code: RejectionCode;
  message: string;
}

/**
 * Strings are one event's JSON text each (an NDJSON line, an element of a JSON array body, a
 * CSV row made JSON); anything else is an already decoded value from an in-process source.
 */
export function parseToColumns(items: readonly unknown[], ctx: ParseContext, refused: readonly Refusal[] = []): ParsedBatch {
  const n = items.length;
  const b: ParsedBatch = {
    n, ok: new Uint8Array(n), rejections: [], type: new Uint8Array(n), status: new Uint8Array(n),
    occurredAt: new Float64Array(n), offsetMinutes: new Int16Array(n), amount: new BigInt64Array(n),
    fee: new BigInt64Array(n), currencyKey: new Uint16Array(n), countryKey: new Uint16Array(n),
    fingerprint: new Uint32Array(n), id: new Uint32Array(3 * n), txn: new Uint32Array(3 * n),
    eventId: new Array(n).fill(null), entityId: new Array(n).fill(null), txnId: new Array(n).fill(null),
    merchantId: new Array(n).fill(null), city: new Array(n).fill(null), paymentMethod: new Array(n).fill(null),
    provider: new Array(n).fill(null), failureReason: new Array(n).fill(null), customerId: new Array(n).fill(null),
    reason: new Array(n).fill(null), metadata: new Array(n).fill(null),
  };
  const h: Hash96 = { h1: 0, h2: 0, h3: 0 };
  const skip = new Set<number>();
  for (const r of refused) {
    b.rejections.push({ index: r.index, code: r.code, message: r.message });
    skip.add(r.index);
  }
  for (let i = 0; i < n; i++) {
    if (skip.has(i)) continue;
    let input = items[i];
    if (typeof input === 'string') {
      const decoded = decodeEventText(input);
      if (!decoded.ok) {
        b.rejections.push({ index: i, code: decoded.code, message: decoded.message });
        continue;
      }
      input = decoded.value;
    }
    const r = parseEvent(input, ctx);
    if (!r.ok) {
      const rej: Rejected = { index: i, code: r.code, message: r.message };
      if (r.field !== undefined) rej.field = r.field;
      const id = readableEventId(input);
      if (id !== undefined) rej.eventId = id;
      b.rejections.push(rej);
      continue;
    }
    const e = r.event;
    b.ok[i] = 1;
    b.type[i] = TYPE_CODE[e.type];
    b.status[i] = e.status === null ? 0 : STATUS_CODE[e.status];
    b.occurredAt[i] = e.occurredAt;
    b.offsetMinutes[i] = e.offsetMinutes;
    b.amount[i] = e.amountMinor;
    b.fee[i] = e.feeMinor;
    b.currencyKey[i] = currencyKey(e.currency);
    b.countryKey[i] = countryKey(e.country);
    b.fingerprint[i] = fingerprint(e);
    hash96(e.eventId, h);
    b.id[3 * i] = h.h1;
    b.id[3 * i + 1] = h.h2;
    b.id[3 * i + 2] = h.h3;
    if (isPaymentType(e.type)) {
      hash96(e.entityId, h);
      b.txn[3 * i] = h.h1;
      b.txn[3 * i + 1] = h.h2;
      b.txn[3 * i + 2] = h.h3;
    }
    b.eventId[i] = e.eventId;
    b.entityId[i] = e.entityId;
    b.txnId[i] = e.txnId;
    b.merchantId[i] = e.merchantId;
    b.city[i] = e.city;
    b.paymentMethod[i] = e.paymentMethod;
    b.provider[i] = e.provider;
    b.failureReason[i] = e.failureReason;
    b.customerId[i] = e.customerId;
    b.reason[i] = e.reason;
    b.metadata[i] = e.metadata;
  }
  return b;
}

function readableEventId(input: unknown): string | undefined {
  if (input === null || typeof input !== 'object' || !Object.hasOwn(input, 'event_id')) return undefined;
  const id = (input as { event_id: unknown }).event_id;
  return typeof id === 'string' && id !== '' ? id.slice(0, 128) : undefined;
}

/** The buffers a worker hands over without copying. */
export function transferList(b: ParsedBatch): ArrayBuffer[] {
  return [b.ok, b.type, b.status, b.occurredAt, b.offsetMinutes, b.amount, b.fee, b.currencyKey, b.countryKey,
    b.fingerprint, b.id, b.txn].map((a) => a.buffer as ArrayBuffer);
}

/** One ParsedBatch from several, in order (a group-committed batch of several submissions). */
export function concatParsed(parts: ParsedBatch[]): ParsedBatch {
  if (parts.length === 1) return parts[0];
  const n = parts.reduce((sum, p) => sum + p.n, 0);
  const typed = <T extends { length: number; set(a: ArrayLike<number | bigint>, o: number): void }>(
    make: (len: number) => T, pick: (p: ParsedBatch) => T, width = 1,
  ): T => {
    const out = make(n * width);
    let o = 0;
    for (const p of parts) {
      out.set(pick(p) as unknown as ArrayLike<number | bigint>, o);
      o += p.n * width;
    }
    return out;
  };
  const list = (pick: (p: ParsedBatch) => Array<string | null>) => parts.flatMap(pick);
  const rejections: Rejected[] = [];
  let offset = 0;
  for (const p of parts) {
    for (const r of p.rejections) rejections.push({ ...r, index: r.index + offset });
    offset += p.n;
  }
  return {
    n, rejections,
    ok: typed((l) => new Uint8Array(l), (p) => p.ok),
    type: typed((l) => new Uint8Array(l), (p) => p.type),
    status: typed((l) => new Uint8Array(l), (p) => p.status),
    occurredAt: typed((l) => new Float64Array(l), (p) => p.occurredAt),
    offsetMinutes: typed((l) => new Int16Array(l), (p) => p.offsetMinutes),
    amount: typed((l) => new BigInt64Array(l), (p) => p.amount),
    fee: typed((l) => new BigInt64Array(l), (p) => p.fee),
    currencyKey: typed((l) => new Uint16Array(l), (p) => p.currencyKey),
    countryKey: typed((l) => new Uint16Array(l), (p) => p.countryKey),
    fingerprint: typed((l) => new Uint32Array(l), (p) => p.fingerprint),
    id: typed((l) => new Uint32Array(l), (p) => p.id, 3),
    txn: typed((l) => new Uint32Array(l), (p) => p.txn, 3),
    eventId: list((p) => p.eventId), entityId: list((p) => p.entityId), txnId: list((p) => p.txnId),
    merchantId: list((p) => p.merchantId), city: list((p) => p.city), paymentMethod: list((p) => p.paymentMethod),
    provider: list((p) => p.provider), failureReason: list((p) => p.failureReason), customerId: list((p) => p.customerId),
    reason: list((p) => p.reason), metadata: list((p) => p.metadata),
  };
}
