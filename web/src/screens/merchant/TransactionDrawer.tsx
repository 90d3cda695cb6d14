// A transaction's detail drawer (GET /api/merchant/transactions/{id}): its lifecycle events, the
// refunds of the portal (GET /refunds?transaction=), the disputes naming it, the audit entries about
// it, and — for a succeeded transaction and a token that may — the refund request.

import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { formatMoney } from '../../format.ts';
import { can } from '../../me.ts';
import { mGet, type AuditEntry, type Page, type Refund, type TransactionDetail } from '../../merchant-api.ts';
import { secondary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { RefundForm } from './RefundForm.tsx';
import { ListState, StatusBadge, when } from './ui.tsx';

const h3 = 'mb-2 mt-5 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400';

export function TransactionDrawer({ txnId, onClose }: { txnId: string; onClose: () => void }) {
  const { caller, me, lang, t, tz } = useMerchant();
  const closeRef = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    closeRef.current?.focus();
    const onKey = (e: KeyboardEvent) => { if (e.key === 'Escape') onClose(); };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onClose]);
  const detail = useQuery({ queryKey: ['m-txn', caller, txnId], queryFn: () => mGet<TransactionDetail>(caller, `/transactions/${encodeURIComponent(txnId)}`) });
  const refunds = useQuery({
    queryKey: ['m-refunds', caller, { transaction: txnId }],
    queryFn: () => mGet<Page<Refund>>(caller, '/refunds', { transaction: txnId, limit: '200' }),
    enabled: can(me, 'merchant:refunds_read'),
  });
  // The audit API has no object filter: the latest 500 entries, kept when they are about this transaction or its refunds.
  const audit = useQuery({
    queryKey: ['m-audit', caller, 'recent'],
    queryFn: () => mGet<Page<AuditEntry>>(caller, '/audit', { limit: '500' }),
    enabled: can(me, 'merchant:audit'),
  });
  const x = detail.data?.transaction;
  const refundIds = new Set((refunds.data?.items ?? []).map((r) => r.id));
  const aboutIt = (audit.data?.items ?? []).filter((a) => a.object_id === txnId || (a.object_id && refundIds.has(a.object_id)) || a.detail.transaction_id === txnId || a.detail.transaction === txnId);
  const disputes = (detail.data?.events ?? []).filter((e) => e.type === 'dispute_created');

  return (
    <div className="fixed inset-0 z-40 flex justify-end bg-slate-900/40" onClick={onClose}>
      <aside role="dialog" aria-modal="true" aria-label={`${t('m_transaction')} ${txnId}`} data-drawer={txnId} onClick={(e) => e.stopPropagation()}
        className="h-full w-full max-w-xl overflow-y-auto bg-white p-5 shadow-xl dark:bg-slate-900">
        <div className="flex items-start justify-between gap-3">
          <div>
            <h2 className="text-lg font-semibold">{t('m_transaction')} <span className="font-mono text-base">{txnId}</span></h2>
            {x && <p className="mt-1 flex items-center gap-2 text-sm"><StatusBadge status={x.status} t={t} />
              <span data-field="drawer-amount" className="tabular-nums">{formatMoney(x.amount, x.currency, lang)}</span></p>}
          </div>
          <button ref={closeRef} type="button" className={secondary} onClick={onClose}>{t('m_close')}</button>
        </div>
        <ListState loading={detail.isPending} error={detail.error} empty={false} t={t} />
        {x && (
          <>
            <dl className="mt-4 grid grid-cols-2 gap-x-4 gap-y-1 text-sm">
              {([
                ['m_fee', formatMoney(x.fee, x.currency, lang)], ['m_method', x.payment_method], ['m_provider', x.provider],
                ['m_customer', x.customer_id], ['country', x.country], ['city', x.city], ['m_created', when(lang, tz, x.created_at)],
                ['m_updated', when(lang, tz, x.updated_at)], ['m_failure', x.failure_reason],
              ] as const).map(([k, v]) => v ? (<div key={k} className="contents"><dt className="text-slate-600 dark:text-slate-400">{t(k)}</dt><dd className="break-words">{v}</dd></div>) : null)}
            </dl>

            {x.status === 'succeeded' && can(me, 'merchant:refunds') && <RefundForm transaction={x} />}

            <h3 className={h3}>{t('m_events')}</h3>
            <ol className="space-y-1 text-sm" data-section="events">
              {detail.data!.events.map((e) => (
                <li key={e.event_id} data-event={e.type} className="flex flex-wrap justify-between gap-2 border-l-2 border-slate-200 pl-3 dark:border-slate-700">
                  <span><code className="text-xs">{e.type}</code>{e.status ? <> · {e.status}</> : null}{e.amount && e.currency ? <> · {formatMoney(e.amount, e.currency, lang)}</> : null}</span>
                  <span className="text-slate-600 dark:text-slate-400">{when(lang, tz, e.occurred_at)}</span>
                </li>
              ))}
            </ol>
            {detail.data!.events_truncated && <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t('m_events_truncated')}</p>}

            {refunds.data && (
              <>
                <h3 className={h3}>{t('m_tab_refunds')}</h3>
                {refunds.data.items.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">{t('m_empty')}</p> : (
                  <ul className="space-y-1 text-sm" data-section="refunds">
                    {refunds.data.items.map((r) => (
                      <li key={r.id} data-refund={r.id} className="flex flex-wrap items-center justify-between gap-2">
                        <span><code className="text-xs">{r.id}</code> · {formatMoney(r.amount_decimal, r.currency, lang)}</span>
                        <span className="flex items-center gap-2"><StatusBadge status={r.status} t={t} /><span className="text-slate-600 dark:text-slate-400">{when(lang, tz, r.requested_at)}</span></span>
                      </li>
                    ))}
                  </ul>
                )}
              </>
            )}

            <h3 className={h3}>{t('m_tab_disputes')}</h3>
            {disputes.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">{t('m_empty')}</p> : (
              <ul className="space-y-1 text-sm" data-section="disputes">
                {disputes.map((d) => (
                  <li key={d.event_id}><code className="text-xs">{String(d.dispute_id ?? '')}</code> · {d.reason ?? '—'} · {d.amount && d.currency ? formatMoney(d.amount, d.currency, lang) : ''} · {when(lang, tz, d.occurred_at)}</li>
                ))}
              </ul>
            )}

            {audit.data && (
              <>
                <h3 className={h3}>{t('m_tab_audit')}</h3>
                {aboutIt.length === 0 ? <p className="text-sm text-slate-600 dark:text-slate-400">{t('m_empty')}</p> : (
                  <ul className="space-y-1 text-sm" data-section="audit">
                    {aboutIt.map((a) => <li key={a.id}><code className="text-xs">{a.action}</code> · {a.actor} · {when(lang, tz, a.at)}</li>)}
                  </ul>
                )}
              </>
            )}
          </>
        )}
      </aside>
    </div>
  );
}
