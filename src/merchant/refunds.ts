// POST /api/merchant/refunds: a merchant refunds (part of) one of its succeeded transactions.
// The request is idempotent by its Idempotency-Key (idempotency.ts). The transaction — its
// captured amount, currency and status — comes from the analytics store through the portal's
// transaction lookup, with the refunds the stream already holds for it from elsewhere.
//
// The invariant: the refunds of a transaction that are not rejected (approved or awaiting
// approval), with those the stream has from other sources, never add up to more than its
// captured amount. One state-store transaction checks and records: it locks the transaction's
// balance row (SELECT … FOR UPDATE), so requests for one transaction pass the check one after
// the other on any number of connections and replicas, and a refund exists only if the check it
// passed saw every refund before it.
//
// Above the currency's REFUND_APPROVAL_THRESHOLD a refund waits as pending_approval for another
// person (refund-decisions.ts), and no other refund of the transaction may be requested
// meanwhile; at or below it, it is approved at once.

import { randomBytes } from 'node:crypto';
import { AppError } from '../errors.ts';
import { parseAmount } from '../events/amount.ts';
import { STATUS_CODE } from '../events/rollup-kinds.ts';
import { listRawEvents } from '../query/raw-events.ts';
import { QUERY_TIME_MAX } from '../query/run-query.ts';
import { dimension } from '../query/query-dimensions.ts';
import { countryCode } from '../reference/countries.ts';
import { currencyCode, currencyExponent } from '../reference/currencies.ts';
import type { StateStore } from '../state-store/state-store.ts';
import type { TransactionRow } from '../store/analytics-store.ts';
import { findTransaction } from './get-transaction.ts';
import { claimKey, completeKey, fingerprintOf, releaseKey, type ClaimedKey, type StoredAnswer } from './idempotency.ts';
import type { TransactionDeps } from './list-transactions.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';
import { recordRefundChange, refundView, type RefundedTransaction, type RefundRow, type RefundView } from './refund-record.ts';
import { queueRefundEvent } from './refund-stream.ts';
import { thresholdFor, type RefundThresholds } from './refund-threshold.ts';

export interface RefundDeps {
  state: StateStore;
  transactions: TransactionDeps;
  thresholds: RefundThresholds;
  now: () => number;
  /** Each request's outcome (molam_merchant_refund_requests_total). */
  onRequest?: (outcome: RequestOutcome) => void;
}

export type RequestOutcome = 'approved' | 'pending_approval' | 'refused' | 'replayed' | 'key_conflict' | 'error';

export interface RefundRequest {
  transactionId: string;
  /** Minor units of `currency`. */
  amount: number;
  currency: string;
  reason: string | null;
}

/** The answer: a refund (201), or a refusal (`error`); `replayed` when it is the stored answer of an earlier request with the key. */
export interface RefundAnswer {
  replayed: boolean;
  status: number;
  refund?: RefundView;
  error?: AppError;
}

export async function requestRefund(
  deps: RefundDeps, scope: MerchantScope, origin: RequestOrigin, idempotencyKey: string, r: RefundRequest,
): Promise<RefundAnswer> {
  const fingerprint = fingerprintOf([r.transactionId, r.amount, r.currency, r.reason]);
  let claim: Awaited<ReturnType<typeof claimKey>>;
  try {
    claim = await claimKey(deps.state, scope.merchantId, idempotencyKey, fingerprint, deps.now());
  } catch (err) {
    deps.onRequest?.(err instanceof AppError && err.status < 500 ? 'key_conflict' : 'error');
    throw err;
  }
  if ('stored' in claim) {
    deps.onRequest?.('replayed');
    return { replayed: true, ...fromStored(claim.stored) };
  }
  try {
    const refund = await createRefund(deps, scope, origin, r, claim.claimed);
    deps.onRequest?.(refund.status === 'approved' ? 'approved' : 'pending_approval');
    return { replayed: false, status: 201, refund };
  } catch (err) {
    const refusal = err instanceof AppError && err.status < 500 && err.code !== 'idempotency_key_in_use';
    if (!refusal) {
      // Not an answer to keep: a retry with the same key runs again.
      await releaseKey(deps.state, claim.claimed).catch(() => undefined);
      deps.onRequest?.(err instanceof AppError && err.code === 'idempotency_key_in_use' ? 'key_conflict' : 'error');
      throw err;
    }
    // The details as entries: jsonb orders an object's keys its own way, and a replay is sent byte for byte.
    await deps.state.transaction((q) => completeKey(q, claim.claimed, {
      status: err.status, body: { code: err.code, message: err.message, details: Object.entries(err.details ?? {}) },
    }));
    deps.onRequest?.('refused');
    return { replayed: false, status: err.status, error: err };
  }
}

function fromStored(a: StoredAnswer): Omit<RefundAnswer, 'replayed'> {
  if (a.status < 400) return { status: a.status, refund: a.body as unknown as RefundView };
  const b = a.body as { code: AppError['code']; message: string; details: Array<[string, unknown]> };
  return { status: a.status, error: new AppError(b.code, b.message, b.details.length ? Object.fromEntries(b.details) : undefined) };
}

const SUCCEEDED = STATUS_CODE.succeeded;

/**
 * Checks the refund against the transaction and records it, in one transaction. What does not
 * depend on the check (audit entries, webhooks, the stored answer) is written first; the balance
 * row's lock is taken last, so it is held only for the check, the refund's insert and the
 * balance's update — the part that must be serial.
 */
