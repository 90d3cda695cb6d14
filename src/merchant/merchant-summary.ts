// GET /api/merchant/summary: a merchant's sales, refunds, fees, net revenue, counts and success
// rate over a period in its time zone, each beside the previous period of equal length. Computed
// by the analytics query machinery (the metric registry over the rollups, through the result
// cache), never by SQL of its own: the figures are the ones every other screen shows.

import type { AnalyticsContext } from '../analytics/context.ts';
import { periodSummary, relativeChange } from '../analytics/period-summary.ts';
import { periodRange, type Period } from './summary-period.ts';

/** Each figure of the answer and the registry metric it is. */
const FIGURES = {
  sales: 'gross_volume_usd',
  refunds: 'refund_volume_usd',
  fees: 'fees_usd',
  net_revenue: 'net_volume_usd',
  transactions: 'tx_count',
  succeeded: 'succeeded_count',
  failed: 'failed_count',
  pending: 'pending_count',
  refund_count: 'refund_count',
  success_rate: 'success_rate',
} as const;
type Figure = keyof typeof FIGURES;
const MONEY = ['sales', 'refunds', 'fees', 'net_revenue'] as const;
type Money = (typeof MONEY)[number];
const isMoney = (name: Figure): name is Money => (MONEY as readonly Figure[]).includes(name);
const METRICS = Object.values(FIGURES);

export interface Figures {
  /** Exact amounts in `currency` (decimal strings, major units); null without a currency. */
  sales: string | null;
  refunds: string | null;
  fees: string | null;
  net_revenue: string | null;
  /** The same in USD, at each day's rate (rows without a rate left out: unconverted_events). */
  sales_usd: number;
  refunds_usd: number;
  fees_usd: number;
  net_revenue_usd: number;
  transactions: number;
  succeeded: number;
  failed: number;
  pending: number;
  refund_count: number;
  success_rate: number | null;
}

export interface MerchantSummary {
  merchant_id: string;
  period: Period;
  tz: string;
  currency: string | null;
  from: string;
  to: string;
  previous_from: string;
  previous_to: string;
  as_of: string | null;
  unconverted_events: number;
  current: Figures;
  /** Null when the previous period reaches past what the rollups still hold. */
  previous: Figures | null;
  /** (current − previous) / previous per figure; money compared in `currency` when one is set. */
  change: Record<Figure, number | null>;
}

export interface SummaryRequest {
  merchantId: string;
  period: Period;
  tz: string;
  currency: string | null;
  from?: number;
  to?: number;
}

export async function merchantSummary(ctx: AnalyticsContext, r: SummaryRequest): Promise<MerchantSummary> {
  const range = periodRange(r.period, { now: ctx.now(), tz: r.tz, from: r.from, to: r.to });
  const filters: Record<string, string[]> = { merchant_id: [r.merchantId], currency: r.currency ? [r.currency] : [] };
  const s = await periodSummary(ctx, { from: range.from, to: range.to, tz: r.tz, filters }, METRICS);
  const current = figures(s.metrics, s.local);
  const previous = s.previous.tx_count === null ? null : figures(s.previous, s.previous_local);
  const compared = (f: Figures | null, name: Figure) => (f === null ? null : comparable(f, name, r.currency));
  return {
    merchant_id: r.merchantId, period: r.period, tz: r.tz, currency: r.currency,
    from: iso(range.from), to: iso(range.to), previous_from: iso(range.previousFrom), previous_to: iso(range.previousTo),
    as_of: s.as_of, unconverted_events: s.unconverted_events,
    current, previous,
    change: Object.fromEntries((Object.keys(FIGURES) as Figure[]).map((name) => [name, relativeChange(compared(current, name), compared(previous, name))])) as Record<Figure, number | null>,
  };
}

/** A figure as a number to compare: money in the selected currency when there is one, else in USD. */
function comparable(f: Figures, name: Figure, currency: string | null): number | null {
  if (!isMoney(name)) return f[name];
  return currency ? Number(f[name]) : f[`${name}_usd`];
}

function figures(metrics: Record<string, number | null>, local: Record<string, string> | undefined): Figures {
  const m = (name: Figure) => metrics[FIGURES[name]];
  const exact = (name: Money) => local?.[FIGURES[name]] ?? null;
  return {
    sales: exact('sales'), refunds: exact('refunds'), fees: exact('fees'), net_revenue: exact('net_revenue'),
    sales_usd: m('sales') ?? 0, refunds_usd: m('refunds') ?? 0, fees_usd: m('fees') ?? 0, net_revenue_usd: m('net_revenue') ?? 0,
    transactions: m('transactions') ?? 0, succeeded: m('succeeded') ?? 0, failed: m('failed') ?? 0, pending: m('pending') ?? 0,
    refund_count: m('refund_count') ?? 0, success_rate: m('success_rate'),
  };
}

const iso = (ms: number) => new Date(ms).toISOString();
