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
  ids: Map<string, number>;
  keys: Int32Array; // WIDTH keys per tuple id; id 0 unused
  count: number;
}

export function createTuples(): Tuples {
  return { ids: new Map(), keys: new Int32Array(WIDTH * 4096), count: 1 };
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
  const name = merchant + ',' + country + ',' + city + ',' + currency + ',' + method + ',' + provider;
  let id = t.ids.get(name);
  if (id !== undefined) return id;
  id = t.count++;
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
  t.ids.set(name, id);
  return id;
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
