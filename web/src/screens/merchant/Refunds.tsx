// The merchant's refunds (GET /api/merchant/refunds) — by default the approval queue (those
// pending approval) — with Approve and Reject (POST /refunds/{id}/approve|reject). Four eyes is the
// server's rule: the buttons are offered to whoever holds merchant:refunds_approve, a refund of
// one's own is marked as such, and the server's refusal (403 four_eyes_required) is shown on its row.

import { useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Segmented } from '../../components/Segmented.tsx';
import { formatMoney } from '../../format.ts';
import type { MessageKey } from '../../i18n.ts';
import { can } from '../../me.ts';
import { mGet, mSend, type Page, type Refund } from '../../merchant-api.ts';
import { btn, card, fieldBase, secondary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { ListState, ServerRefusal, StatusBadge, when } from './ui.tsx';

const VIEWS = ['pending_approval', 'approved', 'rejected', 'all'] as const;
type RefundView = (typeof VIEWS)[number];

export function Refunds() {
  const { caller, lang, t, tz } = useMerchant();
  const [status, setStatus] = useState<RefundView>('pending_approval');
  // Refunds decided here since the page opened: they leave the queue, and stay in view with their outcome.
  const [decided, setDecided] = useState<Refund[]>([]);
  const list = useInfiniteQuery({
    queryKey: ['m-refunds', caller, { status }],
    queryFn: ({ pageParam }) => mGet<Page<Refund>>(caller, '/refunds', { status: status === 'all' ? undefined : status, limit: '50', cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
    refetchInterval: 30_000,
  });
  const done = new Set(decided.map((r) => r.id));
  const items = (list.data?.pages.flatMap((p) => p.items) ?? []).filter((r) => !done.has(r.id));
  return (
    <section aria-label={t('m_tab_refunds')} className={card}>
      <div className="mb-3 flex flex-wrap items-center justify-between gap-3">
        <h2 className="text-lg font-semibold">{status === 'pending_approval' ? t('m_approval_queue') : t('m_tab_refunds')}</h2>
        <Segmented<RefundView> label={t('alert_status')} options={VIEWS} value={status} onChange={setStatus}
          text={(v) => t(v === 'all' ? 'alert_status_all' : `m_status_${v}` as MessageKey)} />
      </div>
      {status === 'pending_approval' && <p className="mb-3 text-sm text-slate-600 dark:text-slate-300">{t('m_four_eyes_note')}</p>}
      {decided.length > 0 && (
        <ul role="status" aria-label={t('m_decided_here')} className="mb-3 divide-y divide-emerald-100 rounded-lg bg-emerald-50 px-3 ring-1 ring-emerald-200 dark:divide-emerald-900 dark:bg-emerald-950/40 dark:ring-emerald-800">
          {decided.map((r) => <RefundRow key={r.id} refund={r} onDecided={() => undefined} />)}
        </ul>
      )}
      <ListState loading={list.isPending} error={list.error} empty={!list.isPending && !list.error && items.length === 0} t={t} />
      <ul className="divide-y divide-slate-100 dark:divide-slate-700">
        {items.map((r) => <RefundRow key={r.id} refund={r} onDecided={(x) => setDecided((d) => [x, ...d])} />)}
      </ul>
      {list.hasNextPage && <button type="button" className={`${secondary} mt-3`} disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{t('m_load_more')}</button>}
      <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">{t('m_dates_in')} {tz}</p>
    </section>
  );
}

function RefundRow({ refund: r, onDecided }: { refund: Refund; onDecided: (r: Refund) => void }) {
  const { caller, me, lang, t, tz } = useMerchant();
  const qc = useQueryClient();
  const [note, setNote] = useState('');
  const decide = useMutation({
    mutationFn: (d: 'approve' | 'reject') => mSend<Refund>(caller, 'POST', `/refunds/${encodeURIComponent(r.id)}/${d}`, note.trim() ? { reason: note.trim() } : {}),
    onSuccess: (x) => {
      onDecided(x);
      void qc.invalidateQueries({ queryKey: ['m-refunds'] });
      void qc.invalidateQueries({ queryKey: ['m-summary'] });
      void qc.invalidateQueries({ queryKey: ['m-audit'] });
    },
  });
  const mine = r.requested_by === me.sub;
  const pending = r.status === 'pending_approval' && !decide.data;
  const after = decide.data ?? r;
  return (
    <li data-refund={r.id} data-status={after.status} className="py-3 text-sm">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div className="flex flex-wrap items-center gap-2">
          <StatusBadge status={after.status} t={t} />
          <span data-field="amount" className="font-semibold tabular-nums">{formatMoney(r.amount_decimal, r.currency, lang)}</span>
          <code className="text-xs">{r.id}</code>
        </div>
        <span className="text-slate-600 dark:text-slate-400">{when(lang, tz, r.requested_at)}</span>
      </div>
      <p className="mt-1 text-slate-600 dark:text-slate-300">
        {t('m_transaction')} <code className="text-xs">{r.transaction_id}</code> · {t('m_requested_by')} <span data-field="requested-by">{r.requested_by}</span>
        {mine && <span data-field="mine" className="ml-1 rounded bg-amber-100 px-1 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">{t('m_your_request')}</span>}
        {r.reason && <> · {r.reason}</>}
        {after.decided_by && <> · {t('m_decided_by')} <span data-field="decided-by">{after.decided_by}</span> {when(lang, tz, after.decided_at)}</>}
      </p>
      {pending && can(me, 'merchant:refunds_approve') && (
        <div className="mt-2 flex flex-wrap items-center gap-2">
          <input name="decision_reason" aria-label={t('m_decision_reason')} placeholder={t('m_decision_reason')} maxLength={500} value={note}
            onChange={(e) => setNote(e.target.value)} className={`${fieldBase} w-56`} />
          <button type="button" className={btn} disabled={decide.isPending} onClick={() => decide.mutate('approve')} aria-label={`${t('m_approve')} ${r.id}`}>{t('m_approve')}</button>
          <button type="button" className={btn} disabled={decide.isPending} onClick={() => decide.mutate('reject')} aria-label={`${t('m_reject')} ${r.id}`}>{t('m_reject')}</button>
          {mine && <span className="text-xs text-slate-600 dark:text-slate-400">{t('m_own_refund_hint')}</span>}
        </div>
      )}
      {decide.error && <div className="mt-2"><ServerRefusal error={decide.error} t={t} /></div>}
    </li>
  );
}
