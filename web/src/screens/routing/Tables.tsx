// Routing tables: every table at its current version (GET /routing), and one table's current
// routes with its version history, newest first, more over `next_before`
// (GET /routing/{region}/{currency}). A version says how it came: set by an operator, a proposal
// applied, or an earlier version restored. The kill switch (GET /kill-switches): engaged, the
// table routes every payment by its last static version; mesh:manage engages it with a reason
// (POST /kill-switch/{region}/{currency}) and resets it (DELETE).

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { actionKey, meshDelete, meshGet, meshPost, type KillSwitch, type TableHistory, type TableVersion } from '../../mesh-api.ts';
import { btn, card, fieldBase, secondary } from '../alerts/ui.tsx';
import { plural } from '../../i18n.ts';
import { useRouting } from './context.ts';
import { Badge, ListState, Refused, RouteTable, sub, when } from './ui.tsx';

export function Tables() {
  const { token, lang, t, tz } = useRouting();
  const tables = useQuery({ queryKey: ['mesh-tables', token], queryFn: () => meshGet<{ items: TableVersion[] }>(token, '/routing'), refetchInterval: 30_000 });
  const items = [...(tables.data?.items ?? [])].sort((a, b) => a.region.localeCompare(b.region) || a.currency.localeCompare(b.currency));
  const switches = useQuery({ queryKey: ['mesh-kill-switches', token], queryFn: () => meshGet<{ items: KillSwitch[] }>(token, '/kill-switches'), refetchInterval: 30_000 });
  const engaged = new Map((switches.data?.items ?? []).map((k) => [`${k.region}/${k.currency}`, k]));
  const [open, setOpen] = useState<string | null>(null);
  const chosen = items.find((v) => `${v.region}/${v.currency}` === open) ?? null;
  return (
    <div className="space-y-4">
      <section aria-label={t('r_tab_tables')} className={card}>
        <h2 className="mb-3 text-lg font-semibold">{t('r_tab_tables')}</h2>
        <ListState loading={tables.isPending} error={tables.error} empty={!tables.isPending && !tables.error && items.length === 0} t={t} />
        <ul className="grid gap-2 sm:grid-cols-2 lg:grid-cols-3">
          {items.map((v) => {
            const k = `${v.region}/${v.currency}`;
            return (
              <li key={k} data-table={k} data-version={v.version} className="min-w-0 rounded-xl p-3 text-sm ring-1 ring-slate-200 dark:ring-slate-700">
                <div className="flex items-center justify-between gap-2">
                  <span className="font-semibold">{v.region} · {v.currency}</span>
                  <Badge value={v.kind} prefix="r_kind_" t={t} />
                </div>
                {engaged.has(k) && <p data-field="kill-switch" className="mt-1 text-xs font-medium text-red-800 dark:text-red-200">{t('r_kill_switch_engaged')}</p>}
                <p className="mt-1 text-slate-600 dark:text-slate-300">
                  <span data-field="version">{t('r_version')} {v.version}</span> · {v.routes.length} {plural(lang, v.routes.length, 'r_route_count', 'r_routes_count')}
                </p>
                <p className="text-xs text-slate-600 dark:text-slate-400">{v.created_by} · {when(lang, tz, v.created_at)}</p>
                <button type="button" className={`${btn} mt-2`} aria-expanded={open === k} aria-label={`${open === k ? t('r_hide') : t('r_history')} ${v.region} ${v.currency}`}
                  onClick={() => setOpen(open === k ? null : k)}>
                  {open === k ? t('r_hide') : t('r_history')}
                </button>
              </li>
            );
          })}
        </ul>
        <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">{t('r_dates_in')} {tz}</p>
      </section>
      {chosen && <TableDetail region={chosen.region} currency={chosen.currency} engaged={engaged.get(`${chosen.region}/${chosen.currency}`) ?? null} />}
    </div>
  );
}

