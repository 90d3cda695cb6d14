// What an export is made of, whatever its format: a kind (transactions, refunds, disputes,
// payouts) is one small module — its columns, a source of rows read a page at a time from the
// portal's own use cases, and the totals its PDF statement shows. The writers (CSV, XLSX, PDF)
// know nothing of kinds; kinds know nothing of formats. Adding a kind: one file in kinds/ and
// one line in EXPORT_KINDS (registry.ts).

import type { AnalyticsStore } from '../../store/analytics-store.ts';
import type { DimContext } from '../../query/query-dimensions.ts';
import type { StateStore } from '../../state-store/state-store.ts';

export const EXPORT_FORMATS = ['csv', 'xlsx', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const EXPORT_LANGS = ['en', 'fr'] as const;
export type ExportLang = (typeof EXPORT_LANGS)[number];

/** Money: integer minor units and the exponent its currency is displayed with. */
export interface Money { minor: bigint; exponent: number }

/** text: any string (neutralised against formulas); time: an ISO 8601 instant; int: a count. */
export type ColumnType = 'text' | 'time' | 'int' | 'money';
export type Cell = string | number | Money | null;
export type Row = Cell[];

export interface Column { name: string; type: ColumnType }

/** Text in both languages of the portal. */
export type Label = Record<ExportLang, string>;

export interface TotalLine {
  label: Label;
  value: Money | number;
}

/** A statement's totals, one block per currency (in code order). */
export interface TotalsBlock { currency: string; lines: TotalLine[] }

export interface Totals {
  add(row: Row): void;
  blocks(): TotalsBlock[];
}

export interface ExportDeps {
  store: AnalyticsStore;
  dims: DimContext;
  state: StateStore;
  now: () => number;
  /** Days a merchant has to answer a dispute (DISPUTE_RESPONSE_DAYS). */
  responseDays: number;
}

/** The period of an export: [from, to), epoch ms. */
export interface ExportRange { from: number; to: number }

export interface ExportKind {
  name: string;
  title: Label;
  columns: readonly Column[];
  /** The merchant's rows in the range, a page at a time, in a stable order (each row once). */
  pages(deps: ExportDeps, merchantId: string, range: ExportRange): AsyncIterable<Row[]>;
  /** A fresh accumulator of the statement's totals. */
  totals(): Totals;
}

export function money(minor: bigint, exponent: number): Money {
  return { minor, exponent };
}

export function isMoney(c: Cell): c is Money {
  return typeof c === 'object' && c !== null;
}

/** Per-currency accumulators, reported in currency-code order. */
export function perCurrency<T>(init: () => T) {
  const map = new Map<string, T>();
  return {
    of(currency: string): T {
      let v = map.get(currency);
      if (!v) map.set(currency, (v = init()));
      return v;
    },
    entries(): Array<[string, T]> {
      return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    },
  };
}