async function createRefund(deps: RefundDeps, scope: MerchantScope, origin: RequestOrigin, r: RefundRequest, claim: ClaimedKey): Promise<RefundView> {
  const txn = await findTransaction(deps.transactions, scope.merchantId, r.transactionId);
  const currency = currencyCode(txn.currencyKey);
  if (txn.status !== SUCCEEDED) throw new AppError('transaction_not_refundable', 'only a succeeded transaction can be refunded');
  if (r.currency !== currency) throw new AppError('currency_mismatch', `the transaction is in ${currency}, not ${r.currency}`, { currency });
  const streamRefunds = await refundsInStream(deps, scope.merchantId, r.transactionId, currency);
  const amount = BigInt(r.amount);
  const threshold = thresholdFor(deps.thresholds, currency);
  const now = deps.now();
  const status = threshold !== null && amount > threshold ? 'pending_approval' : 'approved';
  // Approved at once: decided now, by nobody (decided_by null says the approval was automatic).
  const refund: RefundRow = {
    id: `rf_${randomBytes(12).toString('hex')}`, merchant_id: scope.merchantId, txn_id: r.transactionId, amount_minor: amount, currency,
    reason: r.reason, status, requested_by: scope.actor, requested_at: new Date(now), decided_by: null,
    decided_at: status === 'approved' ? new Date(now) : null, decision_reason: null, txn: refundedTransaction(deps, txn),
  };
  const view = refundView(refund);
  return deps.state.transaction(async (q) => {
    await recordRefundChange(q, scope, origin, 'requested', refund, { threshold: threshold === null ? null : Number(threshold) }, now);
    if (status === 'approved') await recordRefundChange(q, scope, origin, 'approved', refund, { automatic: true, why: 'at or below REFUND_APPROVAL_THRESHOLD' }, now);
    await completeKey(q, claim, { status: 201, body: view as unknown as Record<string, unknown> });

    await q.query(
      `INSERT INTO merchant_refund_balances (merchant_id, txn_id, currency, captured_minor, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (merchant_id, txn_id) DO NOTHING`,
      [scope.merchantId, r.transactionId, currency, txn.amountMinor.toString(), new Date(now)]);
    // The lock every request for this transaction waits for, held until this transaction ends.
    const [balance] = await q.query<{ reserved_minor: number | bigint }>(
      'SELECT reserved_minor FROM merchant_refund_balances WHERE merchant_id = $1 AND txn_id = $2 FOR UPDATE', [scope.merchantId, r.transactionId]);
    const [pending] = await q.query<{ id: string }>(
      `SELECT id FROM merchant_refunds WHERE merchant_id = $1 AND txn_id = $2 AND status = 'pending_approval'`, [scope.merchantId, r.transactionId]);
    if (pending) {
      throw new AppError('refund_pending', `refund ${pending.id} of this transaction awaits approval; decide it first`, { refund_id: pending.id });
    }
    // The stream's refunds that are ours are in the balance already (once delivered, they are in both).
    const ours = streamRefunds.length === 0 ? [] : await q.query<{ id: string }>(
      'SELECT id FROM merchant_refunds WHERE merchant_id = $1 AND id = ANY($2::text[])', [scope.merchantId, streamRefunds.map((x) => x.refundId)]);
    const known = new Set(ours.map((x) => x.id));
    const elsewhere = streamRefunds.filter((x) => !known.has(x.refundId)).reduce((sum, x) => sum + x.amount, 0n);
    const refunded = BigInt(balance.reserved_minor) + elsewhere;
    const available = txn.amountMinor - refunded;
    if (amount > available) {
      const left = available > 0n ? available : 0n;
      throw new AppError('refund_exceeds_captured', `at most ${left} (minor units) of this transaction can still be refunded`, {
        captured: Number(txn.amountMinor), refunded: Number(refunded), available: Number(left),
      });
    }
    await q.query(
      `INSERT INTO merchant_refunds (id, merchant_id, txn_id, amount_minor, currency, reason, status, requested_by, requested_at, txn, decided_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [refund.id, refund.merchant_id, refund.txn_id, amount.toString(), currency, refund.reason, status, refund.requested_by,
        refund.requested_at, { ...refund.txn }, refund.decided_at]);
    await q.query(
      'UPDATE merchant_refund_balances SET reserved_minor = reserved_minor + $3, captured_minor = $4, updated_at = $5 WHERE merchant_id = $1 AND txn_id = $2',
      [scope.merchantId, r.transactionId, amount.toString(), txn.amountMinor.toString(), new Date(now)]);
    if (status === 'approved') await queueRefundEvent(q, refund, now);
    return view;
  });
}

function refundedTransaction(deps: RefundDeps, t: TransactionRow): RefundedTransaction {
  const dims = deps.transactions.dims;
  return {
    country: countryCode(t.countryKey), city: dimension('city').decode(t.cityKey, dims),
    payment_method: dimension('payment_method').decode(t.methodKey, dims), provider: dimension('provider').decode(t.providerKey, dims),
    customer_id: t.customerId,
  };
}

/** The refund_created events the stream holds for the transaction (ours among them, once delivered), in its currency. */
async function refundsInStream(deps: RefundDeps, merchantId: string, txnId: string, currency: string): Promise<Array<{ refundId: string; amount: bigint }>> {
  const exponent = currencyExponent(currency) ?? 0;
  const out: Array<{ refundId: string; amount: bigint }> = [];
  let cursor: string | undefined;
  do {
    const page = await listRawEvents({ store: deps.transactions.store, dimContext: deps.transactions.dims }, {
      from: 0, to: QUERY_TIME_MAX, filters: { merchant_id: [merchantId], type: ['refund_created'] }, txnId, cursor, limit: 1000,
    });
    for (const e of page.items) {
      const amount = parseAmount(e.amount, exponent);
      if (e.currency === currency && e.refund_id !== undefined && typeof amount === 'bigint') out.push({ refundId: e.refund_id, amount });
    }
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  return out;
}
