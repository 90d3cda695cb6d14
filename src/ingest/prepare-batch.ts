// Turns a parsed batch into everything one commit writes: each event is deduplicated and folded
// into the transaction state; accepted events become raw rows and rollup deltas, rejected ones
// dead letters. Pure CPU work on the in-memory state, no I/O.

import { PAYMENT_TYPES, TYPE_CODE } from '../events/contract.ts';
import type { ParsedBatch, Refusal } from './parsed-batch.ts';
import { admitEvent } from './indexes/dedupe-index.ts';
import { applyPayment } from './indexes/txn-index.ts';
import { createAccumulator, addDelta, foldDeltas, withoutZeros } from './indexes/delta-accumulator.ts';
import { DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER, keyOf, tupleId } from './indexes/dimensions.ts';
import { touchTxn, txnRows, type TxnTouches } from './txn-rows.ts';
import { copyInt64, emptyRaw, resolve, setInt64, sortRawByTime } from './batch-columns.ts';
import { KIND_DISPUTE, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_REFUND } from '../events/rollup-kinds.ts';
import type { Hash96 } from './hash.ts';
import type { IngestState } from './indexes/ingest-indexes.ts';
import type { DeadLetter, PreparedBatch, RawColumns, SourcePosition } from '../store/analytics-store.ts';

export const MAX_DEAD_LETTER_PAYLOAD = 16_384;

export type ItemResult =
  | { status: 'accepted' }
  | { status: 'duplicate' }
  | { status: 'rejected'; code: string; message: string; field?: string };

export interface BatchInput {
  source: string;
  /** Where the sources of these items stand once they are committed (see PreparedBatch.positions). */
  positions?: readonly SourcePosition[];
  /** One event's JSON text each (kept as sent in dead letters), or values from in-process sources. */
  items: unknown[];
  /** Items the source already refused, with their code. */
  refused?: readonly Refusal[];
  /** Dead letter id per item when this is a replay. */
  replayIds?: number[];
  /** Each item's index within its own submission, when several were merged into this batch. */
  itemIndex?: Int32Array;
}

export interface Prepared {
  batch: PreparedBatch;
  results: ItemResult[];
}

/** Rollup kind of each non-payment event type, by type code. */
const EVENT_KIND: Record<number, number> = {
  [TYPE_CODE.refund_created]: KIND_REFUND,
  [TYPE_CODE.dispute_created]: KIND_DISPUTE,
  [TYPE_CODE.payout_created]: KIND_PAYOUT,
  [TYPE_CODE['payout.settled']]: KIND_PAYOUT_SETTLED,
};

/**
 * The stateful half of ingest, on the engine's thread: dedupe, transaction state, dictionary
 * keys, raw rows and rollup deltas, from inputs already parsed by parseToColumns.
 */
