// Requesting a refund of a succeeded transaction (POST /api/merchant/refunds): all or part of it,
// typed in the currency's major units and sent in minor units. Each attempt carries its own
// Idempotency-Key; an attempt that got no answer (network, 5xx, the key still in use) is retried
// with the same key, so it can never refund twice. What the server decides is shown as it said it:
// approved at once, waiting for another person's approval, or refused with its code.

import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef, useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { formatMoney } from '../../format.ts';
import { currencyExponent, mSend, newIdempotencyKey, toMinor, type Refund, type Transaction } from '../../merchant-api.ts';
import { field, labelText, primary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { ServerRefusal, StatusBadge } from './ui.tsx';

/** Answers after which the same key would only replay: the next attempt needs a new one. */
const answered = (err: unknown) => err instanceof ApiError && err.status < 500 && err.code !== 'idempotency_key_in_use';

export function RefundForm({ transaction: x }: { transaction: Transaction }) {
  const { caller, lang, t } = useMerchant();
  const qc = useQueryClient();
  const [amount, setAmount] = useState(x.amount);
  const [reason, setReason] = useState('');
  const key = useRef<{ key: string; body: string } | null>(null);
  const minor = toMinor(amount, x.currency);

  const request = useMutation({
    mutationFn: (body: { transaction_id: string; amount: number; currency: string; reason?: string }) => {
      const text = JSON.stringify(body);
      // A new attempt (or the same one retried after no answer: same body, same key).
      if (!key.current || key.current.body !== text) key.current = { key: newIdempotencyKey(), body: text };
      return mSend<Refund>(caller, 'POST', '/refunds', body, { 'Idempotency-Key': key.current.key });
    },
    onSuccess: () => {
      key.current = null;
      void qc.invalidateQueries({ queryKey: ['m-refunds'] });
      void qc.invalidateQueries({ queryKey: ['m-audit'] });
    },
    onError: (err) => { if (answered(err)) key.current = null; },
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (minor === null) return;
    request.mutate({ transaction_id: x.txn_id, amount: minor, currency: x.currency, ...(reason.trim() ? { reason: reason.trim() } : {}) });
  };
  const done = request.data;
  const exp = currencyExponent(x.currency);

  return (
    <form onSubmit={submit} aria-label={t('m_refund_form')} data-refund-form={x.txn_id}
      className="mt-4 space-y-3 rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200 dark:bg-slate-800 dark:ring-slate-700">
      <h3 className="text-sm font-semibold">{t('m_refund_title')}</h3>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <label className={labelText}>
          {t('m_amount')} ({x.currency})
          <input name="refund_amount" inputMode={exp > 0 ? 'decimal' : 'numeric'} value={amount} onChange={(e) => setAmount(e.target.value)}
            aria-invalid={minor === null} className={field} />
          <span className="mt-1 block text-xs font-normal text-slate-600 dark:text-slate-400">
            {t('m_refund_max')} {formatMoney(x.amount, x.currency, lang)} · {exp === 0 ? t('m_no_decimals') : t('m_decimals').replace('{n}', String(exp))}
          </span>
        </label>
        <label className={labelText}>
          {t('m_reason')}
          <input name="refund_reason" maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} className={field} />
        </label>
      </div>
      {minor === null && <p role="alert" className="text-xs text-rose-700">{t('m_bad_amount')}</p>}
      <button type="submit" className={primary} disabled={minor === null || request.isPending}>
        {request.isPending ? t('m_sending') : t('m_refund_submit')}
      </button>
      <ServerRefusal error={request.error} t={t} />
      {done && (
        <div role="status" data-refund-result={done.status} data-refund-id={done.id} className="rounded-lg bg-white p-3 text-sm ring-1 ring-slate-200 dark:bg-slate-900 dark:ring-slate-700">
          <p className="flex flex-wrap items-center gap-2"><StatusBadge status={done.status} t={t} /> <code className="text-xs">{done.id}</code> · {formatMoney(done.amount_decimal, done.currency, lang)}</p>
          <p className="mt-1">{done.status === 'pending_approval' ? t('m_refund_pending_note') : t('m_refund_approved_note')}</p>
        </div>
      )}
    </form>
  );
}
