// Turns a parsed batch into everything one commit writes: each event is deduplicated and folded
// into the transaction state; accepted events become raw rows and rollup deltas, rejected ones
// dead letters. Pure CPU work on the in-memory state, no I/O.

import { PAYMENT_TYPES, TYPE_CODE } from '../events/contract.ts';
import type { ParsedBatch } from './parsed-batch.ts';
import { admitEvent } from '../state/dedupe-index.ts';
import { applyPayment } from '../state/txn-index.ts';
import { createAccumulator, addDelta, foldDeltas, withoutZeros, type DeltaRows } from '../state/delta-accumulator.ts';
import {
  DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER, keyOf, tupleId, tupleKey, type Tuples,
  T_CITY, T_COUNTRY, T_CURRENCY, T_MERCHANT, T_METHOD, T_PROVIDER,
} from '../state/dimensions.ts';
import { KIND_DISPUTE, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_REFUND } from '../state/rollup-kinds.ts';
import type { Hash96 } from './hash.ts';
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
  /** NDJSON lines (strings), or JSON values when `values` is set. */
  items: unknown[];
  /** The items are decoded JSON values (a JSON array body): a string among them is not an event. */
  values?: boolean;
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

// TRICKY: reading or writing a BigInt64Array element allocates a BigInt. These copy through
// 32-bit views instead (little-endian, as on every platform Node supports for DuckDB).
const views = new WeakMap<BigInt64Array, Int32Array>();
function view32(a: BigInt64Array): Int32Array {
  let v = views.get(a);
  if (!v) views.set(a, (v = new Int32Array(a.buffer, a.byteOffset, a.length * 2)));
  return v;
}

function copyInt64(dst: BigInt64Array, k: number, src: BigInt64Array, i: number): void {
  const d = view32(dst);
  const s = view32(src);
  d[2 * k] = s[2 * i];
  d[2 * k + 1] = s[2 * i + 1];
}

/** Stores an integral number (|n| < 2^53) as int64 without a BigInt. */
function setInt64(dst: BigInt64Array, k: number, n: number): void {
  const d = view32(dst);
  const high = Math.floor(n / 4294967296);
  d[2 * k] = n - high * 4294967296;
  d[2 * k + 1] = high;
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
  const d = byMinute(splitOversized(rows));
  const n = d.minute.length;
  const cols: RollupColumns = {
    minute: Int32Array.from(d.minute), kind: Uint8Array.from(d.kind), cnt: Int32Array.from(d.cnt),
    amountMinor: BigInt64Array.from(d.amount), feeMinor: BigInt64Array.from(d.fee),
    merchantKey: new Int32Array(n), countryKey: new Int32Array(n), cityKey: new Int32Array(n),
    currencyKey: new Int32Array(n), methodKey: new Int32Array(n), providerKey: new Int32Array(n),
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

// Rows sorted by time compress better in DuckDB (time columns become small deltas). Row order
// carries no meaning anywhere.
function sortRawByTime(raw: RawColumns): void {
  const n = raw.count;
  const at = new Float64Array(n);
  const t = new Int32Array(raw.occurredAt.buffer, raw.occurredAt.byteOffset, n * 2);
  for (let k = 0; k < n; k++) at[k] = t[2 * k + 1] * 4294967296 + (t[2 * k] >>> 0);
  const order = sortedOrder(at, n);
  if (order === null) return;
  for (const key of Object.keys(raw) as Array<keyof RawColumns>) {
    const col = raw[key];
    if (typeof col === 'number') continue;
    (raw as unknown as Record<string, unknown>)[key] = permute(col, order);
  }
}

/** Row indices by ascending time, or null when already in order. */
function sortedOrder(at: Float64Array, n: number): Int32Array | null {
  let sorted = true;
  let min = Infinity;
  let max = -Infinity;
  for (let k = 0; k < n; k++) {
    if (k > 0 && at[k] < at[k - 1]) sorted = false;
    if (at[k] < min) min = at[k];
    if (at[k] > max) max = at[k];
  }
  if (sorted) return null;
  let slots = 1;
  while (slots < n) slots *= 2;
  if ((max - min + 1) * slots < 2 ** 53) {
    // Pack (time, index) into one exact double and let the native numeric sort do the work.
    const keys = new Float64Array(n);
    for (let k = 0; k < n; k++) keys[k] = (at[k] - min) * slots + k;
    keys.sort();
    const order = new Int32Array(n);
    for (let k = 0; k < n; k++) order[k] = keys[k] % slots;
    return order;
  }
  return Int32Array.from(Array.from({ length: n }, (_, k) => k).sort((a, b) => at[a] - at[b]));
}

/** Delta rows ordered by bucket (they compress better so). */
function byMinute(d: DeltaRows): DeltaRows {
  const order = sortedOrder(Float64Array.from(d.minute), d.minute.length);
  if (order === null) return d;
  const pick = <V>(a: V[]): V[] => {
    const out = new Array<V>(a.length);
    for (let to = 0; to < order.length; to++) out[to] = a[order[to]];
    return out;
  };
  return {
    minute: pick(d.minute), kind: pick(d.kind), tuple: pick(d.tuple), cnt: pick(d.cnt), amount: pick(d.amount), fee: pick(d.fee),
  };
}

function permute<T extends { length: number }>(col: T, order: Int32Array): T {
  const n = order.length;
  if (col instanceof BigInt64Array) {
    const src = new Int32Array(col.buffer, col.byteOffset, col.length * 2);
    const out = new BigInt64Array(col.length);
    const dst = new Int32Array(out.buffer);
    for (let to = 0; to < n; to++) {
      const from = order[to];
      dst[2 * to] = src[2 * from];
      dst[2 * to + 1] = src[2 * from + 1];
    }
    return out as unknown as T;
  }
  if (ArrayBuffer.isView(col)) {
    const src = col as unknown as Int32Array;
    const out = new (src.constructor as Int32ArrayConstructor)(src.length);
    for (let to = 0; to < n; to++) out[to] = src[order[to]];
    return out as unknown as T;
  }
  const src = col as unknown as unknown[];
  const out = new Array<unknown>(src.length);
  for (let to = 0; to < n; to++) out[to] = src[order[to]];
  return out as unknown as T;
}

function emptyRaw(capacity: number): RawColumns {
  return {
    count: 0, eventId: [], entityId: [], txnId: [], failureReason: [], customerId: [], reason: [], metadata: [],
    type: new Uint8Array(capacity), occurredAt: new BigInt64Array(capacity), offsetMinutes: new Int16Array(capacity),
    merchantKey: new Int32Array(capacity), countryKey: new Int32Array(capacity), cityKey: new Int32Array(capacity),
    currencyKey: new Int32Array(capacity), methodKey: new Int32Array(capacity), providerKey: new Int32Array(capacity),
    status: new Uint8Array(capacity), amountMinor: new BigInt64Array(capacity), feeMinor: new BigInt64Array(capacity),
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
