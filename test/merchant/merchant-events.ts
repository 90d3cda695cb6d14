// Test helper: events of a few transactions, written out field by field, so a test can compute
// what the merchant portal must answer from the very events it sent.

export type Status = 'pending' | 'succeeded' | 'failed';

export interface TxnSpec {
  merchant: string;
  txn: string;
  /** Creation time, RFC 3339. */
  at: string;
  status: Status;
  /** Major units, as sent. */
  amount: string;
  fee?: string;
  currency?: string;
  /** When the final status arrives, ms after creation (default 30 s). */
  settleAfterMs?: number;
  customer?: string;
  method?: string;
  provider?: string;
}

let counter = 0;

/** The events of one transaction: created pending, then its final status unless it stays pending. */
export function txnEvents(t: TxnSpec): Array<Record<string, string>> {
  const currency = t.currency ?? 'XOF';
  const base = { txn_id: t.txn, merchant_id: t.merchant, amount: t.amount, currency, country: 'SN' };
  const created = Date.parse(t.at);
  const out: Array<Record<string, string>> = [{
    event_id: `ev_${t.txn}_${++counter}`, type: 'wallet_txn_created', occurred_at: t.at, status: 'pending', ...base,
    payment_method: t.method ?? 'wallet', provider: t.provider ?? 'wave', ...(t.customer ? { customer_id: t.customer } : {}),
  }];
  if (t.status !== 'pending') {
    out.push({
      event_id: `ev_${t.txn}_${++counter}`, type: t.status === 'succeeded' ? 'wallet_txn_succeeded' : 'wallet_txn_failed',
      occurred_at: new Date(created + (t.settleAfterMs ?? 30_000)).toISOString(), ...base, ...(t.fee ? { fee: t.fee } : {}),
    });
  }
  return out;
}

export function refundEvent(o: { merchant: string; txn: string; refund: string; at: string; amount: string; currency?: string }): Record<string, string> {
  return {
    event_id: `ev_${o.refund}_${++counter}`, type: 'refund_created', occurred_at: o.at, refund_id: o.refund, txn_id: o.txn,
    merchant_id: o.merchant, amount: o.amount, currency: o.currency ?? 'XOF', country: 'SN',
  };
}

export function disputeEvent(o: { merchant: string; txn: string; dispute: string; at: string; amount: string }): Record<string, string> {
  return {
    event_id: `ev_${o.dispute}_${++counter}`, type: 'dispute_created', occurred_at: o.at, dispute_id: o.dispute, txn_id: o.txn,
    merchant_id: o.merchant, amount: o.amount, currency: 'XOF', country: 'SN', reason: 'fraud',
  };
}

export function payoutEvent(o: { merchant: string; payout: string; at: string; amount: string; currency?: string; settled?: boolean }): Record<string, string> {
  return {
    event_id: `ev_${o.payout}_${++counter}`, type: o.settled ? 'payout.settled' : 'payout_created', occurred_at: o.at, payout_id: o.payout,
    merchant_id: o.merchant, amount: o.amount, currency: o.currency ?? 'XOF', country: 'SN',
  };
}
