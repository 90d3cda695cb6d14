// The mesh's action log (GET /actions): who changed what — members, policies, routing tables,
// proposals — newest first, filtered by target prefix and actor, more over the server's cursor.

import { useInfiniteQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { meshGet, type MeshAction, type Page } from '../../mesh-api.ts';
import { card, fieldBase, labelText, primary, secondary } from '../alerts/ui.tsx';
import { useRouting } from './context.ts';
import { ListState, ScrollX, td, th, when } from './ui.tsx';

interface Filters { target: string; actor: string }

/** What an action did, in one line: its result's fields. */
function summary(result: Record<string, unknown>): string {
  return Object.entries(result)
    .map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`)
    .join(' · ');
}

export function ActionLog() {
  const { token, lang, t, tz } = useRouting();
  const [draft, setDraft] = useState<Filters>({ target: '', actor: '' });
  const [filters, setFilters] = useState<Filters>({ target: '', actor: '' });
  const list = useInfiniteQuery({
    queryKey: ['mesh-actions', token, filters],
    queryFn: ({ pageParam }) => meshGet<Page<MeshAction>>(token, '/actions', { target: filters.target.trim(), actor: filters.actor.trim(), limit: '50', cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 30_000,
  });
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setFilters(draft);
  };
  return (
    <section aria-label={t('r_tab_log')} className={card}>
      <h2 className="mb-3 text-lg font-semibold">{t('r_tab_log')}</h2>
      <form onSubmit={submit} aria-label={t('r_log_filters')} className="mb-3 flex flex-wrap items-end gap-2">
        <label className={labelText}>{t('r_target')}
          <input name="target" value={draft.target} onChange={(e) => setDraft({ ...draft, target: e.target.value })} maxLength={160}
            placeholder="routing:ECOWAS/XOF" className={`${fieldBase} mt-1 block w-56`} />
        </label>
        <label className={labelText}>{t('r_actor')}
          <input name="actor" value={draft.actor} onChange={(e) => setDraft({ ...draft, actor: e.target.value })} maxLength={128}
            placeholder="system" className={`${fieldBase} mt-1 block w-40`} />
        </label>
        <button type="submit" className={primary}>{t('r_filter')}</button>
      </form>
      <ListState loading={list.isPending} error={list.error} empty={!list.isPending && !list.error && items.length === 0} t={t} />
      {items.length > 0 && (
        <ScrollX label={t('r_tab_log')}>
          <table className="w-full min-w-[40rem] text-sm">
            <thead><tr>
              <th scope="col" className={th}>{t('r_when')}</th>
              <th scope="col" className={th}>{t('r_actor')}</th>
              <th scope="col" className={th}>{t('r_action')}</th>
              <th scope="col" className={th}>{t('r_target')}</th>
              <th scope="col" className={th}>{t('r_result')}</th>
            </tr></thead>
            <tbody>
              {items.map((a) => (
                <tr key={a.id} data-action={a.action} data-target={a.target} className="border-t border-slate-200 dark:border-slate-700">
                  <td className={`${td} whitespace-nowrap`}>{when(lang, tz, a.at)}</td>
                  <td className={td} data-field="actor">{a.actor}</td>
                  <td className={td}><code className="text-xs">{a.action}</code></td>
                  <td className={td}><code className="break-all text-xs">{a.target}</code></td>
                  <td className={`${td} max-w-xs break-words text-xs text-slate-600 dark:text-slate-300`}>{summary(a.result)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </ScrollX>
      )}
      {list.hasNextPage && <button type="button" className={`${secondary} mt-3`} disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{t('r_more')}</button>}
      <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">{t('r_dates_in')} {tz}</p>
    </section>
  );
}
