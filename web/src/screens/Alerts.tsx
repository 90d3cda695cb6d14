// Alerts: three sub-views behind a segmented tab — the alerts themselves (filters, acknowledge,
// resolve, assign, comment), the rules (list, editor with the 7-day preview) and the silences.
// Changes need alerts:manage: without it the actions are not offered (the server checks anyway).

import { Segmented } from '../components/Segmented.tsx';
import type { MessageKey } from '../i18n.ts';
import { can, useMe } from '../me.ts';
import { ALERT_TABS, type AlertTab, type View } from '../url-state.ts';
import { AlertList } from './alerts/AlertList.tsx';
import { Rules } from './alerts/Rules.tsx';
import { Silences } from './alerts/Silences.tsx';
import { translator, ZoneContext } from './alerts/ui.tsx';

export function Alerts({ token, view: v }: { token: string; view: View }) {
  const { lang, tab: view } = v;
  const t = translator(lang);
  const me = useMe(token);
  // Actions only for a token that may take them (until /me answers, none are offered).
  const manage = can(me.data, 'alerts:manage');
  return (
    <ZoneContext.Provider value={v.tz}>
    <div data-alerts-view={view}>
      <header className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">{t('screen_alerts')}</h1>
        <Segmented<AlertTab> label={t('alerts_section')} options={ALERT_TABS} value={view} onChange={v.setTab}
          text={(x) => t(`alerts_tab_${x}` as MessageKey)} />
      </header>
      {me.data && !manage && (
        <p data-field="read-only" className="mb-3 rounded-xl bg-slate-100 px-3 py-2 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-200">
          {t('alerts_read_only')}
        </p>
      )}
      {view === 'alerts' ? <AlertList token={token} lang={lang} manage={manage} />
        : view === 'rules' ? <Rules token={token} lang={lang} manage={manage} />
          : <Silences token={token} lang={lang} manage={manage} />}
    </div>
    </ZoneContext.Provider>
  );
}
