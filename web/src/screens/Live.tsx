// Live: the last 60 minutes, moving with the WebSocket deltas. Ops see the whole network
// (`global`), each region, and the busiest countries of the last 30 days (`country:<ISO2>`); a
// merchant token its own `merchant:<id>` room only. Each room: transactions, success rate and
// gross volume over the hour, and an events-per-second sparkline (each minute's events / 60: live-rooms.ts perSecond).

import { useMemo } from 'react';
import { useQuery } from '@tanstack/react-query';
import { apiGet, tokenMerchantId, type Overview } from '../api.ts';
import { Sparkline } from '../components/Sparkline.tsx';
import { countryName, formatValue } from '../format.ts';
import { colon, translate, type Lang, type MessageKey } from '../i18n.ts';
import { roomName } from '../labels.ts';
import { perSecond, useLiveRooms, type Conn, type RoomState } from '../live-rooms.ts';
import { useMetrics, type Metrics } from '../metric-registry.ts';
import { rangeBounds } from '../url-state.ts';

/** Country rooms followed at once (the busiest first). */
const MAX_COUNTRIES = 20;
/** The live figures each room shows (names and units are the registry's). */
const FIELDS = ['tx_count', 'success_rate', 'gross_volume_usd'] as const;

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
                    {FIELDS.map((f) => (
                      <div key={f}>
                        <dt className="text-xs text-slate-500 dark:text-slate-400">{metrics.label(f, lang)}</dt>
                        <dd data-field={f} className="text-lg font-semibold tabular-nums">{formatValue(r.totals[f], metrics.unit(f), lang)}</dd>
                      </div>
                    ))}
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
      <div className="overflow-x-auto">
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-xs text-slate-500 dark:text-slate-400">
              <th className="py-1 font-medium">{t('country')}</th>
              {FIELDS.map((f) => <th key={f} className="py-1 text-right font-medium">{metrics.label(f, lang)}</th>)}
              <th className="py-1 pl-3 font-medium">{t('events_per_second')}</th>
            </tr>
          </thead>
          <tbody>
            {rooms.map((room) => {
              const code = room.slice('country:'.length);
              const r = metrics.ready ? state[room] : undefined;
              return (
                <tr key={room} data-room={room} className="border-t border-slate-100 dark:border-slate-700">
                  <td className="py-1.5 pr-2">{countryName(code, lang)} <span className="text-slate-500 dark:text-slate-400">({code})</span></td>
                  {FIELDS.map((f) => (
                    <td key={f} data-field={f} className="py-1.5 text-right tabular-nums">{r ? formatValue(r.totals[f], metrics.unit(f), lang) : '…'}</td>
                  ))}
                  <td className="w-32 py-1.5 pl-3">
                    {r && <Sparkline className="h-6 w-full" label={`${countryName(code, lang)}: ${t('events_per_second')}`} values={perSecond(r.points)} partialLast />}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
