// The rows a batch writes to merchant_transactions: one per transaction the batch touched, with
// its whole state after the batch as the transaction index holds it (creation time, latest
// event's status, amount and fee, the merged dimension keys), so that a merchant's page of
// transactions is a range read instead of a fold of raw events. The index is rebuilt from the
// committed raw events after any failed commit, so each row is exact whatever the duplicates,
// reordering or crashes: it is derived from the same committed state as the rollups.
//
// Rows are keyed (merchant, created_at, txn_id) and versioned by batch id. When a batch moves a
// transaction to another key (an earlier event lowers its creation time, or its latest event
// names another merchant), a removal row at its key before the batch hides the old row there.

import { findSlot } from './indexes/hash-table.ts';
import { mergeTuples, tupleKey, T_CITY, T_COUNTRY, T_CURRENCY, T_MERCHANT, T_METHOD, T_PROVIDER } from './indexes/dimensions.ts';
import type { IngestState } from './indexes/ingest-indexes.ts';
import type { Hash96 } from './hash.ts';
import type { TxnColumns } from '../store/analytics-store.ts';

interface Touched {
  h1: number;
  h2: number;
  h3: number;
  /** Its key before the batch, or merchant -1 when the batch created it. */
  merchant: number;
  createdAt: number;
}

/** The transactions a batch touches, by txn_id, with their keys before it. */
export type TxnTouches = Map<string, Touched>;

/** Records the transaction's key before the batch, on the first of its events in the batch (call before applying it). */
export function touchTxn(touches: TxnTouches, state: IngestState, txnId: string, h: Hash96): void {
  if (touches.has(txnId)) return;
  const slot = findSlot(state.txns, h);
  const c = state.txns.cols;
  touches.set(txnId, {
    h1: h.h1, h2: h.h2, h3: h.h3,
    merchant: slot < 0 ? -1 : tupleKey(state.tuples, c.winTuple[slot], T_MERCHANT),
    createdAt: slot < 0 ? 0 : c.createdAt[slot],
  });
}

/** Room for `cap` rows, none written (a batch that touches no transaction writes none). */
export function emptyTxnRows(cap = 0): TxnColumns {
  return {
    count: 0, txnId: [], createdAt: new BigInt64Array(cap), updatedAt: new BigInt64Array(cap),
    status: new Uint8Array(cap), amountMinor: new BigInt64Array(cap), feeMinor: new BigInt64Array(cap),
    removed: new Uint8Array(cap), merchantKey: new Int32Array(cap), countryKey: new Int32Array(cap),
    cityKey: new Int32Array(cap), currencyKey: new Int32Array(cap), methodKey: new Int32Array(cap),
    providerKey: new Int32Array(cap),
  };
}

/** The batch's rows, from the state after the batch (call once every event is applied). */
export function txnRows(touches: TxnTouches, state: IngestState): TxnColumns {
  const rows = [...touches.entries()];
  const moved = rows.filter(([, t]) => t.merchant >= 0);
  const out = emptyTxnRows(rows.length + moved.length);
  const c = state.txns.cols;
  const h: Hash96 = { h1: 0, h2: 0, h3: 0 };
  for (const [txnId, t] of rows) {
    h.h1 = t.h1; h.h2 = t.h2; h.h3 = t.h3;
    const slot = findSlot(state.txns, h);
    if (slot < 0) continue; // not folded (cannot happen: every touched transaction was applied)
    const tuple = mergeTuples(state.tuples, c.winTuple[slot], c.createdTuple[slot]);
    const merchant = tupleKey(state.tuples, tuple, T_MERCHANT);
    const createdAt = c.createdAt[slot];
    const put = (m: number, at: number, removed: number) => {
      const k = out.count++;
      out.txnId.push(txnId);
      out.merchantKey[k] = m;
      out.createdAt[k] = BigInt(at);
      out.updatedAt[k] = BigInt(c.winAt[slot]);
      out.status[k] = c.winStatus[slot];
      out.amountMinor[k] = c.amount[slot];
      out.feeMinor[k] = c.fee[slot];
      out.countryKey[k] = tupleKey(state.tuples, tuple, T_COUNTRY);
      out.cityKey[k] = tupleKey(state.tuples, tuple, T_CITY);
      out.currencyKey[k] = tupleKey(state.tuples, tuple, T_CURRENCY);
      out.methodKey[k] = tupleKey(state.tuples, tuple, T_METHOD);
      out.providerKey[k] = tupleKey(state.tuples, tuple, T_PROVIDER);
      out.removed[k] = removed;
    };
    put(merchant, createdAt, 0);
    if (t.merchant >= 0 && (t.merchant !== merchant || t.createdAt !== createdAt)) put(t.merchant, t.createdAt, 1);
  }
  return out;
}
