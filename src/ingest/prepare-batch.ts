// Turns a batch of untrusted inputs into everything one commit writes: each input is parsed,
// deduplicated and folded into the transaction state; accepted events become raw rows and
// rollup deltas, rejected ones dead letters. Pure CPU work on the in-memory state, no I/O.

import { parseEvent, parseEventLine } from '../events/parse-event.ts';
import { isPaymentType, TYPE_CODE, type NormalizedEvent, type ParseContext } from '../events/contract.ts';
import { currencyKey } from '../reference/currencies.ts';
import { countryKey } from '../reference/countries.ts';
import { admitEvent } from '../state/dedupe-index.ts';
import { applyPayment } from '../state/txn-index.ts';
import { createAccumulator, addDelta, foldDeltas, withoutZeros, type DeltaRows } from '../state/delta-accumulator.ts';
import {
  DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER, keyOf, tupleId, tupleKey, type Tuples,
  T_CITY, T_COUNTRY, T_CURRENCY, T_MERCHANT, T_METHOD, T_PROVIDER,
} from '../state/dimensions.ts';
import { KIND_DISPUTE, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_REFUND, STATUS_CODE } from '../state/rollup-kinds.ts';
import { fingerprint } from './fingerprint.ts';
import { hash96, type Hash96 } from './hash.ts';
import type { IngestState } from './ingest-state.ts';
import type { DeadLetter, PreparedBatch, RawColumns, RollupColumns } from '../store/analytics-store.ts';

export const MAX_DEAD_LETTER_PAYLOAD = 16_384;

export type ItemResult =
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'rejected'; code: string; message: string; field?: string };

export interface BatchInput {
  source: string;
  position: string | null;
  /** NDJSON lines (strings) or already-parsed JSON values. */
  items: unknown[];
  /** Dead letter id per item when this is a replay. */
  replayIds?: number[];
}

export interface Prepared {
  batch: PreparedBatch;
  results: ItemResult[];
}

const EVENT_KIND: Record<string, number> = {
  refund_created: KIND_REFUND,
  dispute_created: KIND_DISPUTE,
  payout_created: KIND_PAYOUT,
  'payout.settled': KIND_PAYOUT_SETTLED,
};

export function prepareBatch(state: IngestState, input: BatchInput, ctx: ParseContext): Prepared {
  const raw = emptyRaw();
  const acc = createAccumulator();
  const results: ItemResult[] = new Array(input.items.length);
  const deadLetters: DeadLetter[] = [];
  const replayed: Array<{ id: number; result: string }> = [];
  const idHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  const txnHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  let accepted = 0;
  let duplicates = 0;
  let maxOccurredAt: number | null = null;

  for (let i = 0; i < input.items.length; i++) {
    const item = input.items[i];
    const parsed = typeof item === 'string' ? parseEventLine(item, ctx) : parseEvent(item, ctx);
    let result: ItemResult;
    if (!parsed.ok) {
      result = { status: 'rejected', code: parsed.code, message: parsed.message, ...(parsed.field ? { field: parsed.field } : {}) };
      deadLetters.push(deadLetter(state, input, i, parsed.code, parsed.message, item, null, ctx.now));
    } else {
      const e = parsed.event;
      const fp = fingerprint(e);
      hash96(e.eventId, idHash);
      const verdict = admitEvent(state.dedupe, idHash, fp, Math.floor(e.occurredAt / 86_400_000));
      if (verdict === 'duplicate') {
        duplicates++;
        result = { status: 'duplicate' };
      } else if (verdict === 'conflict') {
        const message = `event_id ${e.eventId} was already accepted with different content; the first one stands`;
        result = { status: 'rejected', code: 'duplicate_conflict', message };
        deadLetters.push(deadLetter(state, input, i, 'duplicate_conflict', message, item, e.eventId, ctx.now));
      } else {
        accepted++;
        if (maxOccurredAt === null || e.occurredAt > maxOccurredAt) maxOccurredAt = e.occurredAt;
        const tuple = addRaw(state, raw, e, fp);
        if (isPaymentType(e.type)) {
          hash96(e.entityId, txnHash);
          applyPayment(state.txns, state.tuples, txnHash, {
            at: e.occurredAt, status: STATUS_CODE[e.status!], tie: idHash.h1, tuple,
            amount: e.amountMinor, fee: e.feeMinor,
          }, acc);
        } else {
          addDelta(acc, Math.floor(e.occurredAt / 60000), EVENT_KIND[e.type], tuple, 1, e.amountMinor, e.feeMinor);
        }
        result = { status: 'accepted' };
      }
    }
    results[i] = result;
    const replayId = input.replayIds?.[i];
    if (replayId !== undefined) replayed.push({ id: replayId, result: describe(result) });
  }

  const minuteDeltas = withoutZeros(acc);
  const batch: PreparedBatch = {
    batchId: state.nextBatchId++,
    committedAt: ctx.now,
    source: input.source,
    position: input.position,
    raw,
    rollups: {
      minute: resolve(state.tuples, minuteDeltas),
      hour: resolve(state.tuples, foldDeltas(minuteDeltas, 60)),
      day: resolve(state.tuples, foldDeltas(minuteDeltas, 1440)),
    },
    dictionary: state.dict.fresh.splice(0),
    deadLetters,
    replayed,
    accepted,
    duplicates,
    rejected: deadLetters.length,
    maxOccurredAt,
  };
  return { batch, results };
}

