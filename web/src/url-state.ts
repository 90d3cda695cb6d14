// View state kept in the query string so a link reproduces the view:
// `?range=7d&tz=Africa%2FLagos&currency=NGN&show=local&lang=fr&screen=drill&region=ECOWAS`.
// The language is also remembered in localStorage for the next visit without a `lang`.

import { useCallback, useEffect, useState } from 'react';
import { isLang, type Lang } from './i18n.ts';
import { isTimeZone, nextDay, startOfDate, startOfDay, startOfMonth } from './zoned-time.ts';

/** Date presets. `today` and `mtd` start at midnight / the 1st in the chosen zone; `custom` uses `from`/`to` dates. */
export const RANGES = ['today', '24h', '7d', '30d', '90d', 'mtd', 'custom'] as const;
export type Range = (typeof RANGES)[number];
const ROLLING_MS: Partial<Record<Range, number>> = {
  '24h': 86_400_000, '7d': 7 * 86_400_000, '30d': 30 * 86_400_000, '90d': 90 * 86_400_000,
};
const LANG_KEY = 'molam.analytics.lang';

export const SCREENS = ['overview', 'live', 'drill', 'alerts', 'merchant', 'routing', 'events'] as const;
export type Screen = (typeof SCREENS)[number];
const isScreen = (v: string | null): v is Screen => v !== null && (SCREENS as readonly string[]).includes(v);
const isRange = (v: string | null): v is Range => v !== null && (RANGES as readonly string[]).includes(v);
/** A real calendar date `YYYY-MM-DD` (2024-02-30 is not one), year 1000 or later. */
const isDate = (v: string | null): v is string => {
  if (v === null || !/^[1-9]\d{3}-\d{2}-\d{2}$/.test(v)) return false;
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
};
const isCurrency = (v: string | null): v is string => v !== null && /^[A-Z]{3}$/.test(v);

/** The Alerts screen's sections. */
export const ALERT_TABS = ['alerts', 'rules', 'silences'] as const;
export type AlertTab = (typeof ALERT_TABS)[number];
const isAlertTab = (v: string | null): v is AlertTab => v !== null && (ALERT_TABS as readonly string[]).includes(v);

/**
 * The merchant area's sections (`?screen=merchant&mtab=…`). The navigation is built from this
 * list (and the token's permissions), so no link exists before its screen.
 */
export const MERCHANT_TABS = ['summary', 'transactions', 'refunds', 'disputes', 'payouts', 'exports', 'webhooks', 'alerts', 'audit', 'settings'] as const;
export type MerchantTab = (typeof MERCHANT_TABS)[number];
const isMerchantTab = (v: string | null): v is MerchantTab => v !== null && (MERCHANT_TABS as readonly string[]).includes(v);
/** A merchant id as the API accepts it in X-Merchant-Id. */
const isMerchantId = (v: string | null): v is string => v !== null && /^[A-Za-z0-9._:@|-]{1,128}$/.test(v);

/** The routing screen's sections (`?screen=routing&rtab=…`, docs/dashboard.md). */
export const ROUTING_TABS = ['health', 'proposals', 'tables', 'log'] as const;
export type RoutingTab = (typeof ROUTING_TABS)[number];
const isRoutingTab = (v: string | null): v is RoutingTab => v !== null && (ROUTING_TABS as readonly string[]).includes(v);

/**
 * The Events screen's choice (`?screen=events&event=order.filled&measure=fill_latency_ms&interval=1h&group=symbol&stat=p95`):
 * names as the custom events API takes them; the screen checks them against the definitions.
 */
export interface EventsChoice { event?: string; measure?: string; interval?: string; group?: string; stat?: string }
const EVENTS_KEYS = ['event', 'measure', 'interval', 'group', 'stat'] as const;
const isEventsName = (v: string | null): v is string => v !== null && /^[a-z0-9_.]{1,64}$/.test(v);

