import { formatChange, formatValue, type Unit } from '../format.ts';
import type { Lang } from '../i18n.ts';

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
}

export function KpiCard({ id, label, unit, value, previous, change, higherIsBetter, lang, previousLabel }: KpiCardProps) {
  const good = change == null || change === 0 ? null : (change > 0) === higherIsBetter;
  const tone = good === null ? 'text-slate-500 dark:text-slate-400 bg-slate-100 dark:bg-slate-700' : good ? 'text-emerald-700 bg-emerald-50' : 'text-rose-700 bg-rose-50';
  return (
    <section data-kpi={id} aria-label={label} className="rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <h2 className="text-xs font-medium uppercase tracking-wide text-slate-500 dark:text-slate-400">{label}</h2>
      <p data-field="value" className="mt-2 text-2xl font-semibold tabular-nums text-slate-900 dark:text-slate-100">{formatValue(value, unit, lang)}</p>
      <div className="mt-3 flex items-center justify-between gap-2 text-sm">
        <span className="text-slate-500 dark:text-slate-400">
          {previousLabel} <span data-field="previous" className="tabular-nums">{formatValue(previous, unit, lang)}</span>
        </span>
        <span data-field="change" className={`rounded-full px-2 py-0.5 text-xs font-medium tabular-nums ${tone}`}>{formatChange(change, lang)}</span>
      </div>
    </section>
  );
}
