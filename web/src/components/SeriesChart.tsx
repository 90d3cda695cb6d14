// The series chart, drawn by uPlot (canvas; why uPlot: docs/dashboard.md): this period as an
// area, the previous period dashed, the incomplete last bucket on a dotted, hatched segment (with
// a legend note), time ticks in the view's zone and language, value ticks as the app formats
// them, gridlines, and a tooltip following the pointer or the arrow keys. The canvas is not
// readable by a screen reader: a visually hidden summary (and, up to TABLE_MAX_ROWS buckets, a
// table) says what it shows, and the keyboard cursor's reading is announced.

import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCompact, formatMoney, formatMoneyCompact, formatShortInstant, formatValue, type Unit } from '../format.ts';
import { LOCALE, translate, type Lang, type MessageKey } from '../i18n.ts';
import { chartColumns, type ChartPoint } from '../series-chart-data.ts';

/** Axis and legend text: 12 px on every width (the phone's floor is 11 px). */
export const CHART_FONT_PX = 12;
export const FONT = `${CHART_FONT_PX}px ui-sans-serif, system-ui, sans-serif`;
/** Dashes, in CSS pixels: the previous period, and the incomplete last bucket. */
const PREVIOUS_DASH = [6, 4];
const PARTIAL_DASH = [2, 3];
/** Above this many buckets the text alternative is the summary alone (the keyboard reads each). */
const TABLE_MAX_ROWS = 200;

/** Colours per theme (Tailwind's slate and indigo, as the rest of the dashboard). */
const PALETTE = {
  light: { text: '#475569', grid: '#e2e8f0', current: '#4f46e5', fill: 'rgba(79, 70, 229, 0.12)', previous: '#64748b', hatch: 'rgba(79, 70, 229, 0.35)' },
  dark: { text: '#94a3b8', grid: '#334155', current: '#818cf8', fill: 'rgba(129, 140, 248, 0.18)', previous: '#94a3b8', hatch: 'rgba(129, 140, 248, 0.45)' },
};

const isDark = () => document.documentElement.classList.contains('dark');

/** Follows the `dark` class on <html> (web/src/theme.ts sets it). */
export function useDarkClass(): boolean {
  const [dark, setDark] = useState(isDark);
  useEffect(() => {
    const obs = new MutationObserver(() => setDark(isDark()));
    obs.observe(document.documentElement, { attributes: true, attributeFilter: ['class'] });
    return () => obs.disconnect();
  }, []);
  return dark;
}

/**
 * A chart's host element and its width, followed as it resizes, with the canvas height for that
 * width (axes included: on a phone the plot area itself is still about 180 px high).
 */
export function useChartSize() {
  const hostRef = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  useEffect(() => {
    const host = hostRef.current;
    if (!host) return;
    const obs = new ResizeObserver(() => setWidth(Math.floor(host.clientWidth)));
    obs.observe(host);
    setWidth(Math.floor(host.clientWidth));
    return () => obs.disconnect();
  }, []);
  return { hostRef, width, height: width > 0 && width < 640 ? 240 : 280 };
}

const tickFormats = new Map<string, { time: Intl.DateTimeFormat; day: Intl.DateTimeFormat; month: Intl.DateTimeFormat }>();

/** Time tick labels in the view's zone and language: hours (with the date at midnight), days, or months. */
export function timeTicks(splits: number[], incr: number, lang: Lang, tz: string | undefined): string[] {
  const key = `${lang}|${tz ?? ''}`;
  let f = tickFormats.get(key);
  if (!f) {
    const l = LOCALE[lang];
    f = {
      time: new Intl.DateTimeFormat(l, { hour: '2-digit', minute: '2-digit', timeZone: tz }),
      day: new Intl.DateTimeFormat(l, { day: 'numeric', month: 'short', timeZone: tz }),
      month: new Intl.DateTimeFormat(l, { month: 'short', year: 'numeric', timeZone: tz }),
    };
    tickFormats.set(key, f);
  }
  let lastDay = '';
  return splits.map((s) => {
    const d = new Date(s * 1000);
    if (incr >= 28 * 86_400) return f.month.format(d);
    const day = f.day.format(d);
    if (incr >= 86_400) return day;
    const label = day !== lastDay ? `${f.time.format(d)}\n${day}` : f.time.format(d);
    lastDay = day;
    return label;
  });
}

