// Alerts: the list from GET /api/analytics/alerts with a status filter, severity badges, and
// Acknowledge / Resolve (PATCH /api/analytics/alerts/{id}); needs alerts:manage to act.

import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiPatch, type Alert } from '../api.ts';
import { focusRing, Segmented } from '../components/Segmented.tsx';
import { LOCALE, translate, type Lang, type MessageKey } from '../i18n.ts';

const STATUSES = ['all', 'firing', 'pending', 'resolved'] as const;
type Status = (typeof STATUSES)[number];

const SEVERITY_CLASS: Record<string, string> = {
  critical: 'bg-red-100 text-red-800 ring-red-200 dark:bg-red-950 dark:text-red-200 dark:ring-red-800',
  warn: 'bg-amber-100 text-amber-800 ring-amber-200 dark:bg-amber-950 dark:text-amber-200 dark:ring-amber-800',
  info: 'bg-sky-100 text-sky-800 ring-sky-200 dark:bg-sky-950 dark:text-sky-200 dark:ring-sky-800',
};

export function Alerts({ token, lang }: { token: string; lang: Lang }) {
  const t = (key: MessageKey) => translate(lang, key);
  const [status, setStatus] = useState<Status>('all');
  const queryClient = useQueryClient();
  const alerts = useQuery({
    queryKey: ['alerts', token, status],
    queryFn: () => apiGet<{ items: Alert[] }>('/api/analytics/alerts', token, status === 'all' ? {} : { status }),
    refetchInterval: 15_000,
  });
  const act = useMutation({
    mutationFn: ({ id, body }: { id: Alert['id']; body: Record<string, unknown> }) =>
      apiPatch<Alert>(`/api/analytics/alerts/${encodeURIComponent(String(id))}`, token, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['alerts', token] }),
  });
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(LOCALE[lang], { dateStyle: 'short', timeStyle: 'short' }) : '—');
  const group = (a: Alert) => Object.entries(a.group_labels ?? {}).map(([k, v]) => `${k}=${v ?? '∅'}`).join(', ') || a.merchant_id || '—';
  const btn = `rounded-lg px-2.5 py-1 text-xs font-medium ring-1 ring-slate-300 hover:bg-slate-100 disabled:cursor-not-allowed disabled:opacity-40 dark:ring-slate-600 dark:hover:bg-slate-700 ${focusRing}`;

  return (
    <div>
      <header className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">{t('screen_alerts')}</h1>
        <Segmented<Status> label={t('alert_status')} options={STATUSES} value={status} onChange={setStatus}
          text={(s) => t(`alert_status_${s}` as MessageKey)} />
      </header>
      {act.error && <p role="alert" className="mb-3 text-sm text-red-700 dark:text-red-300">{t('alert_action_failed')} {act.error.message}</p>}
      <section data-alerts aria-busy={alerts.isFetching} className="rounded-2xl bg-white p-5 shadow-sm ring-1 ring-slate-200/70 dark:bg-slate-800 dark:ring-slate-700">
        {alerts.error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">{t('alerts_load_failed')} {alerts.error.message}</p>
        ) : !alerts.data ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">{t('loading')}</p>
        ) : alerts.data.items.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">{t('no_alerts')}</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-sm">
              <thead>
                <tr className="text-left text-xs uppercase tracking-wide text-slate-500 dark:text-slate-400">
                  <th className="pb-2 font-medium">{t('alert_rule')}</th>
                  <th className="pb-2 font-medium">{t('alert_severity')}</th>
                  <th className="pb-2 font-medium">{t('alert_state')}</th>
                  <th className="pb-2 font-medium">{t('alert_group')}</th>
                  <th className="pb-2 font-medium">{t('alert_started')}</th>
                  <th className="pb-2 font-medium">{t('alert_acknowledged_by')}</th>
                  <th className="pb-2 text-right font-medium"><span className="sr-only">{t('alert_actions')}</span></th>
                </tr>
              </thead>
              <tbody>
                {alerts.data.items.map((a) => {
                  const busy = act.isPending && act.variables?.id === a.id;
                  return (
                    <tr key={a.id} data-alert={a.id} data-state={a.state} className="border-t border-slate-100 dark:border-slate-700">
                      <td className="py-2 pr-3 text-slate-800 dark:text-slate-100">{a.rule_name}</td>
                      <td className="py-2 pr-3">
                        <span data-field="severity" className={`rounded-full px-2 py-0.5 text-xs font-medium ring-1 ${SEVERITY_CLASS[a.severity] ?? SEVERITY_CLASS.info}`}>
                          {SEVERITY_CLASS[a.severity] ? t(`severity_${a.severity}` as MessageKey) : a.severity}
                        </span>
                      </td>
                      <td data-field="state" className="py-2 pr-3 text-slate-700 dark:text-slate-200">{a.state}</td>
                      <td className="py-2 pr-3 text-slate-600 dark:text-slate-300">{group(a)}</td>
                      <td className="py-2 pr-3 tabular-nums text-slate-600 dark:text-slate-300">{when(a.started_at)}</td>
                      <td data-field="acknowledged_by" className="py-2 pr-3 text-slate-700 dark:text-slate-200">{a.acknowledged_by ?? '—'}</td>
                      <td className="py-2 text-right whitespace-nowrap">
                        <button type="button" className={btn} disabled={busy || a.acknowledged_by !== null || a.state === 'resolved'}
                          onClick={() => act.mutate({ id: a.id, body: { acknowledge: true } })}>{t('acknowledge')}</button>{' '}
                        <button type="button" className={btn} disabled={busy || a.state === 'resolved'}
                          onClick={() => act.mutate({ id: a.id, body: { resolve: true } })}>{t('resolve')}</button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </div>
  );
}
