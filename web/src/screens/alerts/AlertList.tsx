// The alerts: GET /api/analytics/alerts filtered by status, severity and rule; Acknowledge and
// Resolve on each row, and Details to assign it or comment on it (AlertDetail).

import { Fragment, useMemo, useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiGet, apiPatch, type Alert } from '../../api.ts';
import { Segmented } from '../../components/Segmented.tsx';
import { colon, translate, type Lang, type MessageKey } from '../../i18n.ts';
import { countryName } from '../../format.ts';
import { regionName } from '../../labels.ts';
import { stateName } from '../../alert-state.ts';
import { useMerchantNames } from '../../merchant-names.ts';
import { AlertDetail } from './AlertDetail.tsx';
import { alertsKey, useRules } from './queries.ts';
import { useMetrics } from '../../metric-registry.ts';
import { judgement, scopeHref } from './alert-context.ts';
import {
  actionsCell, actionsRow, btn, card, field, formatWhen, useZone, labelText, muted, Refusal, SeverityBadge, stackBody, stackCell, stackLead, stackHead,
  stackRow, stackTable, th, thead, translator,
} from './ui.tsx';

const STATUSES = ['all', 'firing', 'pending', 'resolved'] as const;
type Status = (typeof STATUSES)[number];
const SEVERITIES = ['info', 'warn', 'critical'] as const;

