// Live: Socket.IO rooms (same origin, WebSocket transport, the session token in auth.token).
// Ops see `global` and each region; a merchant token its own `merchant:<id>` room only. Each room
// starts from its snapshot and applies every `delta` (minutes replaced by ts, totals = last_60m).

import { useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { io } from 'socket.io-client';
import { apiGet, tokenMerchantId, type LiveAnswer, type LiveDelta, type LivePoint, type Overview } from '../api.ts';
import { formatValue } from '../format.ts';
import { translate, type Lang, type MessageKey } from '../i18n.ts';
import { rangeBounds } from '../url-state.ts';

type Conn = 'connecting' | 'connected' | 'disconnected' | 'refused';
interface RoomState { points: LivePoint[]; totals: Omit<LivePoint, 'ts'> }

function applyDelta(prev: RoomState | undefined, d: LiveDelta): RoomState {
  const byTs = new Map((prev?.points ?? []).map((p) => [p.ts, p]));
  for (const p of [...d.minutes, d.current]) if (p) byTs.set(p.ts, p);
  const points = [...byTs.values()].sort((a, b) => Date.parse(a.ts) - Date.parse(b.ts)).slice(-60);
  return { points, totals: d.last_60m };
}

export function Live({ token, lang }: { token: string; lang: Lang }) {
  const t = (key: MessageKey) => translate(lang, key);
  const merchant = useMemo(() => tokenMerchantId(token), [token]);
  // Ops: the region names come from the overview's `regions`.
  const regions = useQuery({
    queryKey: ['live-regions', token],
    queryFn: () => apiGet<Overview>('/api/analytics/overview', token, rangeBounds('30d')),
    enabled: merchant === null,
    staleTime: 5 * 60_000,
  });
  const rooms = useMemo(() => {
    if (merchant !== null) return [`merchant:${merchant}`];
    if (!regions.data && !regions.error) return [];
    const names = (regions.data?.regions ?? []).map((r) => r.region).filter((r): r is string => !!r);
    return ['global', ...names.map((r) => `region:${r}`)];
  }, [merchant, regions.data, regions.error]);
  const roomsKey = rooms.join('|');

  const [conn, setConn] = useState<Conn>('connecting');
  const [state, setState] = useState<Record<string, RoomState>>({});

  useEffect(() => {
    if (roomsKey === '') return;
    const list = roomsKey.split('|');
    const socket = io({ auth: { token }, transports: ['websocket'] });
    setConn('connecting');
    socket.on('connect', () => {
      setConn('connected');
      for (const room of list) {
        void socket.emitWithAck('subscribe', room).then((ack: { ok: boolean; snapshot?: LiveAnswer }) => {
          const snap = ack.snapshot;
          if (ack.ok && snap) setState((s) => ({ ...s, [room]: { points: snap.points, totals: snap.totals } }));
        });
      }
    });
    socket.on('delta', (d: LiveDelta) => setState((s) => (list.includes(d.room) ? { ...s, [d.room]: applyDelta(s[d.room], d) } : s)));
    socket.on('disconnect', () => setConn('disconnected'));
    socket.on('connect_error', () => setConn(socket.active ? 'connecting' : 'refused'));
    return () => {
      if (socket.connected) for (const room of list) socket.emit('unsubscribe', room);
      socket.disconnect();
    };
  }, [token, roomsKey]);

  return (
    <div>
      <header className="mb-6 flex flex-wrap items-center justify-between gap-4">
        <div>
          <h1 className="text-2xl font-semibold">{t('screen_live')}</h1>
          <p className="text-sm text-slate-500 dark:text-slate-400">{t('live_subtitle')}</p>
        </div>
        <p className="text-sm text-slate-600 dark:text-slate-300">
          {t('connection')}: <span data-field="connection" data-state={conn}
            className={`font-medium ${conn === 'connected' ? 'text-emerald-700' : 'text-amber-700'}`}>{t(`conn_${conn}` as MessageKey)}</span>
        </p>
      </header>
      <div className="grid grid-cols-1 gap-4 md:grid-cols-2">
        {rooms.map((room) => {
          const r = state[room];
          const title = room === 'global' ? t('room_global') : room.replace(/^[a-z]+:/, '');
          return (
            <section key={room} data-room={room} aria-label={title} className="rounded-2xl bg-white dark:bg-slate-800 p-5 shadow-sm ring-1 ring-slate-200/70 dark:ring-slate-700">
              <h2 className="text-sm font-semibold text-slate-700 dark:text-slate-200">{title} <span className="font-normal text-slate-400 dark:text-slate-500">{room}</span></h2>
              {!r ? <p className="mt-2 text-sm text-slate-500 dark:text-slate-400">{t('waiting_snapshot')}</p> : (
                <>
                  <dl className="mt-3 grid grid-cols-3 gap-2">
                    {(['tx_count', 'success_rate', 'gross_volume_usd'] as const).map((k) => (
                      <div key={k}>
                        <dt className="text-xs text-slate-500 dark:text-slate-400">{t(k)}</dt>
                        <dd data-field={k} className="text-lg font-semibold tabular-nums">
                          {formatValue(r.totals[k], k === 'tx_count' ? 'count' : k === 'success_rate' ? 'ratio' : 'usd', lang)}
                        </dd>
                      </div>
                    ))}
                  </dl>
                  <Sparkline label={`${title}: ${t('events_per_minute')}`} values={r.points.map((p) => p.tx_count)} />
                </>
              )}
            </section>
          );
        })}
      </div>
    </div>
  );
}

function Sparkline({ values, label }: { values: number[]; label: string }) {
  const w = 240, h = 40;
  const max = Math.max(1, ...values);
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const d = values.map((v, i) => `${i === 0 ? 'M' : 'L'}${(i * step).toFixed(1)},${(h - (v / max) * (h - 2) - 1).toFixed(1)}`).join(' ');
  return (
    <svg data-chart="sparkline" role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`} className="mt-3 h-10 w-full" preserveAspectRatio="none">
      {values.length > 0 && <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" className="text-indigo-600" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}
