// One KPI: its value over the range, the previous period's, the change (coloured by whether a
// rise is good news), and a sparkline of the range's series.

import { formatChange, formatUsdShort, formatValue, type Unit } from '../format.ts';
import type { Lang } from '../i18n.ts';
import { Sparkline } from './Sparkline.tsx';

export interface KpiCardProps {
  id: string;
  label: string;
  unit: Unit;
  value: number | null | undefined;
  previous: number | null | undefined;
  change: number | null | undefined;
  /** Whether a rise is good news (volume) or bad (refunds, chargebacks): colours the change. */
  higherIsBetter: boolean;
  lang: Lang;
  /** The word before the previous value ("previous", translated). */
  previousLabel: string;
  /**
   * Already formatted value and previous (local-currency amounts), instead of `unit`'s format; `full`
   * is the exact value, as a tooltip, when `value` is in short form.
   */
  text?: { value: string; previous: string; full?: string };
  /** The series over the range, oldest first (no sparkline without it). */
  trend?: Array<number | null | undefined>;
  /** The trend's last bucket is still running: drawn dotted. */
  trendPartial?: boolean;
}

export function KpiCard({ id, label, unit, value, previous, change, higherIsBetter, lang, previousLabel, text, trend, trendPartial }: KpiCardProps) {
  // Large USD amounts in short on the card, in full in the tooltip.
  const shown = text ?? (unit === 'usd' ? { value: formatUsdShort(value, lang), previous: formatUsdShort(previous, lang), full: formatValue(value, unit, lang) } : undefined);
  const good = change == null || change === 0 ? null : (change > 0) === higherIsBetter;
  const tone = good === null ? 'text-slate-600 dark:text-slate-300 bg-slate-100 dark:bg-slate-700'
    : good ? 'text-emerald-800 bg-emerald-50 dark:text-emerald-200 dark:bg-emerald-950' : 'text-rose-800 bg-rose-50 dark:text-rose-200 dark:bg-rose-950';
  return (
    <section data-kpi={id} aria-label={label} className="rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <h2 className="text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">{label}</h2>
      <p data-field="value" title={shown?.full} className="mt-2 text-2xl font-semibold tabular-nums text-slate-900 dark:text-slate-100">{shown?.value ?? formatValue(value, unit, lang)}</p>
      <div className="mt-3 flex items-center justify-between gap-2 text-sm">
        <span className="text-slate-600 dark:text-slate-400">
          {previousLabel} <span data-field="previous" className="tabular-nums">{shown?.previous ?? formatValue(previous, unit, lang)}</span>
        </span>
        <span data-field="change" className={`shrink-0 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium tabular-nums ${tone}`}>{formatChange(change, lang, { previous, current: value })}</span>
      </div>
      {trend && trend.length > 1 && <Sparkline className="mt-3 h-8 w-full" label={label} values={trend} partialLast={trendPartial} />}
    </section>
  );
}

/** A card-shaped placeholder while the first answer loads. */
export function KpiSkeleton() {
  return (
    <div aria-hidden="true" data-skeleton="" className="animate-pulse rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <div className="h-3 w-24 rounded bg-slate-200 dark:bg-slate-700" />
      <div className="mt-3 h-7 w-32 rounded bg-slate-200 dark:bg-slate-700" />
      <div className="mt-4 h-3 w-full rounded bg-slate-100 dark:bg-slate-700/60" />
      <div className="mt-3 h-8 w-full rounded bg-slate-100 dark:bg-slate-700/60" />
    </div>
  );
}
