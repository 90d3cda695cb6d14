// The export kinds, by name: one line per kind (its module in kinds/).

import type { ExportKind } from './export-kind.ts';
import { disputesExport } from './kinds/disputes.ts';
import { payoutsExport } from './kinds/payouts.ts';
import { refundsExport } from './kinds/refunds.ts';
import { transactionsExport } from './kinds/transactions.ts';

export const EXPORT_KINDS: Readonly<Record<string, ExportKind>> = {
  transactions: transactionsExport,
  refunds: refundsExport,
  disputes: disputesExport,
  payouts: payoutsExport,
};

export const EXPORT_KIND_NAMES = Object.keys(EXPORT_KINDS);
