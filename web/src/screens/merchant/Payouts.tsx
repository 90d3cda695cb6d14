// The merchant's payouts (GET /api/merchant/payouts, /payouts/{id}) and payout schedule (GET, PUT
// /api/merchant/settings/payout-schedule): the upcoming payout per currency (its date in the
// merchant's zone, what the delay holds back, whether it reaches the minimum), the history with
// cursor paging, a payout's covered transactions, and the schedule form. Changing the schedule
// needs a recent sign-in: the server's 403 step_up_required is shown as such, with the way back to
// the sign-in page (the view is kept, so the user lands here again).

import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api.ts';
import { formatDate, formatMoney } from '../../format.ts';
import { LOCALE, type Lang, type MessageKey } from '../../i18n.ts';
import { can } from '../../me.ts';
import {
  fromMinor, mGet, mSend, toMinor, type PayoutDetail, type PayoutInterval, type PayoutPage, type PayoutSchedule,
} from '../../merchant-api.ts';
import { btn, card, fieldBase, labelText, primary, secondary } from '../alerts/ui.tsx';
import { useMerchant } from './context.ts';
import { ListState, ServerRefusal, StatusBadge, when } from './ui.tsx';

const INTERVALS: PayoutInterval[] = ['manual', 'daily', 'weekly', 'monthly'];
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'];
const sub = 'text-sm text-slate-600 dark:text-slate-300';
const th = 'py-1 pr-3 text-left text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400';

/** Minor units of a currency, shown in its major units (exact: string arithmetic). */
export function money(minor: number, currency: string, lang: Lang): string {
  return formatMoney(fromMinor(minor, currency), currency, lang);
}

