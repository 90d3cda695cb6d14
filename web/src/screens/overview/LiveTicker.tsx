// The overview's live ticker: the whole network (or, for a merchant, its own room) over the last
// 60 minutes, moving with the WebSocket deltas: transactions, events per second over the last
// complete minute, success rate and volume.

import { useMemo } from 'react';
import { tokenMerchantId } from '../../api.ts';
import { Sparkline } from '../../components/Sparkline.tsx';
import { formatRate, formatValue } from '../../format.ts';
import { colon, translate, type Lang, type MessageKey } from '../../i18n.ts';
import { minuteEvents, perSecond, useLiveRooms } from '../../live-rooms.ts';
import { useMetrics } from '../../metric-registry.ts';

/**
 * `currency`: the view's currency filter, `merchantFiltered`: an ops view filtered to one merchant;
 * the network's live room follows neither (the ticker says so).
 */
export default function LiveTicker({ token, lang, currency, merchantFiltered = false }: { token: string; lang: Lang; currency?: string | null; merchantFiltered?: boolean }) {
  const t = (key: MessageKey) => translate(lang, key);
  const merchant = useMemo(() => tokenMerchantId(token), [token]);
  const room = merchant ? `merchant:${merchant}` : 'global';
  const rooms = useMemo(() => [room], [room]);
  const { conn, state } = useLiveRooms(token, rooms);
  const metrics = useMetrics(token);
  const r = metrics.ready ? state[room] : undefined;
  const figure = (name: 'success_rate' | 'gross_volume_usd') =>
    <Figure label={metrics.label(name, lang)} field={name} text={formatValue(r!.totals[name], metrics.unit(name), lang)} />;
  // The last complete minute's rate (the current minute is still filling).
  const lastFull = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 60_000).getTime();
  const full = r?.points.find((p) => Date.parse(p.ts) === lastFull);
  const rate = r ? (full ? minuteEvents(full) : 0) / 60 : null;
  return (
    <section data-ticker={room} aria-label={t('live_ticker')}
      className="mb-6 flex flex-wrap items-center gap-x-6 gap-y-2 rounded-2xl bg-white dark:bg-slate-800 px-5 py-3 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
      <h2 className="flex items-center gap-2 text-sm font-semibold text-slate-700 dark:text-slate-200">
        <span aria-hidden="true" className={`inline-block h-2 w-2 rounded-full ${conn === 'connected' ? 'bg-emerald-500 motion-safe:animate-pulse' : 'bg-amber-500'}`} />
        {t('live_ticker')}
        <span className="sr-only">{t(`conn_${conn}` as MessageKey)}</span>
      </h2>
      {(currency || merchantFiltered) && (
        <span data-field="unfiltered" className="text-xs text-slate-600 dark:text-slate-400">
          {merchantFiltered ? t(currency ? 'live_unfiltered_both' : 'live_unfiltered_merchant') : t('live_unfiltered')}
        </span>
      )}
      {!r ? <span className="text-sm text-slate-600 dark:text-slate-400">{t('waiting_snapshot')}</span> : (
        <>
          <Figure label={t('tx_last_hour')} field="tx_count" text={formatValue(r.totals.tx_count, metrics.unit('tx_count'), lang)} />
          <Figure label={t('events_per_second')} field="per_second" text={formatRate(rate, lang)} />
          {figure('success_rate')}
          {figure('gross_volume_usd')}
          <Sparkline className="h-8 w-40 flex-1" label={`${t('live_ticker')}${colon(lang)} ${t('events_per_second')}`} values={perSecond(r.points)} partialLast />
        </>
      )}
    </section>
  );
}

function Figure({ label, field, text }: { label: string; field: string; text: string }) {
  return (
    <p className="text-sm">
      <span className="text-slate-600 dark:text-slate-400">{label} </span>
      <span data-field={field} className="font-semibold tabular-nums text-slate-900 dark:text-slate-100">{text}</span>
    </p>
  );
}
