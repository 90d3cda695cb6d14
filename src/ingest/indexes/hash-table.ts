// Open-addressing hash table over 96-bit hashed keys with payload columns in typed arrays.
// It holds millions of entries at a few dozen bytes each, where a Map of strings would take
// ten times that. Both in-memory indexes (dedupe, transactions) are built on it.

import type { Hash96 } from '../hash.ts';

type Column = Uint8Array | Uint16Array | Uint32Array | Int32Array | Float64Array | BigInt64Array;
type ColumnCtor = { new (n: number): Column };

export interface HashTable<C extends Record<string, Column>> {
  size: number;
  capacity: number;
  cols: C;
  used: Uint8Array;
  k1: Uint32Array;
  k2: Uint32Array;
  k3: Uint32Array;
}

export function createHashTable<C extends Record<string, Column>>(
  spec: { [K in keyof C]: ColumnCtor },
  expected = 0,
): HashTable<C> {
  let capacity = 1 << 16;
  while (expected * 10 > capacity * 7) capacity *= 2;
  const cols = {} as C;
  for (const name of Object.keys(spec) as Array<keyof C>) cols[name] = new spec[name](capacity) as C[keyof C];
  return {
    size: 0,
    capacity,
    cols,
    used: new Uint8Array(capacity),
    k1: new Uint32Array(capacity),
    k2: new Uint32Array(capacity),
    k3: new Uint32Array(capacity),
  };
}

/** Slot for key h, claiming an empty one if absent (payload columns are then zero). */
export function claimSlot(t: HashTable<Record<string, Column>>, h: Hash96): { slot: number; fresh: boolean } {
  if ((t.size + 1) * 10 > t.capacity * 7) grow(t);
  const mask = t.capacity - 1;
  let i = h.h1 & mask;
  while (t.used[i] === 1) {
    if (t.k1[i] === h.h1 && t.k2[i] === h.h2 && t.k3[i] === h.h3) return { slot: i, fresh: false };
    i = (i + 1) & mask;
  }
  t.used[i] = 1;
  t.k1[i] = h.h1;
  t.k2[i] = h.h2;
  t.k3[i] = h.h3;
  t.size++;
  return { slot: i, fresh: true };
}

/** Slot of key h, or -1 when absent. */
export function findSlot(t: HashTable<Record<string, Column>>, h: Hash96): number {
  const mask = t.capacity - 1;
  let i = h.h1 & mask;
  while (t.used[i] === 1) {
    if (t.k1[i] === h.h1 && t.k2[i] === h.h2 && t.k3[i] === h.h3) return i;
    i = (i + 1) & mask;
  }
  return -1;
}

/** Rebuilds the table keeping only the slots for which keep(slot) is true. */
export function retain(t: HashTable<Record<string, Column>>, keep: (slot: number) => boolean): number {
  let removed = 0;
  const old = snapshot(t);
  const survivors: number[] = [];
  for (let i = 0; i < old.capacity; i++) {
    if (old.used[i] !== 1) continue;
    if (keep(i)) survivors.push(i);
    else removed++;
  }
  let capacity = 1 << 16;
  while (survivors.length * 10 > capacity * 7) capacity *= 2;
  rehash(t, old, capacity, survivors);
  return removed;
}

/** Approximate bytes held by the table. */
export function tableBytes(t: HashTable<Record<string, Column>>): number {
  let bytes = t.used.byteLength + t.k1.byteLength * 3;
  for (const c of Object.values(t.cols)) bytes += c.byteLength;
  return bytes;
}

function grow(t: HashTable<Record<string, Column>>): void {
  const old = snapshot(t);
  const slots: number[] = [];
  for (let i = 0; i < old.capacity; i++) if (old.used[i] === 1) slots.push(i);
  rehash(t, old, old.capacity * 2, slots);
}

function snapshot(t: HashTable<Record<string, Column>>): HashTable<Record<string, Column>> {
  return { ...t, cols: { ...t.cols } };
}

function rehash(
  t: HashTable<Record<string, Column>>,
  old: HashTable<Record<string, Column>>,
  capacity: number,
  slots: number[],
): void {
  t.capacity = capacity;
  t.used = new Uint8Array(capacity);
  t.k1 = new Uint32Array(capacity);
  t.k2 = new Uint32Array(capacity);
  t.k3 = new Uint32Array(capacity);
  const mask = capacity - 1;
  const target = new Int32Array(slots.length);
  for (let n = 0; n < slots.length; n++) {
    const s = slots[n];
    let i = old.k1[s] & mask;
    while (t.used[i] === 1) i = (i + 1) & mask;
    t.used[i] = 1;
    t.k1[i] = old.k1[s];
    t.k2[i] = old.k2[s];
    t.k3[i] = old.k3[s];
    target[n] = i;
  }
  t.size = slots.length;
  for (const name of Object.keys(old.cols)) {
    const src = old.cols[name];
    const dst = new (src.constructor as ColumnCtor)(capacity);
    copyColumn(dst, src, slots, target);
    t.cols[name] = dst;
  }
}

function copyColumn(dst: Column, src: Column, from: number[], to: Int32Array): void {
  if (dst instanceof BigInt64Array) {
    const s = src as BigInt64Array;
    for (let n = 0; n < from.length; n++) dst[to[n]] = s[from[n]];
    return;
  }
  const d = dst as Float64Array;
  const s = src as Float64Array;
  for (let n = 0; n < from.length; n++) d[to[n]] = s[from[n]];
}
