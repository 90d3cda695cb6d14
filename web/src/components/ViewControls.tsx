// The controls every analytics screen shares, all kept in the URL: the date preset (today, 24 h,
// 7 d, 30 d, 90 d, month to date, custom dates), the time zone, the currency filter and — with
// one currency selected — whether amounts show in USD or in that currency.

import { useState, type FormEvent } from 'react';
import { useQuery } from '@tanstack/react-query';
import { apiGet, type RankItem } from '../api.ts';
import { translate, type MessageKey } from '../i18n.ts';
import { RANGES, scopeParams, type Range, type Shown, type View } from '../url-state.ts';
import { isoDate, wallClock } from '../zoned-time.ts';
import { focusRing, Segmented } from './Segmented.tsx';

/** The zones offered: where Molam's users work, UTC, and the browser's own. */
const ZONES = [
  'UTC', 'Africa/Abidjan', 'Africa/Dakar', 'Africa/Lagos', 'Africa/Douala', 'Africa/Kinshasa', 'Africa/Lubumbashi',
  'Africa/Johannesburg', 'Africa/Kigali', 'Africa/Nairobi', 'Africa/Addis_Ababa', 'Africa/Cairo', 'Africa/Casablanca', 'Europe/Paris',
];

const field = `rounded-lg bg-white px-2 py-1.5 text-sm ring-1 ring-slate-300 dark:bg-slate-800 dark:ring-slate-600 ${focusRing}`;

function offsetLabel(tz: string, now: number): string {
  const w = wallClock(now, tz);
  const minutes = Math.round((Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute) - Math.floor(now / 60_000) * 60_000) / 60_000);
  if (minutes === 0) return 'UTC';
  const sign = minutes > 0 ? '+' : '−';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

export function ViewControls({ token, view, filters = {} }: { token: string; view: View; filters?: Record<string, string> }) {
  const t = (key: MessageKey) => translate(view.lang, key);
  const now = Date.now();
  const zones = ZONES.includes(view.tz) ? ZONES : [view.tz, ...ZONES];
  // The currencies present in the scope and range (without the currency filter itself).
  const currencies = useQuery({
    queryKey: ['currencies', token, view.range, view.from, view.to, view.tz, filters],
    queryFn: () => apiGet<{ items: Array<RankItem & { key: string | null }> }>('/api/analytics/breakdown', token,
      { ...scopeParams({ ...view, currency: null }), ...filters, dimension: 'currency', limit: '100' }),
    staleTime: 60_000,
  });
  const codes = new Set((currencies.data?.items ?? []).map((i) => i.key).filter((k): k is string => !!k));
  if (view.currency) codes.add(view.currency);

  return (
    <div className="flex flex-wrap items-end gap-3" data-controls="">
      <Segmented<Range> label={t('range')} options={RANGES} value={view.range} onChange={(r) => (r === 'custom' ? view.setCustom(
        view.from ?? isoDate(now - 7 * 86_400_000, view.tz), view.to ?? isoDate(now, view.tz)) : view.setRange(r))}
        text={(r) => t(`preset_${r}` as MessageKey)} />
      {view.range === 'custom' && <CustomRange key={`${view.from}|${view.to}`} view={view} />}
      <label className="flex flex-col text-xs text-slate-600 dark:text-slate-300">
        {t('time_zone')}
        <select data-control="tz" className={field} value={view.tz} onChange={(e) => view.setTz(e.target.value)}>
          {zones.map((z) => <option key={z} value={z}>{z} ({offsetLabel(z, now)})</option>)}
        </select>
      </label>
      <label className="flex flex-col text-xs text-slate-600 dark:text-slate-300">
        {t('currency')}
        <select data-control="currency" className={field} value={view.currency ?? ''} onChange={(e) => view.setCurrency(e.target.value || null)}>
          <option value="">{t('all_currencies')}</option>
          {[...codes].sort().map((c) => <option key={c} value={c}>{c}</option>)}
        </select>
      </label>
      {view.currency && (
        <Segmented<Shown> label={t('amounts_in')} options={['local', 'usd']} value={view.shown} onChange={view.setShown}
          text={(s) => (s === 'usd' ? 'USD' : view.currency!)} />
      )}
    </div>
  );
}

/** Why a custom range cannot apply (null: it can): both dates, in order, not starting in the future. */
export function rangeProblem(from: string, to: string, today: string): MessageKey | null {
  const date = /^\d{4}-\d{2}-\d{2}$/;
  if (!date.test(from) || !date.test(to)) return 'range_error_missing';
  if (from > to) return 'range_error_order';
  if (from > today) return 'range_error_future';
  return null;
}

/**
 * Custom dates (inclusive, whole days in the view's zone), applied together. A range that cannot
 * apply is not applied and the form says why, next to the dates (rather than the view falling
 * back to 24 h unseen).
 */
function CustomRange({ view }: { view: View }) {
  const t = (key: MessageKey) => translate(view.lang, key);
  const [from, setFrom] = useState(view.from ?? '');
  const [to, setTo] = useState(view.to ?? '');
  const [tried, setTried] = useState(false);
  const problem = rangeProblem(from, to, isoDate(Date.now(), view.tz));
  const shown = tried || (from !== '' && to !== '') ? problem : null;
  const apply = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (!problem) view.setCustom(from, to);
  };
  return (
    <form onSubmit={apply} className="flex flex-wrap items-end gap-2" data-control="custom-range">
      <label className="flex flex-col text-xs text-slate-600 dark:text-slate-300">
        {t('date_from')}
        <input type="date" name="from" className={field} value={from} onChange={(e) => setFrom(e.target.value)}
          aria-invalid={!!shown} aria-describedby={shown ? 'range-error' : undefined} />
      </label>
      <label className="flex flex-col text-xs text-slate-600 dark:text-slate-300">
        {t('date_to')}
        <input type="date" name="to" className={field} value={to} onChange={(e) => setTo(e.target.value)}
          aria-invalid={!!shown} aria-describedby={shown ? 'range-error' : undefined} />
      </label>
      <button type="submit"
        className={`rounded-lg bg-indigo-600 px-3 py-1.5 text-sm font-medium text-white shadow-sm disabled:opacity-40 ${focusRing}`}>{t('apply')}</button>
      {shown && <p id="range-error" role="alert" data-field-error className="basis-full text-xs font-medium text-rose-700 dark:text-rose-300">{t(shown)}</p>}
    </form>
  );
}
