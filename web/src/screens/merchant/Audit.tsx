// The merchant's audit log (GET /api/merchant/audit): who did what, when, from where — filtered
// by actor and action, newest first, more on demand (keyset cursor).

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { mGet, type AuditEntry, type Page } from '../../merchant-api.ts';
import { card, fieldBase, labelText, primary, secondary, th, thead } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { ListState, when } from './ui.tsx';

export function Audit() {
  const { caller, lang, t, tz } = useMerchant();
  const [draft, setDraft] = useState({ actor: '', action: '' });
  const [filters, setFilters] = useState(draft);
  const list = useInfiniteQuery({
    queryKey: ['m-audit', caller, filters],
    queryFn: ({ pageParam }) => mGet<Page<AuditEntry>>(caller, '/audit', { actor: filters.actor.trim(), action: filters.action.trim(), limit: '50', cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const apply = (e: FormEvent) => { e.preventDefault(); setFilters(draft); };
  return (
    <section aria-label={t('m_tab_audit')} className={card}>
      <form onSubmit={apply} className="mb-3 flex flex-wrap items-end gap-3" aria-label={t('m_filters')}>
        <label className={labelText}>{t('m_actor')}<input name="audit_actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} className={`${fieldBase} mt-1 block`} /></label>
        <label className={labelText}>{t('m_action')}<input name="audit_action" value={draft.action} placeholder="refund.approved" onChange={(e) => setDraft({ ...draft, action: e.target.value })} className={`${fieldBase} mt-1 block`} /></label>
        <button type="submit" className={primary}>{t('apply')}</button>
      </form>
      <ListState loading={list.isPending} error={list.error} empty={!list.isPending && !list.error && items.length === 0} t={t} />
      {items.length > 0 && (
        <div className="overflow-x-auto">
          <table className="w-full text-sm" data-table="audit">
            <thead className={thead}><tr><th className={th}>{t('m_when')}</th><th className={th}>{t('m_actor')}</th><th className={th}>{t('m_action')}</th><th className={`${th} hidden md:table-cell`}>{t('m_object')}</th><th className={`${th} hidden lg:table-cell`}>{t('m_from_where')}</th></tr></thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-audit={a.action} className="border-t border-slate-100 align-top dark:border-slate-700">
                  <td className="py-2 pr-3 whitespace-nowrap">{when(lang, tz, a.at)}</td>
                  <td className="py-2 pr-3">{a.actor} <span className="text-xs text-slate-600 dark:text-slate-400">({t(a.actor_kind === 'ops' ? 'm_actor_ops' : a.actor_kind === 'link' ? 'm_actor_link' : 'm_actor_merchant')})</span></td>
                  <td className="py-2 pr-3"><code className="text-xs">{a.action}</code></td>
                  <td className="hidden py-2 pr-3 md:table-cell"><code className="text-xs">{a.object_type ? `${a.object_type}:${a.object_id ?? ''}` : '—'}</code></td>
                  <td className="hidden py-2 pr-3 text-xs lg:table-cell">{a.ip ?? '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.hasNextPage && <button type="button" className={`${secondary} mt-3`} onClick={() => void list.fetchNextPage()}>{t('m_load_more')}</button>}
    </section>
  );
}
