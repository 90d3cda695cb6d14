// The routing screen: the failover mesh (/api/mesh/*, docs/mesh.md) for its operators — provider
// health by region (verified predictions), proposals with their routes before and after, their
// simulation, approval and canary, the routing tables with their version history and kill
// switch, and the action log. Sections in a segmented control kept in the URL (`rtab=`).
// Offered to a token holding mesh:view; approving, rejecting, rolling back and starting a canary
// to mesh:approve, the other changes to mesh:manage (a read-only note without either). The
// server checks every call and every rule (four eyes, the base version, the rollback window) and
// its refusal is shown where it happened.

import { Segmented } from '../components/Segmented.tsx';
import type { MessageKey } from '../i18n.ts';
import { can, useMe } from '../me.ts';
import { ROUTING_TABS, type RoutingTab, type View } from '../url-state.ts';
import { translator } from './alerts/ui.tsx';
import { ActionLog } from './routing/ActionLog.tsx';
import { RoutingContext, type RoutingCtx } from './routing/context.ts';
import { Health } from './routing/Health.tsx';
import { Proposals } from './routing/Proposals.tsx';
import { Tables } from './routing/Tables.tsx';

const muted = 'text-sm text-slate-600 dark:text-slate-400';

export function Routing({ token, view }: { token: string; view: View }) {
  const t = translator(view.lang);
  const me = useMe(token);
  if (me.isPending) return <p className={muted}>{t('loading')}</p>;
  if (me.error) return <p role="alert" className="text-sm text-rose-700">{me.error.message}</p>;
  if (!can(me.data, 'mesh:view')) return <p role="alert" data-field="no-mesh" className={muted}>{t('r_no_access')}</p>;
  const ctx: RoutingCtx = { token, me: me.data, lang: view.lang, t, tz: view.tz, approver: can(me.data, 'mesh:approve'), manager: can(me.data, 'mesh:manage') };
  const tab = view.rtab;
  return (
    <RoutingContext.Provider value={ctx}>
      <div data-routing-view={tab}>
        <header className="mb-4 flex flex-wrap items-end justify-between gap-3">
          <div>
            <h1 className="text-2xl font-semibold">{t('screen_routing')}</h1>
            <p className={muted}>{t('r_subtitle')}</p>
          </div>
        </header>
        <nav aria-label={t('r_sections')} className="mb-4 overflow-x-auto">
          <Segmented<RoutingTab> label={t('r_sections')} options={ROUTING_TABS} value={tab} onChange={view.setRtab} text={(x) => t(`r_tab_${x}` as MessageKey)} />
        </nav>
        {!can(me.data, 'mesh:approve') && !can(me.data, 'mesh:manage') && (
          <p data-field="read-only" className="mb-3 rounded-xl bg-slate-100 px-3 py-2 text-sm text-slate-700 dark:bg-slate-800 dark:text-slate-200">
            {t('r_read_only')}
          </p>
        )}
        {tab === 'health' ? <Health />
          : tab === 'proposals' ? <Proposals />
          : tab === 'tables' ? <Tables />
          : <ActionLog />}
      </div>
    </RoutingContext.Provider>
  );
}
