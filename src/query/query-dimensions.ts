// The query dimensions: how each one groups and filters, as data over the key columns of rollup
// rows (store/query-shapes.ts: values are translated to integer keys here, so no user string
// ever reaches the store), and how a group decodes back to its value.

import { AppError } from '../errors.ts';
import { COUNTRY_CODES, countryCode, countryKey } from '../reference/countries.ts';
import { CURRENCY_CODES, currencyCode, currencyKey } from '../reference/currencies.ts';
import { OTHER_REGION } from '../reference/regions.ts';
import { DIM_CITY, DIM_MERCHANT, DIM_METHOD, DIM_PROVIDER, lookupKey, valueOf, type Dictionary } from '../ingest/indexes/dimensions.ts';
import {
  KIND_DISPUTE, KIND_FAILED, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND, KIND_SUCCEEDED,
} from '../events/rollup-kinds.ts';
import type { Grouping, KeyColumn, KeyFilter } from '../store/query-shapes.ts';

export const DIMENSIONS = [
  'merchant_id', 'country', 'region', 'city', 'currency', 'payment_method', 'provider', 'type', 'status',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

export interface DimContext {
  dict: Dictionary;
  regions: ReadonlyMap<string, string>;
}

interface DimDef {
  group(ctx: DimContext): Grouping;
  filter(values: string[], ctx: DimContext): KeyFilter;
  decode(v: unknown, ctx: DimContext): string | null;
  /** How many distinct groups it can have (an upper bound: what the dictionary or table knows). */
  cardinality(ctx: DimContext): number;
}

const TYPE_KINDS: Record<string, number[]> = {
  payment: [KIND_PENDING, KIND_SUCCEEDED, KIND_FAILED],
  refund: [KIND_REFUND],
  dispute: [KIND_DISPUTE],
  payout: [KIND_PAYOUT, KIND_PAYOUT_SETTLED],
};
const STATUS_KINDS: Record<string, number[]> = {
  pending: [KIND_PENDING],
  succeeded: [KIND_SUCCEEDED],
  failed: [KIND_FAILED],
  created: [KIND_REFUND, KIND_DISPUTE, KIND_PAYOUT],
  settled: [KIND_PAYOUT_SETTLED],
};

const inList = (column: KeyColumn, keys: number[]): KeyFilter => ({ column, keys });

function dictDim(column: KeyColumn, dim: number): DimDef {
  return {
    group: () => ({ column }),
    // An unknown value matches nothing (it has never been seen).
    filter: (values, ctx) => inList(column, values.map((v) => lookupKey(ctx.dict, dim, v) ?? -1)),
    decode: (v, ctx) => valueOf(ctx.dict, dim, Number(v)),
    cardinality: (ctx) => ctx.dict.values[dim].length, // every value seen, and absent (key 0)
  };
}

function enumDim(column: KeyColumn, table: Record<string, number[]>, name: string): DimDef {
  const labels = Object.entries(table).map(([label, keys]) => ({ label, keys }));
  return {
    group: () => ({ column, labels, otherwise: null }),
    filter: (values) => inList(column, values.flatMap((v) => {
      const kinds = Object.hasOwn(table, v) ? table[v] : undefined;
      if (!kinds) throw new AppError('invalid_parameter', `unknown ${name} ${JSON.stringify(v)}; expected one of ${Object.keys(table).join(', ')}`);
      return kinds;
    })),
    decode: (v) => (v === null ? null : String(v)),
    cardinality: () => Object.keys(table).length,
  };
}

function countryKeysOfRegion(region: string, ctx: DimContext): number[] {
  return COUNTRY_CODES.filter((c) => (ctx.regions.get(c) ?? OTHER_REGION) === region).map(countryKey);
}

const DEFS: Record<Dimension, DimDef> = {
  merchant_id: dictDim('merchant_key', DIM_MERCHANT),
  city: dictDim('city_key', DIM_CITY),
  payment_method: dictDim('method_key', DIM_METHOD),
  provider: dictDim('provider_key', DIM_PROVIDER),
  country: {
    group: () => ({ column: 'country_key' }),
    filter: (values) => inList('country_key', values.map((v) => {
      const k = countryKey(v);
      if (!k) throw new AppError('invalid_parameter', `unknown country ${JSON.stringify(v)}; expected ISO 3166-1 alpha-2`);
      return k;
    })),
    decode: (v) => countryCode(Number(v)),
    cardinality: () => COUNTRY_CODES.length,
  },
  currency: {
    group: () => ({ column: 'currency_key' }),
    filter: (values) => inList('currency_key', values.map((v) => {
      const k = currencyKey(v);
      if (!k) throw new AppError('invalid_parameter', `unknown currency ${JSON.stringify(v)}; expected ISO 4217 alpha-3`);
      return k;
    })),
    decode: (v) => currencyCode(Number(v)),
    cardinality: () => CURRENCY_CODES.length,
  },
  region: {
    group: (ctx) => {
      const regions = [...new Set(ctx.regions.values())].filter((r) => r !== OTHER_REGION).sort();
      const labels = regions.map((r) => ({ label: r, keys: countryKeysOfRegion(r, ctx) }));
      return { column: 'country_key', labels, otherwise: OTHER_REGION };
    },
    filter: (values, ctx) => {
      const known = new Set([...ctx.regions.values(), OTHER_REGION]);
      return inList('country_key', values.flatMap((r) => {
        if (!known.has(r)) throw new AppError('invalid_parameter', `unknown region ${JSON.stringify(r)}; expected one of ${[...known].sort().join(', ')}`);
        return countryKeysOfRegion(r, ctx);
      }));
    },
    decode: (v) => (v === null ? null : String(v)),
    cardinality: (ctx) => new Set(ctx.regions.values()).size + 1, // and OTHER
  },
  type: enumDim('kind', TYPE_KINDS, 'type'),
  status: enumDim('kind', STATUS_KINDS, 'status'),
};

export function isDimension(name: string): name is Dimension {
  return (DIMENSIONS as readonly string[]).includes(name);
}

export function dimension(name: string): DimDef {
  if (!isDimension(name)) {
    throw new AppError('unknown_dimension', `unknown dimension ${JSON.stringify(name)}; expected one of ${DIMENSIONS.join(', ')}`);
  }
  return DEFS[name];
}