/** Amounts in USD, or in the selected currency's own unit (needs exactly one currency). */
export type Shown = 'usd' | 'local';

/** The period a view covers: a preset, or custom dates (inclusive, in the view's zone). */
export interface Period { range: Range; from?: string; to?: string; tz: string }

/**
 * The API's half-open [from, to) for a period: rolling presets end now rounded up to the minute;
 * `today` and `mtd` start at the zone's midnight / first of the month; custom dates cover whole
 * days in the zone (to = the midnight after the last day).
 */
export function rangeBounds(period: Period, now = Date.now()): { from: string; to: string } {
  const end = Math.ceil(now / 60_000) * 60_000;
  const iso = (ms: number) => new Date(ms).toISOString();
  const rolling = ROLLING_MS[period.range];
  if (rolling !== undefined) return { from: iso(end - rolling), to: iso(end) };
  if (period.range === 'today') return { from: iso(startOfDay(now, period.tz)), to: iso(end) };
  if (period.range === 'mtd') return { from: iso(startOfMonth(now, period.tz)), to: iso(end) };
  const from = period.from && isDate(period.from) ? period.from : null;
  const to = period.to && isDate(period.to) ? period.to : null;
  if (!from || !to || from > to) return { from: iso(end - 86_400_000), to: iso(end) };
  return { from: iso(startOfDate(from, period.tz)), to: iso(nextDay(to, period.tz)) };
}

/** The query parameters every analytics call of a view shares: range, zone and currency filter. */
export function scopeParams(view: Pick<ViewState, 'range' | 'from' | 'to' | 'tz' | 'currency'>, now = Date.now()): Record<string, string> {
  const params: Record<string, string> = { ...rangeBounds(view, now), tz: view.tz };
  if (view.currency) params.currency = view.currency;
  return params;
}

function storedLang(): Lang | null {
  try {
    const v = localStorage.getItem(LANG_KEY);
    return isLang(v) ? v : null;
  } catch {
    return null;
  }
}

/** The browser's zone, or UTC when it has none the runtime knows. */
export function browserTimeZone(): string {
  const tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return tz && isTimeZone(tz) ? tz : 'UTC';
}

/** The drill-down's scope: region → country → city → merchant (each level needs the one above). */
export interface DrillScope { region?: string; country?: string; city?: string; merchant_id?: string }
export const DRILL_KEYS = ['region', 'country', 'city', 'merchant_id'] as const;

export interface ViewState {
  range: Range; from?: string; to?: string; tz: string;
  currency: string | null; shown: Shown;
  lang: Lang; screen: Screen; drill: DrillScope; tab: AlertTab;
  /** Merchant area: its section, and the merchant an ops user acts for (X-Merchant-Id). */
  mtab: MerchantTab; actingFor: string | null;
  /** Routing screen: its section. */
  rtab: RoutingTab;
  /**
   * The overview filtered to one merchant (`?merchant_id=…` without a region: where an alert on a
   * merchant links to, for ops with or without the merchant area).
   */
  merchant: string | null;
  /** Events screen: the event type, measure, interval, grouping and statistic chosen. */
  events: EventsChoice;
}