export function AlertList({ token, lang, manage }: { token: string; lang: Lang; manage: boolean }) {
  const tz = useZone();
  const t = translator(lang);
  const [status, setStatus] = useState<Status>('all');
  const [severity, setSeverity] = useState('');
  const [ruleId, setRuleId] = useState('');
  const [open, setOpen] = useState<Alert['id'] | null>(null);
  const queryClient = useQueryClient();
  const rules = useRules(token);
  const metrics = useMetrics(token);
  const params: Record<string, string> = {
    ...(status === 'all' ? {} : { status }), ...(severity ? { severity } : {}), ...(ruleId ? { rule_id: ruleId } : {}),
  };
  const alerts = useQuery({
    queryKey: [...alertsKey(token), params],
    queryFn: () => apiGet<{ items: Alert[] }>('/api/analytics/alerts', token, params),
    refetchInterval: 15_000,
  });
  const act = useMutation({
    mutationFn: ({ id, body }: { id: Alert['id']; body: Record<string, unknown> }) =>
      apiPatch<Alert>(`/api/analytics/alerts/${encodeURIComponent(String(id))}`, token, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: alertsKey(token) }),
  });
  const label = (key: MessageKey) => `${t(key)}${colon(lang)}`;
  const merchants = useMerchantNames(token, useMemo(() => (alerts.data?.items ?? []).flatMap((a) => [a.merchant_id, a.group_labels?.merchant_id]), [alerts.data]));
  // A group by name: "Country: Ghana", "Merchant: Boutique Awa (m_1)" (an unknown dimension by its id).
  const value = (k: string, v: string) => (k === 'merchant_id' ? merchants.label(v) : k === 'country' ? countryName(v, lang) : k === 'region' ? regionName(v, lang) : v);
  const group = (a: Alert) => Object.entries(a.group_labels ?? {})
    .map(([k, v]) => `${translate(lang, `dim_${k}` as MessageKey) ?? k}${colon(lang)} ${v ? value(k, v) : '∅'}`).join(' · ')
    || (a.merchant_id ? merchants.label(a.merchant_id) : '—');

  return (
    <div>
      <div className="mb-3 flex flex-wrap items-end gap-3">
        <Segmented<Status> label={t('alert_status')} options={STATUSES} value={status} onChange={setStatus}
          text={(s) => t(`alert_status_${s}` as MessageKey)} />
        <label className={labelText}>
          {t('alert_severity')}
          <select name="severity" value={severity} onChange={(e) => setSeverity(e.target.value)} className={field}>
            <option value="">{t('alerts_any_severity')}</option>
            {SEVERITIES.map((s) => <option key={s} value={s}>{t(`severity_${s}`)}</option>)}
          </select>
        </label>
        <label className={labelText}>
          {t('alert_rule')}
          <select name="rule_id" value={ruleId} onChange={(e) => setRuleId(e.target.value)} className={`${field} max-w-[16rem]`}>
            <option value="">{t('alerts_any_rule')}</option>
            {(rules.data?.items ?? []).map((r) => <option key={r.id} value={r.id}>{r.name}</option>)}
          </select>
        </label>
      </div>
      {act.error && <div className="mb-3"><Refusal error={act.error} t={t} /></div>}
      <section data-alerts aria-busy={alerts.isFetching} className={card}>
        {alerts.error ? (
          <p role="alert" className="text-sm text-red-700 dark:text-red-300">{t('alerts_load_failed')} {alerts.error.message}</p>
        ) : !alerts.data ? (
          <p className={muted}>{t('loading')}</p>
        ) : alerts.data.items.length === 0 ? (
          <p className={muted}>{t('no_alerts')}</p>
        ) : (
          <div className="relative overflow-x-auto max-sm:overflow-visible">
            <table className={stackTable}>
              <thead className={stackHead}>
                <tr className={thead}>
                  <th className={`${th} min-w-56`}>{t('alert_rule')}</th>
                  <th className={th}>{t('alert_severity')}</th>
                  <th className={th}>{t('alert_state')}</th>
                  <th className={th}>{t('alert_group')}</th>
                  <th className={th}>{t('alert_started')}</th>
                  <th className={th}>{t('alert_assignee')}</th>
                  <th className={th}>{t('alert_acknowledged_by')}</th>
                  <th className="pb-2 text-right font-medium"><span className="sr-only">{t('alert_actions')}</span></th>
                </tr>
              </thead>
              <tbody className={stackBody}>
                {alerts.data.items.map((a) => {
                  const busy = act.isPending && act.variables?.id === a.id;
                  const expanded = open === a.id;
                  const detailId = `alert-detail-${a.id}`;
                  return (
                    <Fragment key={a.id}>
                      <tr data-alert={a.id} data-state={a.state} className={`border-t border-slate-100 dark:border-slate-700 ${stackRow}`}>
                        <td className={`py-2 pr-3 text-slate-800 dark:text-slate-100 ${stackLead}`}>
                          <span className="font-medium">{a.rule_name}</span>
                          {judgement(a, metrics, lang, t) && (
                            <span data-field="judgement" className="block text-xs text-slate-600 dark:text-slate-300">{judgement(a, metrics, lang, t)}</span>
                          )}
                          <a data-field="scope-link" href={scopeHref(a, lang, tz)} className="text-xs text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300">
                            {t('alert_open_scope')}<span aria-hidden="true"> →</span>
                          </a>
                        </td>
                        <td data-label={label('alert_severity')} className={`py-2 pr-3 ${stackCell}`}><SeverityBadge severity={a.severity} t={t} /></td>
                        <td data-field="state" data-label={label('alert_state')} className={`py-2 pr-3 text-slate-700 dark:text-slate-200 ${stackCell}`}>{stateName(a.state, t)}</td>
                        <td data-label={label('alert_group')} className={`py-2 pr-3 break-words text-slate-600 dark:text-slate-300 ${stackCell}`}>{group(a)}</td>
                        <td data-label={label('alert_started')} className={`py-2 pr-3 tabular-nums whitespace-nowrap text-slate-600 dark:text-slate-300 ${stackCell}`}>{formatWhen(lang, tz, a.started_at)}</td>
                        <td data-field="assignee" data-label={label('alert_assignee')} className={`py-2 pr-3 text-slate-700 dark:text-slate-200 ${stackCell}`}>{a.assignee ?? '—'}</td>
                        <td data-field="acknowledged_by" data-label={label('alert_acknowledged_by')} className={`py-2 pr-3 text-slate-700 dark:text-slate-200 ${stackCell}`}>{a.acknowledged_by ?? '—'}</td>
                        <td className={actionsCell}><div className={actionsRow}>
                          <button type="button" className={btn} aria-expanded={expanded} aria-controls={expanded ? detailId : undefined}
                            onClick={() => setOpen(expanded ? null : a.id)}>
                            {t('alert_details')}<span aria-hidden="true"> {expanded ? '▴' : '▾'}</span>
                          </button>
                          {manage && <>
                            <button type="button" className={btn} disabled={busy || a.acknowledged_by !== null || a.state === 'resolved'}
                              onClick={() => act.mutate({ id: a.id, body: { acknowledge: true } })}>{t('acknowledge')}</button>
                            <button type="button" className={btn} disabled={busy || a.state === 'resolved'}
                              onClick={() => act.mutate({ id: a.id, body: { resolve: true } })}>{t('resolve')}</button>
                          </>}
                        </div></td>
                      </tr>
                      {expanded && (
                        <tr id={detailId} data-alert-detail={a.id} className="max-sm:block">
                          <td colSpan={8} className="pb-4 pt-1 max-sm:block">
                            {/* Kept in view when the table scrolls sideways. */}
                            <div className="sticky left-0 max-w-[calc(100vw-4.5rem)]">
                              <AlertDetail alert={a} token={token} lang={lang} manage={manage} metrics={metrics} />
                            </div>
                          </td>
                        </tr>
                      )}
                    </Fragment>
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

