// The overview's latest alerts (the five most recent, any state), with a way to the Alerts screen.

import { useQuery } from '@tanstack/react-query';
import { apiGet, type Alert } from '../../api.ts';
import { focusRing } from '../../components/Segmented.tsx';
import { formatShortInstant } from '../../format.ts';
import { translate, type MessageKey } from '../../i18n.ts';
import type { View } from '../../url-state.ts';
import { stateName } from '../../alert-state.ts';

const SEVERITY_DOT: Record<string, string> = { critical: 'bg-red-600', warn: 'bg-amber-500', info: 'bg-sky-500' };

export function LatestAlerts({ token, view }: { token: string; view: View }) {
  const t = (key: MessageKey) => translate(view.lang, key);
  const alerts = useQuery({
    // Under the Alerts screen's key prefix, so its changes refresh this list too.
    queryKey: ['alerts', token, 'latest'],
    queryFn: () => apiGet<{ items: Alert[] }>('/api/analytics/alerts', token, { limit: '5' }),
    refetchInterval: 15_000,
  });
  const items = alerts.data?.items ?? [];
  return (
    <section data-latest-alerts="" aria-label={t('latest_alerts')} className="mt-6 rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <div className="mb-3 flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{t('latest_alerts')}</h2>
        <button type="button" onClick={() => view.setScreen('alerts')}
          className={`rounded text-sm font-medium text-indigo-700 hover:underline dark:text-indigo-300 ${focusRing}`}>{t('see_all_alerts')}</button>
      </div>
      {alerts.error ? <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">{t('alerts_load_failed')} {alerts.error.message}</p>
        : !alerts.data ? <div aria-hidden="true" className="h-16 animate-pulse rounded-xl bg-slate-100 dark:bg-slate-700/60" />
        : items.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">{t('no_alerts')}</p>
        : (
          <ul className="divide-y divide-slate-100 dark:divide-slate-700">
            {items.map((a) => (
              <li key={a.id} data-alert={a.id} className="flex flex-wrap items-center gap-x-3 gap-y-1 py-2 text-sm">
                <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${SEVERITY_DOT[a.severity] ?? SEVERITY_DOT.info}`} />
                <span className="font-medium text-slate-800 dark:text-slate-100">{a.rule_name}</span>
                <span className="text-slate-600 dark:text-slate-400">{SEVERITY_DOT[a.severity] ? t(`severity_${a.severity}` as MessageKey) : a.severity} · {stateName(a.state, t)}</span>
                <span className="ml-auto tabular-nums text-slate-600 dark:text-slate-400">{a.started_at ? formatShortInstant(a.started_at, view.lang, view.tz) : '—'}</span>
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}
