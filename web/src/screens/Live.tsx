// Live: the last 60 minutes, moving with the WebSocket deltas. Ops see the whole network
// (`global`), each region, and the busiest countries of the last 30 days (`country:<ISO2>`); a
// merchant token its own `merchant:<id>` room only. Each room: transactions, success rate and
// gross volume over the hour, and an events-per-second sparkline (each minute's events / 60: live-rooms.ts perSecond).

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { apiGet, tokenMerchantId, type Overview } from '../api.ts';
import { Sparkline } from '../components/Sparkline.tsx';
import { countryName, formatCompact, formatValue } from '../format.ts';
import { colon, translate, type Lang, type MessageKey } from '../i18n.ts';
import { roomName } from '../labels.ts';
import { perSecond, useLiveRooms, type Conn, type RoomState } from '../live-rooms.ts';
import { useMetrics, type Metrics } from '../metric-registry.ts';
import { rangeBounds } from '../url-state.ts';

/** Country rooms followed at once (the busiest first). */
const MAX_COUNTRIES = 20;
/** The live figures each room shows (names and units are the registry's). */
const FIELDS = ['tx_count', 'success_rate', 'gross_volume_usd'] as const;

/** A live figure as it fits a third of a phone: money from 10,000 in short ($507.5K), the exact value as its tooltip. */
function figure(value: number | null | undefined, unit: ReturnType<Metrics['unit']>, lang: Lang): { text: string; full: string } {
  const full = formatValue(value, unit, lang);
  return { text: unit === 'usd' && value !== null && value !== undefined && Math.abs(value) >= 10_000 ? formatCompact(value, unit, lang) : full, full };
}

export function Live({ token, lang }: { token: string; lang: Lang }) {
  const t = (key: MessageKey) => translate(lang, key);
  const merchant = useMemo(() => tokenMerchantId(token), [token]);
  // Ops: region and country names come from the overview of the last 30 days.
  const scope = useQuery({
    queryKey: ['live-scope', token],
    queryFn: () => apiGet<Overview>('/api/analytics/overview', token, rangeBounds({ range: '30d', tz: 'UTC' })),
    enabled: merchant === null,
    staleTime: 5 * 60_000,
  });
  const regionRooms = useMemo(() => {
    if (merchant !== null) return [`merchant:${merchant}`];
    if (!scope.data && !scope.error) return [];
    const names = (scope.data?.regions ?? []).map((r) => r.region).filter((r): r is string => !!r);
    return ['global', ...names.map((r) => `region:${r}`)];
  }, [merchant, scope.data, scope.error]);
  const countryRooms = useMemo(() => (merchant !== null ? [] : (scope.data?.countries ?? [])
    .map((c) => c.country).filter((c): c is string => !!c).slice(0, MAX_COUNTRIES).map((c) => `country:${c}`)), [merchant, scope.data]);
  const rooms = useMemo(() => (regionRooms.length ? [...regionRooms, ...countryRooms] : []), [regionRooms, countryRooms]);
  const { conn, state, refused } = useLiveRooms(token, rooms);
  const metrics = useMetrics(token);

  return (
    <div>
      <header className="mb-6 flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{t('screen_live')}</h1>
          <p className="text-sm text-slate-600 dark:text-slate-400">{t('live_subtitle')}</p>
        </div>
        <ConnectionBadge conn={conn} lang={lang} />
      </header>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {regionRooms.map((room) => {
          const r = metrics.ready ? state[room] : undefined;
          const title = roomName(room, lang);
          return (
            <section key={room} data-room={room} aria-label={title} className="rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
              <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{title}</h2>
              {!r ? <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">{refused[room] ? `${t('conn_refused')} (${refused[room]})` : t('waiting_snapshot')}</p> : (
                <>
                  <dl className="mt-3 grid grid-cols-3 gap-2">
                    {FIELDS.map((f) => {
                      const v = figure(r.totals[f], metrics.unit(f), lang);
                      return (
                        <div key={f} className="min-w-0">
                          <dt className="text-xs text-slate-500 dark:text-slate-400">{metrics.label(f, lang)}</dt>
                          <dd data-field={f} title={v.full} className="break-words text-base font-semibold tabular-nums sm:text-lg">{v.text}</dd>
                        </div>
                      );
                    })}
                  </dl>
                  <Sparkline label={`${title}: ${t('events_per_second')}`} values={perSecond(r.points)} partialLast />
                  <p className="mt-1 text-xs text-slate-500 dark:text-slate-400">{t('events_per_second')}</p>
                </>
              )}
            </section>
          );
        })}
      </div>
      {countryRooms.length > 0 && <CountryTable rooms={countryRooms} state={state} lang={lang} metrics={metrics} />}
    </div>
  );
}

export function ConnectionBadge({ conn, lang }: { conn: Conn; lang: Lang }) {
  const t = (key: MessageKey) => translate(lang, key);
  return (
    <p className="text-sm text-slate-600 dark:text-slate-300">
      {t('connection')}{colon(lang)} <span data-field="connection" data-state={conn}
        className={`font-medium ${conn === 'connected' ? 'text-emerald-700 dark:text-emerald-400' : 'text-amber-700 dark:text-amber-400'}`}>{t(`conn_${conn}` as MessageKey)}</span>
    </p>
  );
}

function CountryTable({ rooms, state, lang, metrics }: { rooms: string[]; state: Record<string, RoomState>; lang: Lang; metrics: Metrics }) {
  const t = (key: MessageKey) => translate(lang, key);
  return (
    <section aria-label={t('live_countries')} className="mt-6 rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <h2 className="mb-3 text-sm font-semibold text-slate-700 dark:text-slate-200">{t('live_countries')}</h2>
      {/* On a phone each row is a card (the country, then the figures under their names); from sm up, a table. */}
      <table className="block w-full text-sm sm:table">
        <thead className="hidden sm:table-header-group">
          <tr className="text-left text-xs text-slate-500 dark:text-slate-400">
            <th className="py-1 font-medium">{t('country')}</th>
            {FIELDS.map((f) => <th key={f} className="py-1 pl-4 text-right font-medium">{metrics.label(f, lang)}</th>)}
            <th className="py-1 pl-3 font-medium">{t('events_per_second')}</th>
          </tr>
        </thead>
        <tbody className="block sm:table-row-group">
          {rooms.map((room) => {
            const code = room.slice('country:'.length);
            const r = metrics.ready ? state[room] : undefined;
            return (
              <tr key={room} data-room={room} className="grid grid-cols-3 gap-x-2 gap-y-1 border-t border-slate-100 py-2 sm:table-row sm:py-0 dark:border-slate-700">
                <td className="col-span-3 font-medium sm:py-1.5 sm:pr-2 sm:font-normal">{countryName(code, lang)} <span className="text-slate-500 dark:text-slate-400">({code})</span></td>
                {FIELDS.map((f) => {
                  const v = r ? figure(r.totals[f], metrics.unit(f), lang) : { text: '…', full: '' };
                  return (
                    <td key={f} className="min-w-0 tabular-nums sm:py-1.5 sm:pl-4 sm:text-right">
                      <span className="block text-xs text-slate-500 sm:hidden dark:text-slate-400">{metrics.label(f, lang)}</span>
                      <span data-field={f} title={v.full || undefined} className="break-words">{v.text}</span>
                    </td>
                  );
                })}
                <td className="col-span-3 sm:w-32 sm:py-1.5 sm:pl-3">
                  {r && <Sparkline className="h-6 w-full" label={`${countryName(code, lang)}: ${t('events_per_second')}`} values={perSecond(r.points)} partialLast />}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
