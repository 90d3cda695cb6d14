import { lazy, Suspense, useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { clearToken, loadToken, saveToken } from './api.ts';
import { focusRing, Segmented } from './components/Segmented.tsx';
import { LANGS, translate, type Lang, type MessageKey } from './i18n.ts';
import { Overview } from './screens/Overview.tsx';
import { SignIn } from './screens/SignIn.tsx';
import { useTheme } from './theme.ts';
import { can, useMe } from './me.ts';
import { SCREENS, useViewState, type Screen, type View } from './url-state.ts';

// Code-split by screen: the overview is in the entry chunk (it is the landing screen); the others
// load when first opened.
const Live = lazy(() => import('./screens/Live.tsx').then((m) => ({ default: m.Live })));
const Drill = lazy(() => import('./screens/Drill.tsx').then((m) => ({ default: m.Drill })));
const Alerts = lazy(() => import('./screens/Alerts.tsx').then((m) => ({ default: m.Alerts })));
const Merchant = lazy(() => import('./screens/Merchant.tsx').then((m) => ({ default: m.Merchant })));
const Routing = lazy(() => import('./screens/Routing.tsx').then((m) => ({ default: m.Routing })));
const Events = lazy(() => import('./screens/Events.tsx').then((m) => ({ default: m.Events })));

export function App() {
  const [token, setToken] = useState<string | null>(loadToken);
  const queryClient = useQueryClient();
  const view = useViewState();

  const signIn = (t: string) => {
    saveToken(t);
    setToken(t);
  };
  const signOut = () => {
    clearToken();
    queryClient.clear();
    // The next user starts from the overview at the top level (a merchant could not open ops' drill scope).
    view.setDrill({});
    view.setScreen('overview');
    setToken(null);
  };

  // A step-up (the server wants a recent sign-in): back to the sign-in page, the view kept, so the
  // user returns to where the change was refused.
  const signInAgain = () => {
    clearToken();
    queryClient.clear();
    setToken(null);
  };

  return token ? <Shell token={token} view={view} onSignOut={signOut} onSignInAgain={signInAgain} /> : <SignIn onToken={signIn} lang={view.lang} setLang={view.setLang} />;
}

function Shell({ token, view, onSignOut, onSignInAgain }: { token: string; view: View; onSignOut: () => void; onSignInAgain: () => void }) {
  const t = (key: MessageKey) => translate(view.lang, key);
  const { theme, toggle } = useTheme();
  const me = useMe(token);
  // The merchant area is offered to a token holding any merchant:* permission (merchant users, ops).
  const portal = !!me.data?.permissions.some((p) => p.startsWith('merchant:'));
  // The routing screen to a token holding mesh:view (mesh ops and compliance, analytics ops).
  const mesh = can(me.data, 'mesh:view');
  // The events screen to a platform-wide token with analytics:view (custom events belong to no merchant).
  const events = can(me.data, 'analytics:view') && !me.data?.merchant_id;
  const offered = (s: Screen) => (s === 'merchant' ? portal : s === 'routing' ? mesh : s === 'events' ? events : true);
  // On a phone the header is one row: the current screen and a menu button; the menu holds the
  // screens, the language, the theme and sign-out (from sm up they are all on the row).
  const [menuOpen, setMenuOpen] = useState(false);
  const shown = menuOpen ? 'flex' : 'hidden sm:flex';
  const go = (s: Screen) => { view.setScreen(s); setMenuOpen(false); };
  return (
    <div className="mx-auto max-w-6xl px-4 py-4 sm:py-6">
      <header data-shell="" className="mb-4 flex flex-wrap items-center justify-between gap-x-3 gap-y-2 border-b border-slate-200 pb-3 sm:mb-6 sm:pb-4 dark:border-slate-700">
        <p aria-hidden="true" className="min-w-0 truncate text-base font-semibold sm:hidden">{t(`screen_${view.screen}` as MessageKey)}</p>
        <button type="button" data-menu-toggle="" aria-expanded={menuOpen} aria-controls="shell-menu" onClick={() => setMenuOpen((o) => !o)}
          className={`rounded-xl bg-white px-3 py-2 text-sm font-medium shadow-sm ring-1 ring-slate-200 hover:bg-slate-50 sm:hidden dark:bg-slate-800 dark:ring-slate-700 dark:hover:bg-slate-700 ${focusRing}`}>
          <span aria-hidden="true">{menuOpen ? '✕' : '☰'}</span> {t('menu')}
        </button>
        <div id="shell-menu" className={`${shown} w-full flex-col gap-3 sm:w-auto sm:flex-1 sm:flex-row sm:flex-wrap sm:items-center sm:justify-between`}>
          <nav aria-label={t('screens')} className="grid grid-cols-2 gap-1 sm:flex sm:flex-wrap">
            {SCREENS.filter(offered).map((s) => (
              <button key={s} type="button" data-screen={s} aria-current={view.screen === s ? 'page' : undefined}
                onClick={() => go(s)}
                className={`rounded-lg px-3 py-1.5 text-left text-sm font-medium sm:text-center ${focusRing} ${view.screen === s ? 'bg-slate-900 dark:bg-indigo-600 text-white' : 'text-slate-600 dark:text-slate-300 hover:bg-slate-100 dark:hover:bg-slate-700'}`}>
                {t(`screen_${s}` as MessageKey)}
              </button>
            ))}
          </nav>
          <div className="flex flex-wrap items-center gap-3">
            <Segmented<Lang> label={t('language')} options={LANGS} value={view.lang} onChange={view.setLang} text={(l) => l.toUpperCase()} />
            {/* Says what a click does (the label changes, so no aria-pressed); data-theme is the state shown. */}
            <button type="button" data-theme-toggle data-theme={theme} onClick={toggle}
              className={`rounded-xl bg-white dark:bg-slate-800 px-3 py-2 text-sm font-medium shadow-sm ring-1 ring-slate-200 dark:ring-slate-700 hover:bg-slate-50 dark:hover:bg-slate-700 ${focusRing}`}>
              <span aria-hidden="true">{theme === 'dark' ? '☀' : '☾'}</span> {t(theme === 'dark' ? 'theme_to_light' : 'theme_to_dark')}
            </button>
            <button type="button" onClick={onSignOut}
              className={`rounded-xl bg-white dark:bg-slate-800 px-4 py-2 text-sm font-medium shadow-sm ring-1 ring-slate-200 dark:ring-slate-700 hover:bg-slate-50 dark:hover:bg-slate-700 ${focusRing}`}>
              {t('sign_out')}
            </button>
          </div>
        </div>
      </header>
      <Suspense fallback={<p className="text-sm text-slate-600 dark:text-slate-400">{t('loading')}</p>}>
        {view.screen === 'live' ? <Live token={token} lang={view.lang} />
          : view.screen === 'alerts' ? <Alerts token={token} view={view} />
          : view.screen === 'merchant' ? <Merchant token={token} view={view} onSignInAgain={onSignInAgain} />
          : view.screen === 'routing' ? <Routing token={token} view={view} />
          : view.screen === 'events' ? <Events token={token} view={view} />
          : view.screen === 'drill' ? <Drill token={token} view={view} />
            : <Overview token={token} view={view} />}
      </Suspense>
    </div>
  );
}
