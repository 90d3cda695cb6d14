// Rollup deltas of one batch at minute resolution, keyed by (minute, kind, tuple). Hour and day
// deltas are folded from these, so every granularity comes from the same numbers.

import { KIND_PAYOUT_SETTLED } from './rollup-kinds.ts';

const BASE_MINUTE = 26_297_280; // 2020-01-01T00:00Z in epoch minutes
const TUPLE_SPAN = 2 ** 25;
const KIND_SPAN = 8 * TUPLE_SPAN;

export interface DeltaRows {
  minute: number[];
  kind: number[];
  tuple: number[];
  cnt: number[];
  amount: bigint[];
  fee: bigint[];
}

export interface DeltaAccumulator extends DeltaRows {
  slots: Map<number, number>;
}

export function createAccumulator(): DeltaAccumulator {
  return { slots: new Map(), minute: [], kind: [], tuple: [], cnt: [], amount: [], fee: [] };
}

export function addDelta(
  acc: DeltaAccumulator,
  minute: number,
  kind: number,
  tuple: number,
  cnt: number,
  amount: bigint,
  fee: bigint,
): void {
  const key = (minute - BASE_MINUTE) * KIND_SPAN + kind * TUPLE_SPAN + tuple;
  const slot = acc.slots.get(key);
  if (slot === undefined) {
    acc.slots.set(key, acc.minute.length);
    acc.minute.push(minute);
    acc.kind.push(kind);
    acc.tuple.push(tuple);
    acc.cnt.push(cnt);
    acc.amount.push(amount);
    acc.fee.push(fee);
  } else {
    acc.cnt[slot] += cnt;
    acc.amount[slot] += amount;
    acc.fee[slot] += fee;
  }
}

/** The rows re-bucketed to `periodMinutes` (60, 1440), with rows that net to zero dropped. */
export function foldDeltas(rows: DeltaRows, periodMinutes: number): DeltaRows {
  const out = createAccumulator();
  for (let i = 0; i < rows.minute.length; i++) {
    const m = rows.minute[i];
    const bucket = m - (((m % periodMinutes) + periodMinutes) % periodMinutes);
    addDelta(out, bucket, rows.kind[i], rows.tuple[i], rows.cnt[i], rows.amount[i], rows.fee[i]);
  }
  return withoutZeros(out);
}

export function withoutZeros(rows: DeltaRows): DeltaRows {
  const out: DeltaRows = { minute: [], kind: [], tuple: [], cnt: [], amount: [], fee: [] };
  for (let i = 0; i < rows.minute.length; i++) {
    if (rows.cnt[i] === 0 && rows.amount[i] === 0n && rows.fee[i] === 0n) continue;
    out.minute.push(rows.minute[i]);
    out.kind.push(rows.kind[i]);
    out.tuple.push(rows.tuple[i]);
    out.cnt.push(rows.cnt[i]);
    out.amount.push(rows.amount[i]);
    out.fee.push(rows.fee[i]);
  }
  return out;
}

export function isValidKind(kind: number): boolean {
  return kind >= 1 && kind <= KIND_PAYOUT_SETTLED;
}