function addRaw(state: IngestState, raw: RawColumns, e: NormalizedEvent, fp: number): number {
  const merchant = keyOf(state.dict, DIM_MERCHANT, e.merchantId);
  const country = countryKey(e.country);
  const city = keyOf(state.dict, DIM_CITY, e.city);
  const currency = currencyKey(e.currency);
  const method = keyOf(state.dict, DIM_METHOD, e.paymentMethod);
  const provider = keyOf(state.dict, DIM_PROVIDER, e.provider);
  raw.eventId.push(e.eventId);
  raw.type.push(TYPE_CODE[e.type]);
  raw.occurredAt.push(BigInt(e.occurredAt));
  raw.offsetMinutes.push(e.offsetMinutes);
  raw.entityId.push(e.entityId);
  raw.txnId.push(isPaymentType(e.type) ? null : e.txnId);
  raw.merchantKey.push(merchant);
  raw.countryKey.push(country);
  raw.cityKey.push(city);
  raw.currencyKey.push(currency);
  raw.methodKey.push(method);
  raw.providerKey.push(provider);
  raw.status.push(e.status ? STATUS_CODE[e.status] : 0);
  raw.amountMinor.push(e.amountMinor);
  raw.feeMinor.push(e.feeMinor);
  raw.failureReason.push(e.failureReason);
  raw.customerId.push(e.customerId);
  raw.reason.push(e.reason);
  raw.metadata.push(e.metadata);
  raw.fingerprint.push(fp);
  return tupleId(state.tuples, merchant, country, city, currency, method, provider);
}

function deadLetter(
  state: IngestState, input: BatchInput, index: number, code: string, message: string,
  item: unknown, eventId: string | null, now: number,
): DeadLetter {
  let payload = typeof item === 'string' ? item : safeStringify(item);
  const truncated = payload.length > MAX_DEAD_LETTER_PAYLOAD;
  if (truncated) payload = payload.slice(0, MAX_DEAD_LETTER_PAYLOAD);
  if (eventId === null && item !== null && typeof item === 'object' && typeof (item as { event_id?: unknown }).event_id === 'string') {
    eventId = ((item as { event_id: string }).event_id).slice(0, 128);
  }
  return {
    id: state.nextDeadLetterId++, receivedAt: now, source: input.source, batchIndex: index,
    code, message, eventId, payload, payloadTruncated: truncated,
  };
}

function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function describe(r: ItemResult): string {
  return r.status === 'rejected' ? `rejected:${r.code}` : r.status;
}

function resolve(t: Tuples, rows: DeltaRows): RollupColumns {
  const d = splitOversized(rows);
  const n = d.minute.length;
  const cols: RollupColumns = {
    minute: d.minute, kind: d.kind, cnt: d.cnt, amountMinor: d.amount, feeMinor: d.fee,
    merchantKey: new Array(n), countryKey: new Array(n), cityKey: new Array(n),
    currencyKey: new Array(n), methodKey: new Array(n), providerKey: new Array(n),
  };
  for (let i = 0; i < n; i++) {
    const id = d.tuple[i];
    cols.merchantKey[i] = tupleKey(t, id, T_MERCHANT);
    cols.countryKey[i] = tupleKey(t, id, T_COUNTRY);
    cols.cityKey[i] = tupleKey(t, id, T_CITY);
    cols.currencyKey[i] = tupleKey(t, id, T_CURRENCY);
    cols.methodKey[i] = tupleKey(t, id, T_METHOD);
    cols.providerKey[i] = tupleKey(t, id, T_PROVIDER);
  }
  return cols;
}

function emptyRaw(): RawColumns {
  return {
    eventId: [], type: [], occurredAt: [], offsetMinutes: [], entityId: [], txnId: [],
    merchantKey: [], countryKey: [], cityKey: [], currencyKey: [], methodKey: [], providerKey: [],
    status: [], amountMinor: [], feeMinor: [], failureReason: [], customerId: [], reason: [],
    metadata: [], fingerprint: [],
  };
}

const INT64_MAX = 2n ** 63n - 1n;

/** Rows are additive, so a sum beyond BIGINT is stored as several rows instead of failing. */
function splitOversized(d: DeltaRows): DeltaRows {
  let oversized = false;
  for (let i = 0; i < d.amount.length && !oversized; i++) {
    oversized = abs(d.amount[i]) > INT64_MAX || abs(d.fee[i]) > INT64_MAX;
  }
  if (!oversized) return d;
  const out: DeltaRows = { minute: [], kind: [], tuple: [], cnt: [], amount: [], fee: [] };
  for (let i = 0; i < d.minute.length; i++) {
    let amount = d.amount[i];
    let fee = d.fee[i];
    let cnt = d.cnt[i];
    do {
      const a = clamp(amount);
      const f = clamp(fee);
      out.minute.push(d.minute[i]); out.kind.push(d.kind[i]); out.tuple.push(d.tuple[i]);
      out.cnt.push(cnt); out.amount.push(a); out.fee.push(f);
      amount -= a; fee -= f; cnt = 0;
    } while (amount !== 0n || fee !== 0n);
  }
  return out;
}

function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

function clamp(x: bigint): bigint {
  return x > INT64_MAX ? INT64_MAX : x < -INT64_MAX ? -INT64_MAX : x;
}
