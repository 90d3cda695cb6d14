// View state kept in the query string so a link reproduces the view: `?range=7d&lang=fr`.
// The language is also remembered in localStorage for the next visit without a `lang`.

import { useCallback, useEffect, useState } from 'react';
import { isLang, type Lang } from './i18n.ts';

export const RANGES = ['24h', '7d', '30d'] as const;
export type Range = (typeof RANGES)[number];
const RANGE_MS: Record<Range, number> = { '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000 };
const LANG_KEY = 'molam.analytics.lang';

export const SCREENS = ['overview', 'live', 'drill', 'alerts'] as const;
export type Screen = (typeof SCREENS)[number];
const isScreen = (v: string | null): v is Screen => v !== null && (SCREENS as readonly string[]).includes(v);

const isRange = (v: string | null): v is Range => v !== null && (RANGES as readonly string[]).includes(v);

/** The API's from/to for a preset: to = now rounded up to the minute, from = to − the range. */
export function rangeBounds(range: Range, now = Date.now()): { from: string; to: string } {
  const to = Math.ceil(now / 60_000) * 60_000;
  return { from: new Date(to - RANGE_MS[range]).toISOString(), to: new Date(to).toISOString() };
}

function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

/** The drill-down's scope: region → country → city → merchant (each level needs the one above). */
export interface DrillScope { region?: string; country?: string; city?: string; merchant_id?: string }
export const DRILL_KEYS = ['region', 'country', 'city', 'merchant_id'] as const;

interface ViewState { range: Range; lang: Lang; screen: Screen; drill: DrillScope }

function readUrl(): ViewState {
  const q = new URLSearchParams(window.location.search);
  const range = q.get('range');
  const lang = q.get('lang');
  const screen = q.get('screen');
  const drill: DrillScope = {};
  for (const k of DRILL_KEYS) {
    const v = q.get(k);
    if (!v) break;
    drill[k] = v;
  }
  return {
    range: isRange(range) ? range : '24h', lang: isLang(lang) ? lang : storedLang() ?? 'en',
    screen: isScreen(screen) ? screen : 'overview', drill,
  };
}

function writeUrl(values: Record<string, string | undefined>): void {
  const url = new URL(window.location.href);
  for (const [k, v] of Object.entries(values)) {
    if (v === undefined) url.searchParams.delete(k);
    else url.searchParams.set(k, v);
  }
  if (url.href !== window.location.href) window.history.replaceState(null, '', url);
}

export function useViewState() {
  const [state, setState] = useState(readUrl);

  useEffect(() => {
    const onPop = () => setState(readUrl());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, []);

  useEffect(() => {
    const drill = state.screen === 'drill' ? state.drill : {};
    writeUrl({
      range: state.range, lang: state.lang, screen: state.screen === 'overview' ? undefined : state.screen,
      region: drill.region, country: drill.country, city: drill.city, merchant_id: drill.merchant_id,
    });
    try { localStorage.setItem(LANG_KEY, state.lang); } catch { /* storage refused: the URL still has it */ }
    document.documentElement.lang = state.lang;
  }, [state]);

  const setRange = useCallback((range: Range) => setState((s) => ({ ...s, range })), []);
  const setLang = useCallback((lang: Lang) => setState((s) => ({ ...s, lang })), []);
  const setScreen = useCallback((screen: Screen) => setState((s) => ({ ...s, screen })), []);
  const setDrill = useCallback((drill: DrillScope) => setState((s) => ({ ...s, drill })), []);
  return { ...state, setRange, setLang, setScreen, setDrill };
}

export type View = ReturnType<typeof useViewState>;
