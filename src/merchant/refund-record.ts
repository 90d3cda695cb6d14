// A refund as stored (state table merchant_refunds) and as the API shows it, and what every
// change of its state writes in the change's own transaction: the merchant audit entry and the
// merchant's webhooks (merchant.refund.created|approved|rejected). An approval also queues the
// refund's refund_created event for the analytics stream (refund-stream.ts), which its caller
// writes once the refund row exists.

import { enqueue } from '../alerts/outbox.ts';
import { formatMinor } from '../events/amount.ts';
import { currencyExponent } from '../reference/currencies.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { writeAudit } from './merchant-audit.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';

export const REFUND_STATUSES = ['pending_approval', 'approved', 'rejected'] as const;
export type RefundStatus = (typeof REFUND_STATUSES)[number];

/** What the refund_created event needs of the transaction, read when the refund is requested. */
export interface RefundedTransaction {
  country: string;
  city: string | null;
  payment_method: string | null;
  provider: string | null;
  customer_id: string | null;
}

export interface RefundRow {
  id: string;
  merchant_id: string;
  txn_id: string;
  amount_minor: number | bigint;
  currency: string;
  reason: string | null;
  status: RefundStatus;
  requested_by: string;
  requested_at: Date;
  decided_by: string | null;
  decided_at: Date | null;
  decision_reason: string | null;
  txn: RefundedTransaction;
}

export const REFUND_COLUMNS = 'id, merchant_id, txn_id, amount_minor, currency, reason, status, requested_by, requested_at, decided_by, decided_at, decision_reason, txn';

export interface RefundView {
  id: string;
  transaction_id: string;
  /** Minor units of `currency`, as requested. */
  amount: number;
  /** The same amount, an exact decimal in the currency's major units. */
  amount_decimal: string;
  currency: string;
  reason: string | null;
  status: RefundStatus;
  requested_by: string;
  requested_at: string;
  decided_by: string | null;
  decided_at: string | null;
  decision_reason: string | null;
}

export function refundView(r: RefundRow): RefundView {
  return {
    id: r.id, transaction_id: r.txn_id, amount: Number(r.amount_minor),
    amount_decimal: formatMinor(BigInt(r.amount_minor), currencyExponent(r.currency) ?? 0), currency: r.currency,
    reason: r.reason, status: r.status, requested_by: r.requested_by, requested_at: r.requested_at.toISOString(),
    decided_by: r.decided_by, decided_at: r.decided_at?.toISOString() ?? null, decision_reason: r.decision_reason,
  };
}

export type RefundChange = 'requested' | 'approved' | 'rejected';

const WEBHOOK_TYPE: Record<RefundChange, string> = {
  requested: 'merchant.refund.created', approved: 'merchant.refund.approved', rejected: 'merchant.refund.rejected',
};

/** Records one change of the refund's state, in the transaction `q` that makes it: audited, and sent to the merchant's own webhooks. */
export async function recordRefundChange(
  q: Queryable, scope: MerchantScope, origin: RequestOrigin, change: RefundChange, refund: RefundRow, detail: Record<string, unknown>, at: number,
): Promise<void> {
  const view = refundView(refund);
  await writeAudit(q, scope, origin, {
    action: `refund.${change}`, objectType: 'refund', objectId: refund.id,
    detail: { transaction_id: refund.txn_id, amount: view.amount, currency: refund.currency, status: refund.status, ...detail },
  }, at);
  await enqueue(q, {
    type: WEBHOOK_TYPE[change], dedupeKey: `refund:${refund.id}:${change}`, merchantId: refund.merchant_id, merchantOnly: true, at,
    payload: { merchant_id: refund.merchant_id, refund: view, at: new Date(at).toISOString() },
  }, null);
}
