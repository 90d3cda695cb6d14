// The rules: GET /api/analytics/alerts/rules as a table (condition in words, enabled or not, the
// last evaluation error), with New rule / Edit (RuleEditor), Enable or Disable (PATCH
// {enabled}) and Delete (after a confirmation).

import { useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { apiDelete, apiPatch, type AlertRule } from '../../api.ts';
import { formatValue } from '../../format.ts';
import { colon, translate, type Lang, type MessageKey } from '../../i18n.ts';
import { useMetrics, type Metrics } from '../../metric-registry.ts';
import { rulesKey, useRules } from './queries.ts';
import { RuleEditor } from './RuleEditor.tsx';
import {
  actionsCell, actionsRow, btn, card, formatWhen, useZone, muted, primary, Refusal, SeverityBadge, stackBody, stackCell, stackLead, stackHead, stackRow,
  stackTable, th, thead, translator, type T,
} from './ui.tsx';

/** The condition in words, the metric by its label and the threshold in its unit ("Refund rate > 5 %"). */
export function conditionText(r: AlertRule, t: T, metrics: Metrics, lang: Lang): string {
  const c = r.condition;
  const name = metrics.label(r.metric, lang);
  if (c.type === 'threshold') return `${name} ${c.op} ${formatValue(c.value, metrics.unit(r.metric), lang)}`;
  if (c.type === 'change') {
    const base = c.baseline === 'week_ago' ? t('rule_baseline_week_ago') : `${t('rule_baseline_trailing_mean')} (${c.trailing_windows ?? 24})`;
    return `${name} ${c.op === '>' ? '+' : '−'}${c.percent} % ${t('rule_versus')} ${base}`;
  }
  return `${name} z ≥ ${c.z} (${t(`rule_direction_${c.direction}`)}), ${c.baseline_windows} ${t('rule_windows')}, min ${c.min_volume}`;
}

type Action = { kind: 'toggle'; rule: AlertRule } | { kind: 'delete'; rule: AlertRule };

export function Rules({ token, lang, manage }: { token: string; lang: Lang; manage: boolean }) {
  const tz = useZone();
  const t = translator(lang);
  const queryClient = useQueryClient();
  const rules = useRules(token);
  const metrics = useMetrics(token);
  const label = (key: MessageKey) => `${t(key)}${colon(lang)}`;
  const [editing, setEditing] = useState<AlertRule | 'new' | null>(null);
  const [confirm, setConfirm] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const act = useMutation({
    mutationFn: async (a: Action): Promise<void> => {
      const path = `/api/analytics/alerts/rules/${encodeURIComponent(a.rule.id)}`;
      if (a.kind === 'delete') await apiDelete(path, token);
      else await apiPatch<AlertRule>(path, token, { enabled: !a.rule.enabled });
    },
    onMutate: () => setNotice(null),
    onSuccess: (_r, a) => {
      setConfirm(null);
      setNotice(`${a.kind === 'delete' ? t('rule_deleted') : a.rule.enabled ? t('rule_disabled_now') : t('rule_enabled_now')} ${a.rule.name}`);
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: rulesKey(token) }),
  });

  if (editing) {
    return (
      <RuleEditor key={editing === 'new' ? 'new' : editing.id} token={token} lang={lang} rule={editing === 'new' ? null : editing}
        onClose={(saved) => { setEditing(null); if (saved) setNotice(`${t('rule_saved')} ${saved.name}`); }} />
    );
  }
  return (
    <div className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <p role="status" className="text-sm text-emerald-800 dark:text-emerald-300">{notice && <><span aria-hidden="true">✓ </span>{notice}</>}</p>
        {manage && <button type="button" className={primary} onClick={() => setEditing('new')}>{t('rule_new')}</button>}
      </div>
      <Refusal error={act.error} t={t} />
      <section data-rules aria-label={t('alerts_tab_rules')} aria-busy={rules.isFetching} className={card}>
        {rules.error ? (
          <Refusal error={rules.error} t={t} lead={t('rules_load_failed')} />
        ) : !rules.data ? (
          <p className={muted}>{t('loading')}</p>
        ) : rules.data.items.length === 0 ? (
          <p className={muted}>{t('rules_none')}</p>
        ) : (
          <div className="relative overflow-x-auto max-sm:overflow-visible">
            <table className={stackTable}>
              <thead className={stackHead}>
                <tr className={thead}>
                  <th className={th}>{t('rule_name')}</th>
                  <th className={th}>{t('rule_condition')}</th>
                  <th className={th}>{t('rule_window_short')}</th>
                  <th className={th}>{t('alert_severity')}</th>
                  <th className={th}>{t('rule_status')}</th>
                  <th className={th}>{t('rule_last_evaluated')}</th>
                  {manage && <th className="pb-2 text-right font-medium"><span className="sr-only">{t('alert_actions')}</span></th>}
                </tr>
              </thead>
              <tbody className={stackBody}>
                {rules.data.items.map((r) => {
                  const busy = act.isPending && act.variables?.rule.id === r.id;
                  // Dimensions by name ("Country: SN, CI"), as the editor offers them; an unknown one by its id.
                  const dim = (d: string) => translate(lang, `dim_${d}` as MessageKey) ?? d;
                  const filters = Object.entries(r.filters ?? {}).map(([k, v]) => `${dim(k)}${colon(lang)} ${v.join(', ')}`).join(' · ');
                  return (
                    <tr key={r.id} data-rule={r.id} data-enabled={r.enabled} className={`border-t border-slate-100 align-top dark:border-slate-700 ${stackRow}`}>
                      <td className={`py-2 pr-3 ${stackLead}`}>
                        <span data-field="name" className="font-medium text-slate-800 dark:text-slate-100">{r.name}</span>
                        {(filters || r.group_by.length > 0 || r.merchant_id) && (
                          <span className="block text-xs text-slate-500 dark:text-slate-400">
                            {[r.merchant_id && `${t('merchant')}${colon(lang)} ${r.merchant_id}`, filters, r.group_by.length > 0 && `${t('rule_group_by')}${colon(lang)} ${r.group_by.map((d) => dim(d).toLowerCase()).join(', ')}`].filter(Boolean).join(' · ')}
                          </span>
                        )}
                      </td>
                      <td data-field="condition" data-label={label('rule_condition')} className={`py-2 pr-3 text-slate-700 dark:text-slate-200 ${stackCell}`}>{conditionText(r, t, metrics, lang)}</td>
                      <td data-label={label('rule_window_short')} className={`py-2 pr-3 tabular-nums whitespace-nowrap text-slate-600 dark:text-slate-300 ${stackCell}`}>{r.window_minutes} min</td>
                      <td data-label={label('alert_severity')} className={`py-2 pr-3 ${stackCell}`}><SeverityBadge severity={r.severity} t={t} /></td>
                      <td data-field="enabled" data-label={label('rule_status')} className={`py-2 pr-3 whitespace-nowrap text-slate-700 dark:text-slate-200 ${stackCell}`}>
                        <span aria-hidden="true">{r.enabled ? '● ' : '○ '}</span>{r.enabled ? t('rule_on') : t('rule_off')}
                      </td>
                      <td data-label={label('rule_last_evaluated')} className={`py-2 pr-3 text-slate-600 dark:text-slate-300 ${stackCell}`}>
                        <span className="tabular-nums whitespace-nowrap">{formatWhen(lang, tz, r.last_evaluated_at)}</span>
                        {r.last_error && <span data-field="last_error" className="block text-xs text-red-700 dark:text-red-300"><span aria-hidden="true">⚠ </span>{r.last_error}</span>}
                      </td>
                      {manage && <td className={actionsCell}>
                        {confirm === r.id ? (
                          <span className={actionsRow}>
                            <span className="text-xs text-slate-600 dark:text-slate-300">{t('rule_delete_confirm')}</span>
                            <button type="button" className={`${btn} text-red-700 dark:text-red-300`} disabled={busy}
                              onClick={() => act.mutate({ kind: 'delete', rule: r })}>{t('rule_delete_yes')}</button>
                            <button type="button" className={btn} onClick={() => setConfirm(null)}>{t('cancel')}</button>
                          </span>
                        ) : (
                          <span className={actionsRow}>
                            <button type="button" className={btn} onClick={() => setEditing(r)} aria-label={`${t('rule_edit')} ${r.name}`}>{t('rule_edit')}</button>
                            <button type="button" className={btn} disabled={busy} onClick={() => act.mutate({ kind: 'toggle', rule: r })}
                              aria-label={`${r.enabled ? t('rule_disable') : t('rule_enable')} ${r.name}`}>
                              {r.enabled ? t('rule_disable') : t('rule_enable')}
                            </button>
                            <button type="button" className={btn} onClick={() => setConfirm(r.id)} aria-label={`${t('rule_delete')} ${r.name}`}>{t('rule_delete')}</button>
                          </span>
                        )}
                      </td>}
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
