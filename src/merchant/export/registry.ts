// The export kinds, by name: one line per kind (its module in kinds/). Payouts join here once
// GET /api/merchant/payouts exists.

import type { ExportKind } from './export-kind.ts';
import { disputesExport } from './kinds/disputes.ts';
import { refundsExport } from './kinds/refunds.ts';
import { transactionsExport } from './kinds/transactions.ts';

export const EXPORT_KINDS: Readonly<Record<string, ExportKind>> = {
  transactions: transactionsExport,
  refunds: refundsExport,
  disputes: disputesExport,
};

export const EXPORT_KIND_NAMES = Object.keys(EXPORT_KINDS);