export function Payouts() {
  const { caller, t, tz } = useMerchant();
  const [open, setOpen] = useState<string | null>(null);
  const list = useInfiniteQuery({
    queryKey: ['m-payouts', caller],
    queryFn: ({ pageParam }) => mGet<PayoutPage>(caller, '/payouts', { limit: '20', cursor: pageParam }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const upcoming = list.data?.pages[0]?.upcoming ?? null;
  const items = list.data?.pages.flatMap((p) => p.items) ?? [];
  return (
    <div className="space-y-4">
      <section aria-label={t('m_payout_upcoming')} className={card} data-section="upcoming">
        <h2 className="mb-3 text-lg font-semibold">{t('m_payout_upcoming')}</h2>
        <ListState loading={list.isPending} error={list.error} empty={false} t={t} />
        {upcoming && <Upcoming u={upcoming} />}
      </section>
      <section aria-label={t('m_payout_history')} className={card} data-section="history">
        <h2 className="mb-3 text-lg font-semibold">{t('m_payout_history')}</h2>
        <ListState loading={list.isPending} error={null} empty={!list.isPending && !list.error && items.length === 0} t={t} />
        <PayoutList items={items} open={open} setOpen={setOpen} />
        {list.hasNextPage && <button type="button" className={`${secondary} mt-3`} disabled={list.isFetchingNextPage} onClick={() => void list.fetchNextPage()}>{t('m_load_more')}</button>}
        <p className="mt-3 text-xs text-slate-600 dark:text-slate-400">{t('m_dates_in')} {tz}</p>
      </section>
      <Schedule currencies={upcoming?.balances.map((b) => b.currency) ?? []} />
    </div>
  );
}

function Upcoming({ u }: { u: NonNullable<PayoutPage['upcoming']> }) {
  const { lang, t } = useMerchant();
  // scheduled_for is a local date of the merchant's zone already: shown as a calendar date.
  const date = u.scheduled_for
    ? formatDate(`${u.scheduled_for}T12:00:00Z`, lang, 'UTC')
    : null;
  return (
    <div>
      <p className={sub} data-field="scheduled-for">
        {date ? <>{t('m_payout_on')} <strong>{date}</strong> ({u.time_zone})</> : t('m_payout_manual')}
        {' · '}{t(`m_interval_${u.interval}` as MessageKey)}
      </p>
      <p className="mt-1 text-xs text-slate-600 dark:text-slate-400">{t('m_payout_held_from')} {when(lang, u.time_zone, u.held_from)}</p>
      {u.balances.length === 0 ? <p data-state="empty" className={`${sub} mt-3`}>{t('m_payout_no_balance')}</p> : (
        <ul className="mt-3 grid gap-3 sm:grid-cols-2 lg:grid-cols-3">
          {u.balances.map((b) => (
            <li key={b.currency} data-upcoming={b.currency} className="rounded-xl p-3 ring-1 ring-slate-200 dark:ring-slate-700">
              <p className="text-xs font-medium text-slate-600 dark:text-slate-400">{b.currency}</p>
              <p data-field="amount" className="text-xl font-semibold tabular-nums">{formatMoney(b.amount_decimal, b.currency, lang)}</p>
              <dl className="mt-1 space-y-0.5 text-xs text-slate-600 dark:text-slate-300">
                <div className="flex justify-between gap-2"><dt>{t('m_payout_balance')}</dt><dd className="tabular-nums">{money(b.balance, b.currency, lang)}</dd></div>
                <div className="flex justify-between gap-2"><dt>{t('m_payout_held')}</dt><dd data-field="held" className="tabular-nums">{money(b.held, b.currency, lang)}</dd></div>
                {b.minimum_amount > 0 && <div className="flex justify-between gap-2"><dt>{t('m_payout_minimum')}</dt><dd className="tabular-nums">{money(b.minimum_amount, b.currency, lang)}</dd></div>}
              </dl>
              {!b.reaches_minimum && (
                <p data-field="below-minimum" className="mt-2 rounded bg-amber-100 px-2 py-1 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">
                  {b.amount > 0 ? t('m_payout_below_minimum') : t('m_payout_nothing_due')}
                </p>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PayoutList({ items, open, setOpen }: { items: PayoutPage['items']; open: string | null; setOpen: (id: string | null) => void }) {
  const { lang, t, tz } = useMerchant();
  return (
    <ul className="divide-y divide-slate-100 dark:divide-slate-700">
      {items.map((p) => (
        <li key={p.payout_id} data-payout={p.payout_id} className="py-2 text-sm">
          <div className="flex flex-wrap items-center justify-between gap-2">
            <div className="flex flex-wrap items-center gap-2">
              <StatusBadge status={p.status} t={t} />
              <span data-field="amount" className="font-semibold tabular-nums">{formatMoney(p.amount_decimal, p.currency, lang)}</span>
              <code className="text-xs">{p.payout_id}</code>
            </div>
            <div className="flex items-center gap-2">
              <span className="text-slate-600 dark:text-slate-400">{when(lang, tz, p.created_at)}</span>
              <button type="button" className={btn} aria-expanded={open === p.payout_id} aria-label={`${t('m_payout_open')} ${p.payout_id}`}
                onClick={() => setOpen(open === p.payout_id ? null : p.payout_id)}>
                {open === p.payout_id ? t('m_payout_hide') : t('m_payout_details')}
              </button>
            </div>
          </div>
          {open === p.payout_id && <PayoutCoverage id={p.payout_id} />}
        </li>
      ))}
    </ul>
  );
}

function PayoutCoverage({ id }: { id: string }) {
  const { caller, lang, t, tz } = useMerchant();
  const detail = useQuery({
    queryKey: ['m-payout', caller, id],
    queryFn: () => mGet<PayoutDetail>(caller, `/payouts/${encodeURIComponent(id)}`),
  });
  const d = detail.data;
  return (
    <div data-payout-detail={id} className="mt-2 rounded-lg bg-slate-50 p-3 dark:bg-slate-900/50">
      <ListState loading={detail.isPending} error={detail.error} empty={false} t={t} />
      {d && (
        <>
          <p className={sub}>{t('m_payout_covers')}{d.settled_at && <> · {t('m_payout_settled_at')} {when(lang, tz, d.settled_at)}</>}</p>
          {d.transactions.length === 0 ? <p data-state="empty" className={`${sub} mt-2`}>{t('m_empty')}</p> : (
            <div className="mt-2 overflow-x-auto">
              <table className="w-full min-w-[32rem] text-sm">
                <thead><tr>
                  <th scope="col" className={th}>{t('m_transaction')}</th>
                  <th scope="col" className={th}>{t('m_payout_captured')}</th>
                  <th scope="col" className={`${th} text-right`}>{t('m_payout_net')}</th>
                  <th scope="col" className={`${th} text-right`}>{t('m_payout_covered')}</th>
                </tr></thead>
                <tbody>
                  {d.transactions.map((x) => (
                    <tr key={x.txn_id} data-covered={x.txn_id} className="border-t border-slate-200 dark:border-slate-700">
                      <td className="py-1 pr-3"><code className="text-xs">{x.txn_id}</code></td>
                      <td className="py-1 pr-3 text-slate-600 dark:text-slate-300">{when(lang, tz, x.captured_at)}</td>
                      <td className="py-1 pr-3 text-right tabular-nums">{money(x.net, d.currency, lang)}</td>
                      <td className="py-1 text-right tabular-nums" data-field="covered" data-minor={x.covered}>
                        {money(x.covered, d.currency, lang)}
                        {(x.covered_before > 0 || x.covered < x.net) && <span className="block text-xs text-slate-600 dark:text-slate-400">{t('m_payout_split')}</span>}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          <p className="mt-2 text-sm font-medium" data-field="covered-total" data-minor={d.covered_amount}>{t('m_payout_covered_total')} {money(d.covered_amount, d.currency, lang)}</p>
          {d.uncovered_amount !== 0 && (
            <p data-field="uncovered" data-minor={d.uncovered_amount} className="mt-1 rounded bg-amber-100 px-2 py-1 text-xs text-amber-900 dark:bg-amber-900 dark:text-amber-100">
              {t('m_payout_uncovered')} {money(d.uncovered_amount, d.currency, lang)}
            </p>
          )}
        </>
      )}
    </div>
  );
}

interface Draft { interval: PayoutInterval; weekly_anchor: string; monthly_anchor: string; delay_days: string; minimums: Record<string, string> }

function Schedule({ currencies }: { currencies: string[] }) {
  const { caller, me, lang, t, tz, merchant, signInAgain } = useMerchant();
  const qc = useQueryClient();
  const schedule = useQuery({ queryKey: ['m-payout-schedule', caller.token, merchant], queryFn: () => mGet<PayoutSchedule>(caller, '/settings/payout-schedule') });
  const [draft, setDraft] = useState<Draft | null>(null);
  const [invalid, setInvalid] = useState<string | null>(null);
  const save = useMutation({
    mutationFn: (body: unknown) => mSend<PayoutSchedule>(caller, 'PUT', '/settings/payout-schedule', body),
    onSuccess: (s) => {
      qc.setQueryData(['m-payout-schedule', caller.token, merchant], s);
      setDraft(null);
      void qc.invalidateQueries({ queryKey: ['m-payouts'] });
      void qc.invalidateQueries({ queryKey: ['m-audit'] });
    },
  });
  const s = schedule.data;
  const editable = can(me, 'merchant:payout_schedule');
  const d: Draft | null = draft ?? (s ? {
    interval: s.interval, weekly_anchor: s.weekly_anchor, monthly_anchor: String(s.monthly_anchor), delay_days: String(s.delay_days),
    minimums: Object.fromEntries(Object.entries(s.minimum_amounts).map(([c, m]) => [c, fromMinor(m, c)])),
  } : null);
  const codes = [...new Set([...currencies, ...Object.keys(s?.minimum_amounts ?? {})])].sort();
  const set = (patch: Partial<Draft>) => { if (d) { setDraft({ ...d, ...patch }); save.reset(); } };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!d) return;
    const minimum_amounts: Record<string, number> = {};
    for (const c of codes) {
      const text = (d.minimums[c] ?? '').trim();
      if (text === '' || /^0+([.,]0*)?$/.test(text)) continue;
      const minor = toMinor(text, c);
      if (minor === null) { setInvalid(c); return; }
      minimum_amounts[c] = minor;
    }
    setInvalid(null);
    save.mutate({ interval: d.interval, weekly_anchor: d.weekly_anchor, monthly_anchor: Number(d.monthly_anchor), delay_days: Number(d.delay_days), minimum_amounts });
  };
  const stepUp = save.error instanceof ApiError && save.error.code === 'step_up_required';
  return (
    <section aria-label={t('m_payout_schedule')} className={card} data-section="schedule">
      <h2 className="mb-3 text-lg font-semibold">{t('m_payout_schedule')}</h2>
      <ListState loading={schedule.isPending} error={schedule.error} empty={false} t={t} />
      {s && d && (
        <form onSubmit={submit} className="space-y-3" aria-label={t('m_payout_schedule')}>
          <fieldset disabled={!editable} className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4">
            <label className={labelText}>{t('m_payout_interval')}
              <select name="interval" value={d.interval} onChange={(e) => set({ interval: e.target.value as PayoutInterval })} className={`${fieldBase} mt-1 block w-full`}>
                {INTERVALS.map((i) => <option key={i} value={i}>{t(`m_interval_${i}` as MessageKey)}</option>)}
              </select>
            </label>
            {d.interval === 'weekly' && (
              <label className={labelText}>{t('m_payout_weekday')}
                <select name="weekly_anchor" value={d.weekly_anchor} onChange={(e) => set({ weekly_anchor: e.target.value })} className={`${fieldBase} mt-1 block w-full`}>
                  {WEEKDAYS.map((w, i) => <option key={w} value={w}>{new Date(Date.UTC(2024, 0, 1 + i)).toLocaleDateString(LOCALE[lang], { weekday: 'long', timeZone: 'UTC' })}</option>)}
                </select>
              </label>
            )}
            {d.interval === 'monthly' && (
              <label className={labelText}>{t('m_payout_monthday')}
                <input name="monthly_anchor" type="number" min={1} max={31} required value={d.monthly_anchor} onChange={(e) => set({ monthly_anchor: e.target.value })} className={`${fieldBase} mt-1 block w-full`} />
                <span className="mt-1 block text-xs font-normal text-slate-600 dark:text-slate-400">{t('m_payout_monthday_hint')}</span>
              </label>
            )}
            <label className={labelText}>{t('m_payout_delay')}
              <input name="delay_days" type="number" min={0} max={60} required value={d.delay_days} onChange={(e) => set({ delay_days: e.target.value })} className={`${fieldBase} mt-1 block w-full`} />
            </label>
            {codes.map((c) => (
              <label key={c} className={labelText}>{t('m_payout_minimum')} ({c})
                <input name={`minimum_${c}`} inputMode="decimal" value={d.minimums[c] ?? ''} placeholder="0" aria-invalid={invalid === c}
                  onChange={(e) => set({ minimums: { ...d.minimums, [c]: e.target.value } })} className={`${fieldBase} mt-1 block w-full`} />
              </label>
            ))}
          </fieldset>
          <p className="text-xs text-slate-600 dark:text-slate-400" data-field="schedule-updated">
            {s.updated_at ? `${t('m_updated')} ${when(lang, tz, s.updated_at)} · ${s.updated_by ?? ''}` : t('m_defaults')}
          </p>
          {invalid && <p role="alert" className="text-sm text-red-700 dark:text-red-300">{t('m_payout_bad_minimum')} ({invalid})</p>}
          {editable ? (
            <>
              <p className="text-xs text-slate-600 dark:text-slate-400">{t('m_payout_step_up_note')}</p>
              <button type="submit" className={primary} disabled={save.isPending || draft === null}>{t('m_save')}</button>
            </>
          ) : <p className={sub} data-field="read-only">{t('m_payout_read_only')}</p>}
          {save.isSuccess && <p role="status" data-field="schedule-saved" className="text-sm text-emerald-700 dark:text-emerald-300">{t('m_saved')}</p>}
          {stepUp ? (
            <div data-step-up className="space-y-2">
              <ServerRefusal error={save.error} t={t} />
              <p className="text-sm font-medium">{t('m_step_up_explain')}</p>
              <button type="button" className={primary} onClick={signInAgain}>{t('m_sign_in_again')}</button>
            </div>
          ) : <ServerRefusal error={save.error} t={t} />}
        </form>
      )}
    </section>
  );
}