function TableDetail({ region, currency, engaged }: { region: string; currency: string; engaged: KillSwitch | null }) {
  const { token, lang, t, tz } = useRouting();
  const history = useInfiniteQuery({
    queryKey: ['mesh-table-history', token, region, currency],
    queryFn: ({ pageParam }) => meshGet<TableHistory>(token, `/routing/${region}/${currency}`, { limit: '20', before: pageParam === undefined ? undefined : String(pageParam) }),
    initialPageParam: undefined as number | undefined,
    getNextPageParam: (last) => last.next_before ?? undefined,
  });
  const current = history.data?.pages[0]?.current;
  const versions = history.data?.pages.flatMap((p) => p.versions) ?? [];
  const [shown, setShown] = useState<number | null>(null);
  return (
    <section aria-label={`${t('r_table')} ${region} ${currency}`} data-table-detail={`${region}/${currency}`} className={card}>
      <h2 className="mb-2 text-lg font-semibold">{t('r_table')} {region} · {currency}</h2>
      <KillSwitchPanel region={region} currency={currency} engaged={engaged} />
      <ListState loading={history.isPending} error={history.error} empty={false} t={t} />
      {current && (
        <>
          <h3 className="mb-1 flex flex-wrap items-center gap-2 text-sm font-semibold">
            <span data-field="current-version" data-version={current.version}>{t('r_current')} · {t('r_version')} {current.version}</span>
            <Badge value={current.kind} prefix="r_kind_" t={t} />
          </h3>
          <RouteTable routes={current.routes} currency={currency} lang={lang} t={t} label={`${t('r_current')} ${region} ${currency}`} />
          <h3 className="mb-1 mt-4 text-sm font-semibold">{t('r_versions')}</h3>
          <ol className="divide-y divide-slate-100 dark:divide-slate-700">
            {versions.map((v) => (
              <li key={v.version} data-table-version={v.version} data-kind={v.kind} className="py-2 text-sm">
                <div className="flex flex-wrap items-center justify-between gap-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-semibold">{t('r_version')} {v.version}</span>
                    <Badge value={v.kind} prefix="r_kind_" t={t} />
                    {v.proposal_id && <code className="text-xs">{v.proposal_id}</code>}
                    {v.restored_version !== null && <span className={sub}>{t('r_restores')} {v.restored_version}</span>}
                  </div>
                  <span className="text-slate-600 dark:text-slate-400">{v.created_by} · {when(lang, tz, v.created_at)}</span>
                </div>
                <button type="button" className={`${btn} mt-1`} aria-expanded={shown === v.version} aria-label={`${shown === v.version ? t('r_hide') : t('r_show_routes')} ${t('r_version')} ${v.version}`}
                  onClick={() => setShown(shown === v.version ? null : v.version)}>
                  {shown === v.version ? t('r_hide') : t('r_show_routes')}
                </button>
                {shown === v.version && <div className="mt-2"><RouteTable routes={v.routes} currency={currency} lang={lang} t={t} label={`${t('r_version')} ${v.version}`} /></div>}
              </li>
            ))}
          </ol>
          {history.hasNextPage && <button type="button" className={`${secondary} mt-3`} disabled={history.isFetchingNextPage} onClick={() => void history.fetchNextPage()}>{t('r_more')}</button>}
        </>
      )}
    </section>
  );
}

/** The table's kill switch: its state for everyone, engage (with a reason) and reset for mesh:manage. */
function KillSwitchPanel({ region, currency, engaged }: { region: string; currency: string; engaged: KillSwitch | null }) {
  const { token, lang, t, tz, manager } = useRouting();
  const qc = useQueryClient();
  const [reason, setReason] = useState('');
  const change = useMutation({
    mutationFn: (what: 'engage' | 'reset') => (what === 'engage'
      ? meshPost<KillSwitch>(token, `/kill-switch/${region}/${currency}`, { reason: reason.trim() }, actionKey())
      : meshDelete<KillSwitch>(token, `/kill-switch/${region}/${currency}`)),
    onSuccess: () => {
      setReason('');
      for (const k of ['mesh-kill-switches', 'mesh-actions']) void qc.invalidateQueries({ queryKey: [k] });
    },
  });
  return (
    <div data-kill-switch={engaged ? 'engaged' : 'off'} className={`mb-4 space-y-2 rounded-xl p-3 text-sm ring-1 ${engaged ? 'bg-red-50 ring-red-200 dark:bg-red-950/50 dark:ring-red-800' : 'bg-slate-50 ring-slate-200 dark:bg-slate-900/50 dark:ring-slate-700'}`}>
      <h3 className="font-semibold">{t('r_kill_switch')}</h3>
      {engaged ? (
        <p>{t('r_kill_switch_on').replace('{version}', String(engaged.static_version ?? '—'))} · {engaged.engaged_by} · {when(lang, tz, engaged.engaged_at)} — {engaged.reason}</p>
      ) : <p className="text-slate-600 dark:text-slate-300">{t('r_kill_switch_off')}</p>}
      {manager && (engaged ? (
        <button type="button" className={btn} disabled={change.isPending} onClick={() => change.mutate('reset')} aria-label={`${t('r_kill_switch_reset')} ${region} ${currency}`}>{t('r_kill_switch_reset')}</button>
      ) : (
        <form className="flex flex-wrap items-end gap-2" aria-label={t('r_kill_switch')} onSubmit={(e) => { e.preventDefault(); if (reason.trim()) change.mutate('engage'); }}>
          <input name="kill_reason" required maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} aria-label={t('r_kill_switch_reason')}
            placeholder={t('r_kill_switch_reason')} className={`${fieldBase} w-full sm:w-64`} />
          <button type="submit" className={btn} disabled={change.isPending || !reason.trim()} aria-label={`${t('r_kill_switch_engage')} ${region} ${currency}`}>{t('r_kill_switch_engage')}</button>
        </form>
      ))}
      <Refused error={change.error} t={t} />
    </div>
  );
}
