// Dimension values as small integers. Open-ended dimensions (merchant, city, method, provider)
// are interned into a dictionary persisted with each batch; currency and country use the fixed
// ISO tables' keys. A "tuple" is one combination of all six keys, interned so that rollup
// deltas can be keyed by a single integer on the hot path.

export const DICT_DIMS = ['merchant_id', 'city', 'payment_method', 'provider'] as const;
export type DictDim = (typeof DICT_DIMS)[number];
export const DIM_MERCHANT = 0;
export const DIM_CITY = 1;
export const DIM_METHOD = 2;
export const DIM_PROVIDER = 3;

export interface Dictionary {
  keys: Array<Map<string, number>>;
  values: string[][]; // values[dim][key]; key 0 = absent
  fresh: Array<{ dim: number; key: number; value: string }>; // not yet persisted
}

export function createDictionary(): Dictionary {
  return {
    keys: DICT_DIMS.map(() => new Map<string, number>()),
    values: DICT_DIMS.map(() => ['']),
    fresh: [],
  };
}

export function keyOf(dict: Dictionary, dim: number, value: string | null): number {
  if (value === null) return 0;
  const map = dict.keys[dim];
  let key = map.get(value);
  if (key === undefined) {
    key = dict.values[dim].length;
    map.set(value, key);
    dict.values[dim].push(value);
    dict.fresh.push({ dim, key, value });
  }
  return key;
}

/** Registers a persisted entry (at startup). */
export function restoreKey(dict: Dictionary, dim: number, key: number, value: string): void {
  dict.keys[dim].set(value, key);
  const values = dict.values[dim];
  while (values.length <= key) values.push('');
  values[key] = value;
}

export function lookupKey(dict: Dictionary, dim: number, value: string): number | undefined {
  return dict.keys[dim].get(value);
}

export function valueOf(dict: Dictionary, dim: number, key: number): string | null {
  return key === 0 ? null : (dict.values[dim][key] ?? null);
}

// Tuple columns: merchant, country, city, currency, method, provider.
export const T_MERCHANT = 0;
export const T_COUNTRY = 1;
export const T_CITY = 2;
export const T_CURRENCY = 3;
export const T_METHOD = 4;
export const T_PROVIDER = 5;
const WIDTH = 6;
export const MAX_TUPLES = 1 << 25;

export interface Tuples {
  /** Open-addressing table of tuple ids (0 = empty), hashed on the six keys. */
  slots: Int32Array;
  keys: Int32Array; // WIDTH keys per tuple id; id 0 unused
  count: number;
}

export function createTuples(): Tuples {
  return { slots: new Int32Array(1 << 14), keys: new Int32Array(WIDTH * 4096), count: 1 };
}

function tupleHash(a: number, b: number, c: number, d: number, e: number, f: number): number {
  let h = Math.imul(a, 0x9e3779b1) ^ b;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ c;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) ^ d;
  h = Math.imul(h ^ (h >>> 16), 0x9e3779b1) ^ e;
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) ^ f;
  h ^= h >>> 16;
  return h >>> 0;
}

export function tupleId(
  t: Tuples,
  merchant: number,
  country: number,
  city: number,
  currency: number,
  method: number,
  provider: number,
): number {
  const mask = t.slots.length - 1;
  let i = tupleHash(merchant, country, city, currency, method, provider) & mask;
  const k = t.keys;
  for (;;) {
    const id = t.slots[i];
    if (id === 0) break;
    const o = id * WIDTH;
    if (k[o] === merchant && k[o + 1] === country && k[o + 2] === city && k[o + 3] === currency &&
      k[o + 4] === method && k[o + 5] === provider) return id;
    i = (i + 1) & mask;
  }
  const id = t.count++;
  if (id >= MAX_TUPLES) throw new Error('dimension tuple space exhausted; restart to compact');
  if ((id + 1) * WIDTH > t.keys.length) {
    const bigger = new Int32Array(t.keys.length * 2);
    bigger.set(t.keys);
    t.keys = bigger;
  }
  const o = id * WIDTH;
  t.keys[o] = merchant;
  t.keys[o + 1] = country;
  t.keys[o + 2] = city;
  t.keys[o + 3] = currency;
  t.keys[o + 4] = method;
  t.keys[o + 5] = provider;
  t.slots[i] = id;
  if (t.count * 10 > t.slots.length * 7) rehashTuples(t);
  return id;
}

function rehashTuples(t: Tuples): void {
  rebuildSlots(t, t.slots.length * 2);
}

/** Restores tuples saved as their key rows (ids 1…count-1), rebuilding the lookup table. */
export function restoreTuples(t: Tuples, keys: Int32Array, count: number): void {
  t.keys = keys;
  t.count = count;
  let size = 1 << 14;
  while (count * 10 > size * 7) size *= 2;
  rebuildSlots(t, size);
}

function rebuildSlots(t: Tuples, size: number): void {
  const slots = new Int32Array(size);
  const mask = slots.length - 1;
  const k = t.keys;
  for (let id = 1; id < t.count; id++) {
    const o = id * WIDTH;
    let i = tupleHash(k[o], k[o + 1], k[o + 2], k[o + 3], k[o + 4], k[o + 5]) & mask;
    while (slots[i] !== 0) i = (i + 1) & mask;
    slots[i] = id;
  }
  t.slots = slots;
}

export function tupleKey(t: Tuples, id: number, col: number): number {
  return t.keys[id * WIDTH + col];
}

/** The tuple of `primary` with its absent city/method/provider filled from `fallback`. */
export function mergeTuples(t: Tuples, primary: number, fallback: number): number {
  if (primary === fallback) return primary;
  const p = primary * WIDTH;
  const f = fallback * WIDTH;
  const k = t.keys;
  if (k[p + 2] !== 0 && k[p + 4] !== 0 && k[p + 5] !== 0) return primary;
  return tupleId(
    t,
    k[p],
    k[p + 1],
    k[p + 2] || k[f + 2],
    k[p + 3],
    k[p + 4] || k[f + 4],
    k[p + 5] || k[f + 5],
  );
}
