// The merchant area: a merchant's own business over the portal API (/api/merchant/*) — summary,
// transactions (with the detail drawer and the refund request), refunds and their approval queue,
// disputes and evidence, payouts and their schedule, exports, webhooks, the merchant's alerts, audit log, settings. A merchant user's token is scoped by the server; an
// ops user first picks the merchant to act for (sent as X-Merchant-Id, and audited by the server).
// Sections come from MERCHANT_TABS and the token's permissions: none is offered that the token
// could not open.

import { useQuery } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { apiGet, tokenMerchantId, type RankItem } from '../api.ts';
import { Segmented } from '../components/Segmented.tsx';
import type { MessageKey } from '../i18n.ts';
import { can, useMe, type Me } from '../me.ts';
import { mGet, type Caller, type Settings, type Summary } from '../merchant-api.ts';
import { MERCHANT_TABS, type MerchantTab, type View } from '../url-state.ts';
import { field, labelText, primary, translator } from './alerts/ui.tsx';

/** Secondary text on the page's background (contrast at least 4.5:1 in both themes). */
const muted = 'text-sm text-slate-600 dark:text-slate-400';
import { Audit } from './merchant/Audit.tsx';
import { Disputes } from './merchant/Disputes.tsx';
import { Exports } from './merchant/Exports.tsx';
import { MerchantAlerts } from './merchant/MerchantAlerts.tsx';
import { Payouts } from './merchant/Payouts.tsx';
import { Refunds } from './merchant/Refunds.tsx';
import { SettingsPanel } from './merchant/SettingsPanel.tsx';
import { SummaryPanel } from './merchant/SummaryPanel.tsx';
import { Transactions } from './merchant/Transactions.tsx';
import { Webhooks } from './merchant/Webhooks.tsx';
import { DEFAULT_ZONE, MerchantContext, type MerchantCtx, type SummaryChoice } from './merchant/context.ts';

/** The permission each section needs (docs/merchant.md#roles-and-permissions). */
const NEEDS: Record<MerchantTab, string> = {
  summary: 'merchant:read_kpis', transactions: 'merchant:transactions', refunds: 'merchant:refunds_read',
  disputes: 'merchant:disputes', payouts: 'merchant:payouts', exports: 'merchant:exports', webhooks: 'merchant:webhooks', alerts: 'merchant:alerts', audit: 'merchant:audit', settings: 'merchant:settings',
};

export function Merchant({ token, view, onSignInAgain }: { token: string; view: View; onSignInAgain: () => void }) {
  const t = translator(view.lang);
  const me = useMe(token);
  const own = tokenMerchantId(token);
  if (me.isPending) return <p className={muted}>{t('loading')}</p>;
  if (me.error) return <p role="alert" className="text-sm text-rose-700">{me.error.message}</p>;
  const tabs = MERCHANT_TABS.filter((x) => can(me.data, NEEDS[x]));
  if (tabs.length === 0) return <p role="alert" data-field="no-portal" className={muted}>{t('m_no_access')}</p>;
  const merchant = own ?? view.actingFor;
  return (
    <div data-merchant-view={view.mtab}>
      <header className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="text-2xl font-semibold">{t('screen_merchant')}</h1>
          {merchant && <p className={muted} data-field="merchant-id">{own ? t('m_your_business') : t('m_acting_for')} <code>{merchant}</code></p>}
        </div>
        {!own && <MerchantPicker token={token} view={view} />}
      </header>
      {merchant ? (
        <Area token={token} onSignInAgain={onSignInAgain} me={me.data} merchant={merchant} ops={!own} tabs={tabs} view={view} />
      ) : (
        <p data-field="pick-merchant" className="rounded-xl bg-slate-100 px-3 py-2 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-200">{t('m_pick_first')}</p>
      )}
    </div>
  );
}

