// Rollup deltas of one batch at minute resolution, keyed by (minute, kind, tuple). Hour and day
// deltas are folded from these, so every granularity comes from the same numbers.



export interface DeltaRows {
  minute: number[];
  kind: number[];
  tuple: number[];
  cnt: number[];
  amount: bigint[];
  fee: bigint[];
}

export interface DeltaAccumulator extends DeltaRows {
  /** Open-addressing index over (minute, tuple·8+kind): row number + 1, 0 = empty. */
  slots: Int32Array;
}

export function createAccumulator(): DeltaAccumulator {
  return { slots: new Int32Array(1 << 12), minute: [], kind: [], tuple: [], cnt: [], amount: [], fee: [] };
}

function slotHash(minute: number, kt: number): number {
  let h = Math.imul(minute, 0x9e3779b1) ^ kt;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  return (h ^ (h >>> 13)) >>> 0;
}

function regrow(acc: DeltaAccumulator): void {
  const slots = new Int32Array(acc.slots.length * 2);
  const mask = slots.length - 1;
  for (let r = 0; r < acc.minute.length; r++) {
    let i = slotHash(acc.minute[r], acc.tuple[r] * 8 + acc.kind[r]) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = r + 1;
  }
  acc.slots = slots;
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
  const kt = tuple * 8 + kind;
  const mask = acc.slots.length - 1;
  let i = slotHash(minute, kt) & mask;
  let slot = -1;
  for (;;) {
    const r = acc.slots[i];
    if (r === 0) break;
    if (acc.minute[r - 1] === minute && acc.tuple[r - 1] * 8 + acc.kind[r - 1] === kt) {
      slot = r - 1;
      break;
    }
    i = (i + 1) & mask;
  }
  if (slot < 0) {
    acc.slots[i] = acc.minute.length + 1;
    acc.minute.push(minute);
    acc.kind.push(kind);
    acc.tuple.push(tuple);
    acc.cnt.push(cnt);
    acc.amount.push(amount);
    acc.fee.push(fee);
    if (acc.minute.length * 10 > acc.slots.length * 7) regrow(acc);
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
