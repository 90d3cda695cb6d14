// Export kind `refunds`: the merchant's refunds requested in the period (the state store's
// merchant_refunds), oldest first, a keyset page over seq at a time. Statement: per currency, the
// approved and pending amounts and counts, and the rejected count.

import { currencyExponent } from '../../../reference/currencies.ts';
import { REFUND_COLUMNS, type RefundRow } from '../../refund-record.ts';
import { money, perCurrency, type ExportKind, type Money } from '../export-kind.ts';

const PAGE = 2000;

const COLUMNS = [
  { name: 'refund_id', type: 'text' }, { name: 'transaction_id', type: 'text' }, { name: 'requested_at', type: 'time' },
  { name: 'status', type: 'text' }, { name: 'amount', type: 'money' }, { name: 'currency', type: 'text' },
  { name: 'reason', type: 'text' }, { name: 'requested_by', type: 'text' }, { name: 'decided_by', type: 'text' },
  { name: 'decided_at', type: 'time' }, { name: 'decision_reason', type: 'text' },
] as const;

export const refundsExport: ExportKind = {
  name: 'refunds',
  title: { en: 'Refunds', fr: 'Remboursements' },
  columns: COLUMNS,
  async *pages(deps, merchantId, range) {
    let after = '0';
    for (;;) {
      const rows = await deps.state.query<RefundRow & { seq: number | bigint }>(
        `SELECT seq, ${REFUND_COLUMNS} FROM merchant_refunds
         WHERE merchant_id = $1 AND requested_at >= $2 AND requested_at < $3 AND seq > $4::bigint
         ORDER BY seq LIMIT $5`,
        [merchantId, new Date(range.from), new Date(range.to), after, PAGE]);
      if (rows.length > 0) {
        yield rows.map((r) => [
          r.id, r.txn_id, r.requested_at.toISOString(), r.status, money(BigInt(r.amount_minor), currencyExponent(r.currency) ?? 0),
          r.currency, r.reason, r.requested_by, r.decided_by, r.decided_at?.toISOString() ?? null, r.decision_reason,
        ]);
      }
      if (rows.length < PAGE) return;
      after = String(rows[rows.length - 1].seq);
    }
  },
  totals() {
    const byCurrency = perCurrency(() => ({ approved: 0n, approvedCount: 0, pending: 0n, pendingCount: 0, rejectedCount: 0 }));
    return {
      add(row) {
        const t = byCurrency.of(row[5] as string);
        const amount = (row[4] as Money).minor;
        if (row[3] === 'approved') { t.approved += amount; t.approvedCount++; }
        else if (row[3] === 'pending_approval') { t.pending += amount; t.pendingCount++; }
        else t.rejectedCount++;
      },
      blocks() {
        return byCurrency.entries().map(([currency, t]) => {
          const e = currencyExponent(currency) ?? 0;
          return {
            currency,
            lines: [
              { label: { en: 'Refunded (approved)', fr: 'Remboursé (approuvé)' }, value: money(t.approved, e) },
              { label: { en: 'Approved refunds', fr: 'Remboursements approuvés' }, value: t.approvedCount },
              { label: { en: 'Awaiting approval', fr: 'En attente d\'approbation' }, value: money(t.pending, e) },
              { label: { en: 'Refunds awaiting approval', fr: 'Remboursements en attente' }, value: t.pendingCount },
              { label: { en: 'Rejected refunds', fr: 'Remboursements rejetés' }, value: t.rejectedCount },
            ],
          };
        });
      },
    };
  },
};