function readUrl(): ViewState {
  const q = new URLSearchParams(window.location.search);
  const range = q.get('range');
  const lang = q.get('lang');
  const screen = q.get('screen');
  const tz = q.get('tz');
  const currency = q.get('currency');
  const drill: DrillScope = {};
  for (const k of DRILL_KEYS) {
    const v = q.get(k);
    if (!v) break;
    drill[k] = v;
  }
  const from = q.get('from');
  const to = q.get('to');
  // Custom dates that are missing, invalid or reversed: the default range, not a hidden fallback.
  const customOk = isDate(from) && isDate(to) && from <= to;
  return {
    range: isRange(range) && (range !== 'custom' || customOk) ? range : '24h',
    from: isDate(from) ? from : undefined, to: isDate(to) ? to : undefined,
    tz: tz && isTimeZone(tz) ? tz : browserTimeZone(),
    currency: isCurrency(currency) ? currency : null,
    shown: q.get('show') === 'usd' ? 'usd' : 'local',
    lang: isLang(lang) ? lang : storedLang() ?? 'en',
    screen: isScreen(screen) ? screen : 'overview', drill,
    tab: isAlertTab(q.get('tab')) ? q.get('tab') as AlertTab : 'alerts',
    mtab: isMerchantTab(q.get('mtab')) ? q.get('mtab') as MerchantTab : 'summary',
    actingFor: isMerchantId(q.get('for')) ? q.get('for') : null,
    rtab: isRoutingTab(q.get('rtab')) ? q.get('rtab') as RoutingTab : 'health',
    merchant: !drill.region && isMerchantId(q.get('merchant_id')) ? q.get('merchant_id') : null,
    events: Object.fromEntries(EVENTS_KEYS.map((k) => [k, q.get(k)]).filter(([, v]) => isEventsName(v))),
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
    const custom = state.range === 'custom';
    writeUrl({
      range: state.range, from: custom ? state.from : undefined, to: custom ? state.to : undefined, tz: state.tz,
      currency: state.currency ?? undefined, show: state.currency && state.shown === 'usd' ? 'usd' : undefined,
      lang: state.lang, screen: state.screen === 'overview' ? undefined : state.screen,
      region: drill.region, country: drill.country, city: drill.city,
      merchant_id: drill.merchant_id ?? (state.screen === 'overview' && state.merchant ? state.merchant : undefined),
      tab: state.screen === 'alerts' && state.tab !== 'alerts' ? state.tab : undefined,
      mtab: state.screen === 'merchant' && state.mtab !== 'summary' ? state.mtab : undefined,
      for: state.screen === 'merchant' && state.actingFor ? state.actingFor : undefined,
      rtab: state.screen === 'routing' && state.rtab !== 'health' ? state.rtab : undefined,
      ...Object.fromEntries(EVENTS_KEYS.map((k) => [k, state.screen === 'events' ? state.events[k] : undefined])),
    });
    try { localStorage.setItem(LANG_KEY, state.lang); } catch { /* storage refused: the URL still has it */ }
    document.documentElement.lang = state.lang;
  }, [state]);

  const setRange = useCallback((range: Range) => setState((s) => ({ ...s, range })), []);
  const setCustom = useCallback((from: string, to: string) => setState((s) => ({ ...s, range: 'custom', from, to })), []);
  const setTz = useCallback((tz: string) => setState((s) => ({ ...s, tz })), []);
  const setCurrency = useCallback((currency: string | null) => setState((s) => ({ ...s, currency })), []);
  const setShown = useCallback((shown: Shown) => setState((s) => ({ ...s, shown })), []);
  const setLang = useCallback((lang: Lang) => setState((s) => ({ ...s, lang })), []);
  const setScreen = useCallback((screen: Screen) => setState((s) => ({ ...s, screen })), []);
  const setDrill = useCallback((drill: DrillScope) => setState((s) => ({ ...s, drill })), []);
  const setTab = useCallback((tab: AlertTab) => setState((s) => ({ ...s, tab })), []);
  const setMtab = useCallback((mtab: MerchantTab) => setState((s) => ({ ...s, mtab })), []);
  const setActingFor = useCallback((actingFor: string | null) => setState((s) => ({ ...s, actingFor })), []);
  const setRtab = useCallback((rtab: RoutingTab) => setState((s) => ({ ...s, rtab })), []);
  const setEvents = useCallback((events: EventsChoice) => setState((s) => ({ ...s, events })), []);
  const setMerchant = useCallback((merchant: string | null) => setState((s) => ({ ...s, merchant })), []);
  return { ...state, setMerchant, setMtab, setActingFor, setRtab, setEvents, setRange, setCustom, setTz, setCurrency, setShown, setLang, setScreen, setDrill, setTab };
}

export type View = ReturnType<typeof useViewState>;
