// GET /api/merchant/transactions/{id}: one of the merchant's transactions and its events, oldest
// first — its payment lifecycle and the refunds and disputes naming it. A transaction of another
// merchant is looked up within this merchant only, so it is missing exactly as an unknown id is:
// the same 404, byte for byte.

import { AppError } from '../errors.ts';
import { MAX_ID } from '../events/parse-event.ts';
import { listRawEvents, MAX_PAGE, type RawEvent } from '../query/raw-events.ts';
import { QUERY_TIME_MAX } from '../query/run-query.ts';
import { decodeTransaction, transactionQuery, type Transaction, type TransactionDeps } from './list-transactions.ts';
import type { TransactionRow } from '../store/analytics-store.ts';

export interface TransactionDetail {
  transaction: Transaction;
  /** Oldest first. */
  events: RawEvent[];
  /** More than MAX_PAGE events name the transaction: the newest MAX_PAGE are given. */
  events_truncated: boolean;
}

/** The merchant's transaction folded from its events (the store's row); 404 when the merchant has none of that id. */
export async function findTransaction(deps: TransactionDeps, merchantId: string, txnId: string): Promise<TransactionRow> {
  // JSON Schema counts code points, the contract UTF-16 units: the exact rule is checked here.
  if (txnId.length > MAX_ID) throw new AppError('invalid_parameter', `a transaction id is at most ${MAX_ID} UTF-16 units`);
  const base = transactionQuery(deps, merchantId, { statuses: [], currencies: [], methods: [], providers: [] }, '-created_at');
  const [row] = await deps.store.merchantTransactionPage({ ...base, from: 0, to: QUERY_TIME_MAX, txnId, limit: 1 });
  if (!row) throw new AppError('not_found', 'no such transaction');
  return row;
}

export async function getTransaction(deps: TransactionDeps, merchantId: string, txnId: string): Promise<TransactionDetail> {
  const row = await findTransaction(deps, merchantId, txnId);
  const page = await listRawEvents({ store: deps.store, dimContext: deps.dims }, {
    from: 0, to: QUERY_TIME_MAX, filters: { merchant_id: [merchantId] }, txnId, limit: MAX_PAGE,
  });
  return { transaction: decodeTransaction(row, deps.dims), events: page.items.reverse(), events_truncated: page.next_cursor !== null };
}
