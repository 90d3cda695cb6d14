// The overview: the business KPIs over the chosen period (each against the period before), the
// series, the map, the rankings, the latest alerts and a live ticker. Period, zone, currency and
// language live in the query string, so a link reproduces the view.

import { lazy, Suspense, useMemo } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { ApiError, apiGet, tokenMerchantId, type Overview as OverviewData } from '../api.ts';
import { focusRing } from '../components/Segmented.tsx';
import { ViewControls } from '../components/ViewControls.tsx';
import { formatInstant, formatShortInstant, formatValue } from '../format.ts';
import { colon, translate, type MessageKey } from '../i18n.ts';
import { can, useMe } from '../me.ts';
import { useMerchantNames } from '../merchant-names.ts';
import { scopeParams, type View } from '../url-state.ts';
import { LatestAlerts } from './overview/LatestAlerts.tsx';
import { OverviewBody } from './overview/OverviewBody.tsx';
import { FirstRunGuide } from './overview/FirstRunGuide.tsx';

// The ticker brings the Socket.IO client: loaded after the first paint.
const LiveTicker = lazy(() => import('./overview/LiveTicker.tsx'));

/** The overview query for a view and extra filters (the drill-down's scope). */
export function useOverview(token: string, view: View, filters: Record<string, string> = {}) {
  const { range, from, to, tz, currency } = view;
  return useQuery({
    // from/to are computed at each fetch, so the 30-second refresh moves the window with the clock.
    queryKey: ['overview', token, range, from, to, tz, currency, filters],
    queryFn: () => apiGet<OverviewData>('/api/analytics/overview', token, { ...scopeParams(view), ...filters }),
    refetchInterval: 30_000,
    placeholderData: keepPreviousData,
    retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
  });
}

export function Freshness({ data, view }: { data: OverviewData; view: View }) {
  const t = (key: MessageKey) => translate(view.lang, key);
  return (
    <p data-field="freshness" className="mb-4 text-sm text-slate-600 dark:text-slate-300">
      {t('complete_up_to')} <span data-field="as-of" className="font-medium">{formatInstant(data.as_of, view.lang, view.tz) ?? t('nothing_ingested')}</span>
      {' · '}
      <span data-field="unconverted">{formatValue(data.unconverted_events, 'count', view.lang)}</span> {t('awaiting_fx')}
      {data.unconverted_events > 0 && ` ${t('left_out')}`}
    </p>
  );
}

export function LoadError({ error, lang }: { error: Error; lang: View['lang'] }) {
  const expired = error instanceof ApiError && error.status === 401;
  return (
    <div role="alert" className="mb-6 rounded-2xl bg-rose-50 p-4 text-sm text-rose-800 ring-1 ring-rose-200 dark:bg-rose-950 dark:text-rose-200 dark:ring-rose-800">
      {expired ? translate(lang, 'expired') : `${translate(lang, 'load_failed')} ${error.message}`}
    </div>
  );
}

export function Overview({ token, view }: { token: string; view: View }) {
  const { lang } = view;
  const t = (key: MessageKey) => translate(lang, key);
  const me = useMe(token);
  // A merchant filter (an alert's scope link): the overview, series and rankings of that merchant.
  const filters = useMemo<Record<string, string>>(() => (view.merchant ? { merchant_id: view.merchant } : {} as Record<string, string>), [view.merchant]);
  const overview = useOverview(token, view, filters);
  const data = overview.data;

  return (
    <div>
      <header className="mb-6 flex flex-wrap items-end justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{t('overview')}</h1>
          <p data-field="period" className="text-sm text-slate-600 dark:text-slate-400">
            {data ? `${formatShortInstant(data.from, lang, view.tz)} – ${formatShortInstant(data.to, lang, view.tz)} · ${t('compared_with_before')}` : '\u00a0'}
          </p>
        </div>
        <ViewControls token={token} view={view} />
      </header>
      {view.merchant && <MerchantFilter token={token} view={view} />}

      {overview.error && <LoadError error={overview.error} lang={lang} />}
      {data && <Freshness data={data} view={view} />}
      {/* Nothing ingested at all (not merely nothing in this period): how to send the first event. */}
      {data && data.as_of === null && <FirstRunGuide lang={lang} />}

      {!overview.error && (
        <Suspense fallback={<div className="mb-6 h-14 rounded-2xl bg-white dark:bg-slate-800 ring-1 ring-slate-200/70 dark:ring-slate-700" />}>
          <LiveTicker token={token} lang={lang} currency={view.currency} merchantFiltered={!!view.merchant && tokenMerchantId(token) === null} />
        </Suspense>
      )}

      {!overview.error && <OverviewBody token={token} view={view} data={data} placeholder={overview.isPlaceholderData} filters={filters} withMap />}

      {!overview.error && can(me.data, 'alerts:view') && <LatestAlerts token={token} view={view} />}
    </div>
  );
}

/** The merchant the overview is filtered to, by name, and the way back to the whole network (ops). */
function MerchantFilter({ token, view }: { token: string; view: View }) {
  const t = (key: MessageKey) => translate(view.lang, key);
  const id = view.merchant!;
  const names = useMerchantNames(token, useMemo(() => [id], [id]));
  const own = tokenMerchantId(token) !== null;
  return (
    <p data-field="merchant-filter" className="mb-4 flex flex-wrap items-center gap-2 text-sm text-slate-700 dark:text-slate-200">
      <span className="rounded-lg bg-indigo-50 px-2 py-1 ring-1 ring-indigo-200 dark:bg-indigo-950 dark:ring-indigo-800">
        {t('filtered_merchant')}{colon(view.lang)} <span data-field="merchant" className="font-semibold">{names.label(id)}</span>
      </span>
      {!own && (
        <button type="button" onClick={() => view.setMerchant(null)}
          className={`rounded-lg px-2 py-1 text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300 ${focusRing}`}>
          {t('clear_merchant_filter')}
        </button>
      )}
    </p>
  );
}
