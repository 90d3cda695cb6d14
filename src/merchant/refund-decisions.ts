// POST /api/merchant/refunds/{id}/approve and /reject: the decision on a refund awaiting
// approval. Four eyes, enforced here: the person who requested a refund cannot approve it
// (403 four_eyes_required) — another administrator of the merchant, or an operator acting for
// it, must. Withdrawing one's own request (rejecting it) needs no second person: it moves no
// money. A decision is final (409 refund_not_pending after it).
//
// Locks in the order refund requests take them — the transaction's balance row, then the
// refund — so a decision and a request for the same transaction never wait for each other in a
// cycle. A rejection gives its amount back to the balance; an approval queues the refund's
// refund_created event for the stream.

import { AppError } from '../errors.ts';
import type { StateStore } from '../state-store/state-store.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';
import { queueRefundEvent } from './refund-stream.ts';
import { recordRefundChange, REFUND_COLUMNS, refundView, type RefundRow, type RefundView } from './refund-record.ts';

export type Decision = 'approve' | 'reject';

export async function decideRefund(
  state: StateStore, scope: MerchantScope, origin: RequestOrigin, refundId: string, decision: Decision, reason: string | null, now: number,
): Promise<RefundView> {
  return state.transaction(async (q) => {
    const [found] = await q.query<{ txn_id: string }>('SELECT txn_id FROM merchant_refunds WHERE id = $1 AND merchant_id = $2', [refundId, scope.merchantId]);
    if (!found) throw new AppError('not_found', 'no such refund');
    await q.query('SELECT 1 FROM merchant_refund_balances WHERE merchant_id = $1 AND txn_id = $2 FOR UPDATE', [scope.merchantId, found.txn_id]);
    const [refund] = await q.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM merchant_refunds WHERE id = $1 FOR UPDATE`, [refundId]);
    if (refund.status !== 'pending_approval') {
      throw new AppError('refund_not_pending', `this refund is ${refund.status.replace('_', ' ')} already`, { refund_status: refund.status });
    }
    if (decision === 'approve' && refund.requested_by === scope.actor) {
      throw new AppError('four_eyes_required', 'a refund is approved by another person than the one who requested it');
    }
    const status = decision === 'approve' ? 'approved' : 'rejected';
    const [decided] = await q.query<RefundRow>(
      `UPDATE merchant_refunds SET status = $2, decided_by = $3, decided_at = $4, decision_reason = $5 WHERE id = $1 RETURNING ${REFUND_COLUMNS}`,
      [refundId, status, scope.actor, new Date(now), reason]);
    if (status === 'rejected') {
      await q.query('UPDATE merchant_refund_balances SET reserved_minor = reserved_minor - $3, updated_at = $4 WHERE merchant_id = $1 AND txn_id = $2',
        [scope.merchantId, refund.txn_id, String(refund.amount_minor), new Date(now)]);
    }
    await recordRefundChange(q, scope, origin, status, decided, { reason, requested_by: refund.requested_by }, now);
    if (status === 'approved') await queueRefundEvent(q, decided, now);
    return refundView(decided);
  });
}