let measureCtx: CanvasRenderingContext2D | null = null;
export function textWidth(text: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx) return text.length * 7;
  measureCtx.font = FONT;
  return measureCtx.measureText(text).width;
}

/** A diagonal hatch for the incomplete bucket. */
function hatch(ctx: CanvasRenderingContext2D, colour: string): CanvasPattern | string {
  const px = Math.max(1, Math.round(devicePixelRatio || 1));
  const tile = document.createElement('canvas');
  tile.width = tile.height = 8 * px;
  const g = tile.getContext('2d');
  if (!g) return colour;
  g.strokeStyle = colour;
  g.lineWidth = px;
  g.beginPath();
  g.moveTo(0, 8 * px);
  g.lineTo(8 * px, 0);
  g.stroke();
  return ctx.createPattern(tile, 'repeat') ?? colour;
}

export function SeriesChart({ points, previous, partial, unit, currency = null, lang, tz, label, emptyLabel }: {
  points: ChartPoint[];
  /** The previous period, aligned bucket for bucket (previous[i] is one span before points[i]). */
  previous?: ChartPoint[] | null;
  /** The last bucket is still running. */
  partial: boolean;
  unit: Unit;
  /** Money values are in this currency's major units (the view's currency filter), not USD. */
  currency?: string | null;
  lang: Lang; tz?: string; label: string; emptyLabel: string;
}) {
  const inLocal = unit === 'usd' && currency !== null;
  // Plotted values are numbers; a local amount is written back as a decimal for Intl's money format.
  const full = (v: number | null | undefined) => (inLocal ? formatMoney(v === null || v === undefined ? null : String(v), currency!, lang) : formatValue(v, unit, lang));
  const short = (v: number) => (inLocal ? formatMoneyCompact(String(v), currency!, lang) : formatCompact(v, unit, lang));
  const t = (key: MessageKey) => translate(lang, key);
  const dark = useDarkClass();
  const { hostRef, width, height } = useChartSize();
  const plotRef = useRef<uPlot | null>(null);
  const [cursor, setCursor] = useState<{ idx: number; left: number } | null>(null);
  const hintId = useId();
  const cols = useMemo(() => chartColumns(points, previous, partial), [points, previous, partial]);
  const hasPrevious = cols.previous.some((v) => v !== null);
  const defined = points.filter((p) => p.value !== null && Number.isFinite(p.value));

  // Built again when what is drawn changes; a width change only resizes.
  useEffect(() => {
    const host = hostRef.current;
    if (!host || width === 0 || points.length === 0) return;
    const c = PALETTE[dark ? 'dark' : 'light'];
    const axis = { font: FONT, stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1, size: 4 } };
    const n = cols.xs.length;
    const opts: uPlot.Options = {
      width, height,
      ...(tz ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), tz) } : {}),
      legend: { show: false },
      cursor: { y: false, drag: { x: false, y: false }, points: { size: 8 } },
      scales: {
        x: { time: true },
        // Ratios on 0–100 %; anything else from 0 to a little above the highest value of either period.
        y: { range: (_u, _min, max) => (unit === 'ratio' ? [0, 1] : [0, max > 0 ? max * 1.08 : 1]) },
      },
      series: [
        {},
        { label: t('chart_current'), stroke: c.current, fill: c.fill, width: 2, points: { show: n <= width / 14, size: 5 } },
        { label: t('chart_previous'), stroke: c.previous, width: 1.5, dash: PREVIOUS_DASH, points: { show: false } },
        { label: t('chart_partial'), stroke: c.current, width: 2, dash: PARTIAL_DASH, points: { show: true, size: 5 } },
      ],
      axes: [
        {
          ...axis, space: 90, size: 44,
          values: (u, splits, _i, _space, incr) => {
            const labels = timeTicks(splits, incr, lang, tz);
            u.root.closest('figure')?.setAttribute('data-x-ticks', JSON.stringify(labels));
            return labels;
          },
        },
        {
          ...axis, space: 36,
          values: (u, splits) => {
            const labels = splits.map(short);
            u.root.closest('figure')?.setAttribute('data-y-ticks', JSON.stringify(labels));
            return labels;
          },
          size: (_u, values) => Math.ceil(Math.max(24, ...(values ?? []).map(textWidth))) + 14,
        },
      ],
      hooks: {
        setCursor: [(u) => {
          const idx = u.cursor.idx;
          setCursor(idx === null || idx === undefined ? null : { idx, left: (u.cursor.left ?? 0) + u.over.offsetLeft });
        }],
        // The incomplete bucket: hatch the stretch from the last whole bucket to it.
        drawSeries: [(u, si) => {
          if (si !== 3 || !partial || n < 2) return;
          const x0 = u.valToPos(cols.xs[n - 2], 'x', true);
          const x1 = u.valToPos(cols.xs[n - 1], 'x', true);
          const ctx = u.ctx;
          ctx.save();
          ctx.fillStyle = hatch(ctx, c.hatch);
          ctx.fillRect(x0, u.bbox.top, x1 - x0, u.bbox.height);
          ctx.restore();
        }],
      },
    };
    const u = new uPlot(opts, [cols.xs, cols.current, cols.previous, cols.partial], host);
    plotRef.current = u;
    // What uPlot was given, for the browser tests: the dashes it strokes with, the points of the incomplete segment.
    const fig = host.closest('figure');
    fig?.setAttribute('data-previous-dash', (u.series[2].dash ?? []).join(' '));
    fig?.setAttribute('data-partial-dash', (u.series[3].dash ?? []).join(' '));
    fig?.setAttribute('data-partial-points', String(cols.partial.filter((v) => v !== null).length));
    setCursor(null);
    return () => { u.destroy(); plotRef.current = null; };
    // Width changes are handled below without a rebuild.
  }, [cols, dark, lang, tz, unit, currency, partial, points.length, width === 0]);

  useEffect(() => {
    if (width > 0) plotRef.current?.setSize({ width, height });
  }, [width, height]);

  const onKey = (e: KeyboardEvent<HTMLDivElement>) => {
    const u = plotRef.current;
    if (!u || !points.length) return;
    const step = e.shiftKey ? Math.max(1, Math.round(points.length / 20)) : 1;
    const at = cursor?.idx;
    let idx: number;
    if (e.key === 'ArrowRight') idx = Math.min(points.length - 1, (at ?? -1) + step);
    else if (e.key === 'ArrowLeft') idx = Math.max(0, (at ?? points.length) - step);
    else if (e.key === 'Home') idx = 0;
    else if (e.key === 'End') idx = points.length - 1;
    else if (e.key === 'Escape') { u.setCursor({ left: -10, top: -10 }); setCursor(null); e.preventDefault(); return; }
    else return;
    e.preventDefault();
    u.setCursor({ left: u.valToPos(cols.xs[idx], 'x'), top: u.over.clientHeight / 2 });
  };

  const at = cursor && cursor.idx < points.length ? cursor.idx : null;
  const when = at !== null ? formatShortInstant(points[at].ts, lang, tz) : '';
  const now = at !== null ? full(points[at].value) : '';
  const before = at !== null && hasPrevious ? full(previous?.[at]?.value) : null;
  const isPartial = at !== null && partial && at === points.length - 1;
  const reading = at !== null
    ? `${when}: ${now}${before !== null ? `; ${t('chart_previous')}: ${before}` : ''}${isPartial ? ` (${t('chart_partial')})` : ''}`
    : '';

  const max = defined.reduce<ChartPoint | null>((m, p) => (m === null || p.value! > m.value! ? p : m), null);
  const min = defined.reduce<ChartPoint | null>((m, p) => (m === null || p.value! < m.value! ? p : m), null);
  const summary = points.length
    ? `${label}. ${t('chart_summary_from')} ${formatShortInstant(points[0].ts, lang, tz)} ${t('chart_summary_to')} ${formatShortInstant(points[points.length - 1].ts, lang, tz)}, ${points.length} ${t('chart_summary_buckets')}.`
      + (max && min ? ` ${t('chart_summary_max')}: ${full(max.value)} (${formatShortInstant(max.ts, lang, tz)}); ${t('chart_summary_min')}: ${full(min.value)} (${formatShortInstant(min.ts, lang, tz)}).` : '')
      + (partial ? ` ${t('chart_partial')}.` : '')
    : emptyLabel;

  return (
    <figure data-chart="series" data-partial={partial ? 'true' : 'false'} data-previous={hasPrevious ? 'true' : 'false'}
      data-axis-font-px={CHART_FONT_PX} className="w-full">
      <div className="relative">
        <div ref={hostRef} role="img" aria-label={label} aria-describedby={hintId} tabIndex={0} onKeyDown={onKey}
          onBlur={() => { plotRef.current?.setCursor({ left: -10, top: -10 }); setCursor(null); }}
          className="w-full touch-pan-y rounded outline-none focus-visible:ring-2 focus-visible:ring-indigo-600" style={{ minHeight: height }} />
        {defined.length === 0 && (
          <p className="pointer-events-none absolute inset-0 flex items-center justify-center text-sm text-slate-500 dark:text-slate-400">{emptyLabel}</p>
        )}
        {at !== null && (
          <div data-field="chart-tooltip" aria-hidden="true"
            className="pointer-events-none absolute top-0 z-10 -translate-x-1/2 whitespace-nowrap rounded-lg bg-white/95 px-2.5 py-1.5 text-xs shadow ring-1 ring-slate-200 dark:bg-slate-900/95 dark:ring-slate-700"
            style={{ left: Math.min(Math.max(cursor!.left, 100), Math.max(100, width - 100)) }}>
            <div className="font-medium text-slate-900 dark:text-slate-100">{when}</div>
            <div className="text-indigo-700 dark:text-indigo-300">{t('chart_current')}: {now}{isPartial ? ` (${t('chart_partial')})` : ''}</div>
            {before !== null && <div className="text-slate-600 dark:text-slate-300">{t('chart_previous')}: {before}</div>}
          </div>
        )}
      </div>
      <figcaption className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-300">
        <span data-legend="current" className="flex items-center gap-1.5">
          <svg aria-hidden="true" width="20" height="8"><line x1="0" x2="20" y1="4" y2="4" stroke="currentColor" strokeWidth="2" className="text-indigo-600 dark:text-indigo-400" /></svg>
          {t('chart_current')}
        </span>
        {hasPrevious && (
          <span data-legend="previous" className="flex items-center gap-1.5">
            <svg aria-hidden="true" width="20" height="8"><line x1="0" x2="20" y1="4" y2="4" stroke="currentColor" strokeWidth="1.5" strokeDasharray={PREVIOUS_DASH.join(' ')} className="text-slate-500 dark:text-slate-400" /></svg>
            {t('chart_previous')}
          </span>
        )}
        {partial && (
          <span data-legend="partial" className="flex items-center gap-1.5">
            <svg aria-hidden="true" width="20" height="8"><line x1="0" x2="20" y1="4" y2="4" stroke="currentColor" strokeWidth="2" strokeDasharray={PARTIAL_DASH.join(' ')} className="text-indigo-600 dark:text-indigo-400" /></svg>
            {t('chart_partial')}
          </span>
        )}
        <span id={hintId} className="sr-only">{summary} {t('chart_hint')}</span>
      </figcaption>
      <p className="sr-only" aria-live="polite">{reading}</p>
      {points.length > 0 && points.length <= TABLE_MAX_ROWS && (
        // TRICKY: a table grows to its content whatever its width, so sr-only on the table itself
        // still widens the page at 360 px; a clipped 1 px box around it does not.
        <div className="sr-only"><table>
          <caption>{label}</caption>
          <thead><tr><th scope="col">{t('chart_time')}</th><th scope="col">{t('chart_current')}</th>{hasPrevious && <th scope="col">{t('chart_previous')}</th>}</tr></thead>
          <tbody>
            {points.map((p, i) => (
              <tr key={p.ts}>
                <th scope="row">{formatShortInstant(p.ts, lang, tz)}{partial && i === points.length - 1 ? ` (${t('chart_partial')})` : ''}</th>
                <td>{full(p.value)}</td>
                {hasPrevious && <td>{full(previous?.[i]?.value)}</td>}
              </tr>
            ))}
          </tbody>
        </table></div>
      )}
    </figure>
  );
}
