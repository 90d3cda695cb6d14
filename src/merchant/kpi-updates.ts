// What molam_merchant_kpi_updates_total counts: the merchant KPI cells (the minute rollups every
// merchant figure is read from, one cell per merchant, minute, dimensions and kind) that a
// committed ingest batch changed — the seed's "KPI worker updates the merchant's KPI cache", once
// per cell a batch touches — by the kind of figure the cell holds.

import {
  KIND_DISPUTE, KIND_FAILED, KIND_PAYOUT, KIND_PAYOUT_SETTLED, KIND_PENDING, KIND_REFUND, KIND_SUCCEEDED,
} from '../events/rollup-kinds.ts';
import type { RollupColumns } from '../store/analytics-store.ts';

export const KPI_KIND_NAMES: Readonly<Record<number, string>> = {
  [KIND_PENDING]: 'payment_pending', [KIND_SUCCEEDED]: 'payment_succeeded', [KIND_FAILED]: 'payment_failed',
  [KIND_REFUND]: 'refund', [KIND_DISPUTE]: 'dispute', [KIND_PAYOUT]: 'payout', [KIND_PAYOUT_SETTLED]: 'payout_settled',
};

/** Cells changed by one batch's minute deltas, by kind name. */
export function kpiUpdatesByKind(deltas: Pick<RollupColumns, 'kind'>): Map<string, number> {
  const out = new Map<string, number>();
  for (const k of deltas.kind) {
    const name = KPI_KIND_NAMES[k] ?? 'other';
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}
