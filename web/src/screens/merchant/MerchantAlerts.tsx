// The merchant's own alerts (GET /api/merchant/alerts): those of its alert rules and its disputes'
// deadlines due within 24 hours, newest first, filtered by state, with cursor paging.

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { Segmented } from '../../components/Segmented.tsx';
import type { MessageKey } from '../../i18n.ts';
import { mGet, MERCHANT_ALERT_STATES, type MerchantAlert, type Page } from '../../merchant-api.ts';
import { card, secondary, SeverityBadge } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { ListState, when } from './ui.tsx';

const FILTERS = ['all', ...MERCHANT_ALERT_STATES] as const;
type Filter = (typeof FILTERS)[number];

export function MerchantAlerts() {
  const { caller, lang, t, tz } = useMerchant();
  const [state, setState] = useState<Filter>('all');
  const list = useInfiniteQuery({
    queryKey: ['m-alerts', caller, { state }],
    queryFn: ({ pageParam }) => mGet<Page<MerchantAlert>>(caller, '/alerts', { state: state === 'all' ? undefined : state, limit: '50', cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 60_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <section aria-label={t('m_tab_alerts')} className={card}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-lg font-semibold">{t('m_tab_alerts')}</h2>
        <Segmented<Filter> label={t('m_alert_state')} options={FILTERS} value={state} onChange={setState}
          text={(v) => t(v === 'all' ? 'alert_status_all' : `m_alert_state_${v}` as MessageKey)} />
      </div>
      <ListState loading={list.isPending} error={list.error} empty={!list.isPending && !list.error && items.length === 0} t={t} />
      <ul className="divide-y divide-slate-100 dark:divide-slate-700">
        {items.map((a) => (
          <li key={a.id} data-merchant-alert={a.id} data-state={a.state} className="py-3 text-sm">
            <div className="flex flex-wrap items-center justify-between gap-2">
              <div className="flex flex-wrap items-center gap-2">
                <SeverityBadge severity={a.severity} t={t} />
                <span className="rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-slate-300 dark:ring-slate-600">{t(`m_alert_state_${a.state}` as MessageKey)}</span>
                <span className="font-medium">{a.kind === 'dispute_due_soon' ? t('m_alert_dispute_due') : a.rule_name ?? `#${a.rule_id ?? a.id}`}</span>
              </div>
              <span className="text-slate-600 dark:text-slate-400">{when(lang, tz, a.started_at)}</span>
            </div>
            {a.detail && <p className="mt-1 text-slate-700 dark:text-slate-200">{a.detail}</p>}
            <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">
              {Object.entries(a.labels).map(([k, v]) => `${k}=${String(v)}`).join(' · ')}
              {a.resolved_at && <> · {t('m_alert_resolved_at')} {when(lang, tz, a.resolved_at)}</>}
              {a.acknowledged_by && <> · {t('m_alert_acknowledged_by')} {a.acknowledged_by}</>}
            </p>
          </li>
        ))}
      </ul>
      {list.hasNextPage && <button type="button" className={`${secondary} mt-3`} disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{t('m_load_more')}</button>}
      <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">{t('m_dates_in')} {tz}</p>
    </section>
  );
}