export function prepareBatch(state: IngestState, input: BatchInput, parsed: ParsedBatch, now: number): Prepared {
  const raw = emptyRaw(parsed.n);
  const acc = createAccumulator();
  const results: ItemResult[] = new Array(input.items.length);
  const deadLetters: DeadLetter[] = [];
  const replayed: Array<{ id: number; result: string }> = [];
  const idHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  const txnHash: Hash96 = { h1: 0, h2: 0, h3: 0 };
  const touches: TxnTouches = new Map();
  const rejections = new Map(parsed.rejections.map((r) => [r.index, r]));
  const p = parsed;
  let accepted = 0;
  let duplicates = 0;
  let maxOccurredAt: number | null = null;

  for (let i = 0; i < p.n; i++) {
    let result: ItemResult;
    if (p.ok[i] === 0) {
      const r = rejections.get(i)!;
      result = r.field === undefined
        ? { status: 'rejected', code: r.code, message: r.message }
        : { status: 'rejected', code: r.code, message: r.message, field: r.field };
      deadLetters.push(deadLetter(state, input, i, r.code, r.message, input.items[i], r.eventId ?? null, now));
    } else {
      idHash.h1 = p.id[3 * i];
      idHash.h2 = p.id[3 * i + 1];
      idHash.h3 = p.id[3 * i + 2];
      const at = p.occurredAt[i];
      const verdict = admitEvent(state.dedupe, idHash, p.fingerprint[i], Math.floor(at / 86_400_000));
      if (verdict === 'duplicate') {
        duplicates++;
        result = DUPLICATE;
      } else if (verdict === 'conflict') {
        const message = `event_id ${p.eventId[i]} was already accepted with different content; the first one stands`;
        result = { status: 'rejected', code: 'duplicate_conflict', message };
        deadLetters.push(deadLetter(state, input, i, 'duplicate_conflict', message, input.items[i], p.eventId[i], now));
      } else {
        accepted++;
        if (maxOccurredAt === null || at > maxOccurredAt) maxOccurredAt = at;
        const tuple = addRaw(state, raw, p, i);
        const type = p.type[i];
        if (type < PAYMENT_TYPES.length) {
          txnHash.h1 = p.txn[3 * i];
          txnHash.h2 = p.txn[3 * i + 1];
          txnHash.h3 = p.txn[3 * i + 2];
          touchTxn(touches, state, p.entityId[i]!, txnHash);
          applyPayment(state.txns, state.tuples, txnHash, {
            at, status: p.status[i], tie: idHash.h1, tuple, amount: p.amount[i], fee: p.fee[i],
          }, acc);
        } else {
          addDelta(acc, Math.floor(at / 60000), EVENT_KIND[type], tuple, 1, p.amount[i], p.fee[i]);
        }
        result = ACCEPTED;
      }
    }
    results[i] = result;
    const replayId = input.replayIds?.[i];
    if (replayId !== undefined) replayed.push({ id: replayId, result: describe(result) });
  }

  sortRawByTime(raw);
  const minuteDeltas = withoutZeros(acc);
  const batch: PreparedBatch = {
    batchId: state.nextBatchId++,
    committedAt: now,
    source: input.source,
    positions: input.positions ?? [],
    raw,
    txns: txnRows(touches, state),
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

const ACCEPTED: ItemResult = Object.freeze({ status: 'accepted' });
const DUPLICATE: ItemResult = Object.freeze({ status: 'duplicate' });

function addRaw(state: IngestState, raw: RawColumns, p: ParsedBatch, i: number): number {
  const merchant = keyOf(state.dict, DIM_MERCHANT, p.merchantId[i]);
  const country = p.countryKey[i];
  const city = keyOf(state.dict, DIM_CITY, p.city[i]);
  const currency = p.currencyKey[i];
  const method = keyOf(state.dict, DIM_METHOD, p.paymentMethod[i]);
  const provider = keyOf(state.dict, DIM_PROVIDER, p.provider[i]);
  const type = p.type[i];
  const k = raw.count++;
  raw.eventId.push(p.eventId[i]!);
  raw.type[k] = type;
  setInt64(raw.occurredAt, k, p.occurredAt[i]);
  raw.offsetMinutes[k] = p.offsetMinutes[i];
  raw.entityId.push(p.entityId[i]!);
  raw.txnId.push(type < PAYMENT_TYPES.length ? null : p.txnId[i]);
  raw.merchantKey[k] = merchant;
  raw.countryKey[k] = country;
  raw.cityKey[k] = city;
  raw.currencyKey[k] = currency;
  raw.methodKey[k] = method;
  raw.providerKey[k] = provider;
  raw.status[k] = p.status[i];
  copyInt64(raw.amountMinor, k, p.amount, i);
  copyInt64(raw.feeMinor, k, p.fee, i);
  raw.failureReason.push(p.failureReason[i]);
  raw.customerId.push(p.customerId[i]);
  raw.reason.push(p.reason[i]);
  raw.metadata.push(p.metadata[i]);
  return tupleId(state.tuples, merchant, country, city, currency, method, provider);
}

function deadLetter(
  state: IngestState, input: BatchInput, index: number, code: string, message: string,
  item: unknown, eventId: string | null, now: number,
): DeadLetter {
  let payload = typeof item === 'string' ? item : safeStringify(item);
  const truncated = payload.length > MAX_DEAD_LETTER_PAYLOAD;
  if (truncated) payload = payload.slice(0, MAX_DEAD_LETTER_PAYLOAD);
  return {
    id: state.nextDeadLetterId++, receivedAt: now, source: input.source, batchIndex: input.itemIndex?.[index] ?? index,
    code, message, eventId, payload, payloadTruncated: truncated,
  };
}

/** A value from an in-process source as JSON; never throws (a cycle or a deep value is named, not shown). */
function safeStringify(v: unknown): string {
  try {
    return JSON.stringify(v) ?? `(not JSON: ${typeof v})`;
  } catch (err) {
    return `(a value that cannot be written as JSON: ${(err as Error).message})`;
  }
}

function describe(r: ItemResult): string {
  return r.status === 'rejected' ? `rejected:${r.code}` : r.status;
}
