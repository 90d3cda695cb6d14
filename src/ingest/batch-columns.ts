// The column side of a batch: raw rows written into typed arrays without BigInt allocations,
// sorted by time, and rollup deltas resolved to dimension keys (split when a sum would
// overflow BIGINT). Helpers of prepare-batch.ts.

import { tupleKey, type Tuples, T_CITY, T_COUNTRY, T_CURRENCY, T_MERCHANT, T_METHOD, T_PROVIDER } from './indexes/dimensions.ts';
import type { DeltaRows } from './indexes/delta-accumulator.ts';
import type { RawColumns, RollupColumns } from '../store/analytics-store.ts';

// TRICKY: reading or writing a BigInt64Array element allocates a BigInt. These copy through
// 32-bit views instead (little-endian, as on every platform Node supports for DuckDB).
const views = new WeakMap<BigInt64Array, Int32Array>();
function view32(a: BigInt64Array): Int32Array {
  let v = views.get(a);
  if (!v) views.set(a, (v = new Int32Array(a.buffer, a.byteOffset, a.length * 2)));
  return v;
}

export function copyInt64(dst: BigInt64Array, k: number, src: BigInt64Array, i: number): void {
  const d = view32(dst);
  const s = view32(src);
  d[2 * k] = s[2 * i];
  d[2 * k + 1] = s[2 * i + 1];
}

/** Stores an integral number (|n| < 2^53) as int64 without a BigInt. */
export function setInt64(dst: BigInt64Array, k: number, n: number): void {
  const d = view32(dst);
  const high = Math.floor(n / 4294967296);
  d[2 * k] = n - high * 4294967296;
  d[2 * k + 1] = high;
}

/** Delta rows with their tuple ids resolved to dimension keys, ordered by bucket. */
export function resolve(t: Tuples, rows: DeltaRows): RollupColumns {
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
export function sortRawByTime(raw: RawColumns): void {
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

export function emptyRaw(capacity: number): RawColumns {
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