function Area({ token, onSignInAgain, me, merchant, ops, tabs, view }: { token: string; onSignInAgain: () => void; me: Me; merchant: string; ops: boolean; tabs: MerchantTab[]; view: View }) {
  const t = translator(view.lang);
  const caller: Caller = { token, merchant: ops ? merchant : null };
  const [summary, setSummary] = useState<SummaryChoice>({ period: 'mtd', from: '', to: '', currency: '' });
  const settings = useQuery({
    queryKey: ['m-settings', token, merchant],
    queryFn: () => mGet<Settings>(caller, '/settings'),
    enabled: can(me, 'merchant:settings'),
    staleTime: 60_000,
  });
  // A token without merchant:settings (the accountant) learns the zone from the summary, which is computed in it.
  const zoneOfSummary = useQuery({
    queryKey: ['m-zone', token, merchant],
    queryFn: () => mGet<Summary>(caller, '/summary', { period: 'today' }),
    enabled: !can(me, 'merchant:settings') && can(me, 'merchant:read_kpis'),
    staleTime: 300_000,
  });
  const tz = settings.data?.time_zone ?? zoneOfSummary.data?.tz ?? DEFAULT_ZONE;
  const ctx: MerchantCtx = { caller, me, lang: view.lang, t, tz, merchant, summary, setSummary, signInAgain: onSignInAgain };
  const tab = tabs.includes(view.mtab) ? view.mtab : tabs[0]!;
  return (
    <MerchantContext.Provider value={ctx}>
      <nav aria-label={t('m_sections')} className="mb-4 overflow-x-auto">
        <Segmented<MerchantTab> label={t('m_sections')} options={tabs} value={tab} onChange={view.setMtab} text={(x) => t(`m_tab_${x}` as MessageKey)} />
      </nav>
      {tab === 'summary' ? <SummaryPanel />
        : tab === 'transactions' ? <Transactions />
        : tab === 'refunds' ? <Refunds />
        : tab === 'disputes' ? <Disputes />
        : tab === 'payouts' ? <Payouts />
        : tab === 'exports' ? <Exports />
        : tab === 'webhooks' ? <Webhooks />
        : tab === 'alerts' ? <MerchantAlerts />
        : tab === 'audit' ? <Audit />
        : <SettingsPanel />}
    </MerchantContext.Provider>
  );
}

/** Ops: which merchant to act for — the busiest of the last 30 days to choose from, or any id typed in. */
function MerchantPicker({ token, view }: { token: string; view: View }) {
  const t = translator(view.lang);
  const [draft, setDraft] = useState(view.actingFor ?? '');
  const merchants = useQuery({
    queryKey: ['m-picker', token],
    queryFn: () => {
      const to = new Date(Math.ceil(Date.now() / 60_000) * 60_000);
      const from = new Date(to.getTime() - 30 * 86_400_000);
      return apiGet<{ items: Array<RankItem & { key: string | null }> }>('/api/analytics/breakdown', token,
        { from: from.toISOString(), to: to.toISOString(), dimension: 'merchant_id', limit: '100' });
    },
    staleTime: 300_000,
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const id = draft.trim();
    if (id) view.setActingFor(id);
  };
  return (
    <form onSubmit={submit} aria-label={t('m_picker')} className="flex flex-wrap items-end gap-2">
      <label className={labelText}>
        {t('m_picker')}
        <input name="acting_for" list="m-picker-list" value={draft} onChange={(e) => setDraft(e.target.value)} required
          pattern="[A-Za-z0-9._:@|\-]{1,128}" placeholder="m_sn_042" className={`${field} w-56`} />
        <datalist id="m-picker-list">
          {(merchants.data?.items ?? []).map((m) => m.key && <option key={m.key} value={m.key} />)}
        </datalist>
      </label>
      <button type="submit" className={primary}>{t('m_open')}</button>
      <p className={`${muted} w-full text-xs`}>{t('m_ops_audited')}</p>
    </form>
  );
}
