// Alerts: three sub-views behind a segmented tab — the alerts themselves (filters, acknowledge,
// resolve, assign, comment), the rules (list, editor with the 7-day preview) and the silences.
// Changes need alerts:manage; a refusal is shown where it happened.

import { useState } from 'react';
import { Segmented } from '../components/Segmented.tsx';
import type { Lang, MessageKey } from '../i18n.ts';
import { AlertList } from './alerts/AlertList.tsx';
import { Rules } from './alerts/Rules.tsx';
import { Silences } from './alerts/Silences.tsx';
import { translator } from './alerts/ui.tsx';

const VIEWS = ['alerts', 'rules', 'silences'] as const;
type AlertsView = (typeof VIEWS)[number];

export function Alerts({ token, lang }: { token: string; lang: Lang }) {
  const t = translator(lang);
  const [view, setView] = useState<AlertsView>('alerts');
  return (
    <div data-alerts-view={view}>
      <header className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-2xl font-semibold">{t('screen_alerts')}</h1>
        <Segmented<AlertsView> label={t('alerts_section')} options={VIEWS} value={view} onChange={setView}
          text={(v) => t(`alerts_tab_${v}` as MessageKey)} />
      </header>
      {view === 'alerts' ? <AlertList token={token} lang={lang} />
        : view === 'rules' ? <Rules token={token} lang={lang} />
          : <Silences token={token} lang={lang} />}
    </div>
  );
}
