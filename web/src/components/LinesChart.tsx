// Several series over time on one chart, drawn by uPlot as the series chart is (docs/dashboard.md):
// the Events screen's percentiles (p50, p95, p99) or one statistic per group. Axes and gridlines
// in the view's zone and language, a legend naming each line with its value under the cursor.
// The canvas is not readable by a screen reader: the screen's table beside it holds the same
// numbers, and the figure's label says what is drawn.

import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { colon, type Lang } from '../i18n.ts';
import { FONT, textWidth, timeTicks, useChartSize, useDarkClass } from './SeriesChart.tsx';

/** Line colours, distinct in both themes (Tailwind indigo, amber, rose, emerald, sky, violet). */
const LINES = {
  light: ['#4f46e5', '#d97706', '#e11d48', '#059669', '#0284c7', '#7c3aed'],
  dark: ['#818cf8', '#fbbf24', '#fb7185', '#34d399', '#38bdf8', '#a78bfa'],
};
const AXES = { light: { text: '#475569', grid: '#e2e8f0' }, dark: { text: '#94a3b8', grid: '#334155' } };

export interface Line { label: string; values: Array<number | null> }

export function LinesChart({ xs, lines, format, lang, tz, label }: {
  /** Bucket starts, epoch ms. */
  xs: number[];
  lines: Line[];
  format: (v: number) => string;
  lang: Lang; tz?: string; label: string;
}) {
  const dark = useDarkClass();
  const { hostRef, width, height } = useChartSize();
  const plotRef = useRef<uPlot | null>(null);
  const [idx, setIdx] = useState<number | null>(null);

  useEffect(() => {
    const host = hostRef.current;
    if (!host || width === 0 || xs.length === 0) return;
    const theme = dark ? 'dark' : 'light';
    const c = AXES[theme];
    const axis = { font: FONT, stroke: c.text, grid: { stroke: c.grid, width: 1 }, ticks: { stroke: c.grid, width: 1, size: 4 } };
    const opts: uPlot.Options = {
      width, height,
      ...(tz ? { tzDate: (ts: number) => uPlot.tzDate(new Date(ts * 1000), tz) } : {}),
      legend: { show: false },
      cursor: { y: false, drag: { x: false, y: false }, points: { size: 7 } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.08 : 1] } },
      series: [
        {},
        ...lines.map((l, i) => ({ label: l.label, stroke: LINES[theme][i % LINES[theme].length], width: 2, points: { show: xs.length <= width / 14, size: 5 } })),
      ],
      hooks: { setCursor: [(u) => setIdx(u.cursor.idx ?? null)] },
      axes: [
        { ...axis, space: 90, size: 44, values: (_u, splits, _i, _s, incr) => timeTicks(splits, incr, lang, tz) },
        {
          ...axis, space: 36,
          values: (_u, splits) => splits.map(format),
          size: (_u, values) => Math.ceil(Math.max(24, ...(values ?? []).map(textWidth))) + 14,
        },
      ],
    };
    const u = new uPlot(opts, [xs.map((x) => x / 1000), ...lines.map((l) => l.values)], host);
    plotRef.current = u;
    host.closest('figure')?.setAttribute('data-lines', JSON.stringify(lines.map((l) => l.label)));
    setIdx(null);
    return () => { u.destroy(); plotRef.current = null; };
  }, [xs, lines, dark, lang, tz, format, width === 0]);

  useEffect(() => {
    if (width > 0) plotRef.current?.setSize({ width, height });
  }, [width, height]);

  const theme = dark ? 'dark' : 'light';
  const at = idx !== null && idx < xs.length ? idx : null;
  return (
    <figure data-chart="lines" className="w-full">
      <div ref={hostRef} role="img" aria-label={label} className="w-full touch-pan-y" style={{ minHeight: height }} />
      <figcaption className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600 dark:text-slate-300">
        {at !== null && <span className="font-medium text-slate-900 dark:text-slate-100">{timeTicks([xs[at] / 1000], 3600, lang, tz)[0].replace('\n', ' ')}</span>}
        {lines.map((l, i) => (
          <span key={l.label} data-legend={l.label} className="flex items-center gap-1.5">
            <svg aria-hidden="true" width="20" height="8"><line x1="0" x2="20" y1="4" y2="4" stroke={LINES[theme][i % LINES[theme].length]} strokeWidth="2" /></svg>
            {l.label}{at !== null ? `${colon(lang)} ${l.values[at] === null ? '–' : format(l.values[at]!)}` : ''}
          </span>
        ))}
      </figcaption>
    </figure>
  );
}
