// The series as a hand-made SVG area chart (no chart library): one area per run of defined
// points (an undefined ratio — nothing happened in that bucket — leaves a gap), the start and end
// time under it, the maximum at the top, and a cursor (pointer or arrow keys) reading one bucket.
// Long series (a year of hours is 8,760 points) are drawn through a min/max reduction to about
// two points per horizontal unit, so the path stays small whatever the range; the cursor reads
// the full series.

import { useState, type KeyboardEvent, type PointerEvent } from 'react';
import { chartRuns, type Run, type SeriesPoint } from '../chart-runs.ts';
import { formatCompact, formatShortInstant, formatValue, type Unit } from '../format.ts';
import type { Lang } from '../i18n.ts';


const W = 800;
const H = 220;
const PAD = { left: 8, right: 8, top: 24, bottom: 28 };
const INNER_W = W - PAD.left - PAD.right;
const INNER_H = H - PAD.top - PAD.bottom;

export function SeriesChart({ points, unit, lang, tz, label, maxLabel, emptyLabel }: {
  points: SeriesPoint[]; unit: Unit; lang: Lang; tz?: string; label: string; maxLabel: string; emptyLabel: string;
}) {
  const [cursor, setCursor] = useState<number | null>(null);
  let max = 0;
  let defined = 0;
  for (const p of points) {
    if (p.value === null || !Number.isFinite(p.value)) continue;
    defined++;
    if (p.value > max) max = p.value;
  }
  // Ratios are charted on 0–100 %; anything else from 0 to its maximum.
  const top = unit === 'ratio' ? 1 : max > 0 ? max : 1;
  const x = (i: number) => PAD.left + (points.length <= 1 ? INNER_W / 2 : (i / (points.length - 1)) * INNER_W);
  const y = (v: number) => PAD.top + INNER_H - (v / top) * INNER_H;
  const baseline = PAD.top + INNER_H;
  const runs = chartRuns(points, INNER_W);

  const fmt = (n: number) => n.toFixed(1);
  const line = (r: Run) => r.map((p, k) => `${k ? 'L' : 'M'}${fmt(x(p.i))},${fmt(y(p.v))}`).join(' ');
  const area = (r: Run) => `${line(r)} L${fmt(x(r[r.length - 1].i))},${baseline} L${fmt(x(r[0].i))},${baseline} Z`;

  const onPointer = (e: PointerEvent<SVGSVGElement>) => {
    const box = e.currentTarget.getBoundingClientRect();
    if (!points.length || box.width === 0) return;
    const at = ((e.clientX - box.left) / box.width) * W;
    const i = Math.round(((at - PAD.left) / INNER_W) * (points.length - 1));
    setCursor(Math.max(0, Math.min(points.length - 1, i)));
  };
  const onKey = (e: KeyboardEvent<SVGSVGElement>) => {
    if (!points.length) return;
    const step = e.shiftKey ? Math.max(1, Math.round(points.length / 20)) : 1;
    if (e.key === 'ArrowRight') setCursor((c) => Math.min(points.length - 1, (c ?? -1) + step));
    else if (e.key === 'ArrowLeft') setCursor((c) => Math.max(0, (c ?? points.length) - step));
    else if (e.key === 'Escape') setCursor(null);
    else return;
    e.preventDefault();
  };
  const at = cursor !== null && cursor < points.length ? points[cursor] : null;
  const reading = at ? `${formatShortInstant(at.ts, lang, tz)}: ${formatValue(at.value, unit, lang)}` : '';

  return (
    <figure data-chart="series" className="w-full">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} className="h-auto w-full touch-none outline-none focus-visible:ring-2 focus-visible:ring-indigo-600 rounded"
        tabIndex={0} onPointerMove={onPointer} onPointerLeave={() => setCursor(null)} onKeyDown={onKey} onBlur={() => setCursor(null)}>
        <line x1={PAD.left} x2={W - PAD.right} y1={baseline} y2={baseline} className="stroke-slate-300 dark:stroke-slate-600" strokeWidth={1} />
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} className="stroke-slate-200 dark:stroke-slate-700" strokeWidth={1} strokeDasharray="4 4" />
        {runs.map((r, k) => r.length === 1 ? (
          <circle key={k} cx={x(r[0].i)} cy={y(r[0].v)} r={3} className="fill-indigo-600 dark:fill-indigo-400" />
        ) : (
          <g key={k}>
            <path d={area(r)} className="fill-indigo-100 dark:fill-indigo-500/25" />
            <path d={line(r)} className="fill-none stroke-indigo-600 dark:stroke-indigo-400" strokeWidth={2} strokeLinejoin="round" />
          </g>
        ))}
        {!at && (
          <text data-field="chart-max" x={PAD.left} y={PAD.top - 8} className="fill-slate-600 dark:fill-slate-400 text-[12px]">
            {maxLabel} {defined ? formatCompact(max, unit, lang) : '—'}
          </text>
        )}
        {points.length > 0 && (
          <>
            <text data-field="chart-start" x={PAD.left} y={H - 8} className="fill-slate-600 dark:fill-slate-400 text-[12px]">{formatShortInstant(points[0].ts, lang, tz)}</text>
            <text data-field="chart-end" x={W - PAD.right} y={H - 8} textAnchor="end" className="fill-slate-600 dark:fill-slate-400 text-[12px]">
              {formatShortInstant(points[points.length - 1].ts, lang, tz)}
            </text>
          </>
        )}
        {at && cursor !== null && (
          <g data-field="chart-cursor" pointerEvents="none">
            <line x1={x(cursor)} x2={x(cursor)} y1={PAD.top} y2={baseline} className="stroke-slate-400 dark:stroke-slate-500" strokeWidth={1} />
            {at.value !== null && Number.isFinite(at.value) && <circle cx={x(cursor)} cy={y(at.value)} r={4} className="fill-indigo-600 dark:fill-indigo-400" />}
            <text x={Math.min(Math.max(x(cursor), PAD.left + 110), W - PAD.right - 110)} y={PAD.top - 8} textAnchor="middle"
              className="fill-slate-900 dark:fill-slate-100 text-[12px] font-medium">{reading}</text>
          </g>
        )}
        {defined === 0 && (
          <text x={W / 2} y={PAD.top + INNER_H / 2} textAnchor="middle" className="fill-slate-500 dark:fill-slate-400 text-[14px]">{emptyLabel}</text>
        )}
      </svg>
      <figcaption className="sr-only" aria-live="polite">{reading}</figcaption>
    </figure>
  );
}
