// GET /api/merchant/transactions: the merchant's transactions (its payment events folded per
// txn_id by the store, docs/metrics.md's rules), filtered, sorted by creation time or amount,
// a keyset page at a time. The cursor is opaque: the sort it belongs to, the last row's sort key
// and txn_id, so the next page starts exactly after it whatever ties the sort key has.

import { AppError } from '../errors.ts';
import { formatMinor, parseAmount } from '../events/amount.ts';
import { countryCode } from '../reference/countries.ts';
import { currencyCode, currencyExponent } from '../reference/currencies.ts';
import { STATUS_CODE } from '../events/rollup-kinds.ts';
import { dimension, type DimContext } from '../query/query-dimensions.ts';
import type { AnalyticsStore, TransactionPageQuery, TransactionRow } from '../store/analytics-store.ts';
import { decodeCursor, encodeCursor } from './page-cursor.ts';

export interface TransactionDeps {
  store: AnalyticsStore;
  dims: DimContext;
  now: () => number;
  /** How far ahead of the clock an event may be (MAX_FUTURE_SKEW_SECONDS): the default end of a range. */
  maxFutureMs: number;
}

export const SORTS = ['-created_at', 'created_at', '-amount', 'amount'] as const;
export type Sort = (typeof SORTS)[number];
export const MAX_TRANSACTION_PAGE = 200;
const STATUS_NAMES: Record<number, string> = { 1: 'pending', 2: 'succeeded', 3: 'failed' };

export interface Transaction {
  txn_id: string;
  status: string;
  /** Exact decimal in the currency's major units, from the latest event. */
  amount: string;
  fee: string;
  currency: string;
  country: string;
  city: string | null;
  payment_method: string | null;
  provider: string | null;
  customer_id: string | null;
  failure_reason: string | null;
  created_at: string;
  updated_at: string;
  event_count: number;
}

export interface TransactionFilters {
  statuses: string[];
  currencies: string[];
  methods: string[];
  providers: string[];
  amountMin?: string;
  amountMax?: string;
  /** Creation range, epoch ms. */
  from?: number;
  to?: number;
  search?: string;
}

export function decodeTransaction(r: TransactionRow, dims: DimContext): Transaction {
  const currency = currencyCode(r.currencyKey);
  const exponent = currencyExponent(currency) ?? 0;
  return {
    txn_id: r.txnId,
    status: STATUS_NAMES[r.status] ?? 'pending',
    amount: formatMinor(r.amountMinor, exponent),
    fee: formatMinor(r.feeMinor, exponent),
    currency,
    country: countryCode(r.countryKey),
    city: dimension('city').decode(r.cityKey, dims),
    payment_method: dimension('payment_method').decode(r.methodKey, dims),
    provider: dimension('provider').decode(r.providerKey, dims),
    customer_id: r.customerId,
    failure_reason: r.failureReason,
    created_at: new Date(r.createdAt).toISOString(),
    updated_at: new Date(r.updatedAt).toISOString(),
    event_count: r.events,
  };
}

/** The store query for a merchant and filters; merchants never seen match nothing. */
export function transactionQuery(deps: TransactionDeps, merchantId: string, f: TransactionFilters, sort: Sort): TransactionPageQuery {
  const keys = (name: string, values: string[]) => (values.length ? dimension(name).filter(values, deps.dims).keys : null);
  return {
    merchantKey: dimension('merchant_id').filter([merchantId], deps.dims).keys[0],
    from: f.from ?? 0,
    to: f.to ?? deps.now() + deps.maxFutureMs + 60_000,
    statuses: f.statuses.length ? f.statuses.map(statusCode) : null,
    currencyKeys: keys('currency', f.currencies),
    methodKeys: keys('payment_method', f.methods),
    providerKeys: keys('provider', f.providers),
    ...amountBounds(f),
    txnId: null,
    search: f.search ?? null,
    sort: sort.endsWith('amount') ? 'amount' : 'created',
    descending: sort.startsWith('-'),
    after: null,
    limit: MAX_TRANSACTION_PAGE,
  };
}

function statusCode(s: string): number {
  const code = Object.hasOwn(STATUS_CODE, s) ? STATUS_CODE[s as keyof typeof STATUS_CODE] : undefined;
  if (code === undefined) throw new AppError('invalid_parameter', `unknown status ${JSON.stringify(s)}; expected pending, succeeded or failed`);
  return code;
}

/** Amounts are compared in minor units of one currency: a bound needs exactly one currency to be read in. */
function amountBounds(f: TransactionFilters): { amountMin: bigint | null; amountMax: bigint | null } {
  if (f.amountMin === undefined && f.amountMax === undefined) return { amountMin: null, amountMax: null };
  if (f.currencies.length !== 1) throw new AppError('invalid_parameter', 'amount_min and amount_max need exactly one currency (amounts of different currencies do not compare)');
  const exponent = currencyExponent(f.currencies[0]) ?? 0;
  const read = (name: string, v: string | undefined) => {
    if (v === undefined) return null;
    const minor = parseAmount(v, exponent, name);
    if (typeof minor !== 'bigint') throw new AppError('invalid_parameter', `${minor.message} (a decimal in ${f.currencies[0]}'s major units)`);
    return minor;
  };
  return { amountMin: read('amount_min', f.amountMin), amountMax: read('amount_max', f.amountMax) };
}

export function transactionCursor(sort: Sort, row: TransactionRow): string {
  const key = sort.endsWith('amount') ? row.amountMinor : BigInt(row.createdAt);
  return encodeCursor([sort, key.toString(), row.txnId]);
}

function positionOf(cursor: string, sort: Sort): { key: bigint; txnId: string } {
  const [, key, txnId] = decodeCursor(cursor,
    (p) => p.length === 3 && p[0] === sort && /^-?[0-9]{1,19}$/.test(p[1]) && p[2].length >= 1 && p[2].length <= 128,
    'cursor is not one this API returned for this sort');
  return { key: BigInt(key), txnId };
}

export async function listTransactions(
  deps: TransactionDeps, merchantId: string, f: TransactionFilters, o: { sort: Sort; cursor?: string; limit: number },
): Promise<{ items: Transaction[]; next_cursor: string | null }> {
  const q = transactionQuery(deps, merchantId, f, o.sort);
  const after = o.cursor === undefined ? null : positionOf(o.cursor, o.sort);
  const rows = await deps.store.merchantTransactionPage({ ...q, after, limit: o.limit + 1 });
  const page = rows.slice(0, o.limit);
  return {
    items: page.map((r) => decodeTransaction(r, deps.dims)),
    next_cursor: rows.length > o.limit ? transactionCursor(o.sort, page[page.length - 1]) : null,
  };
}
