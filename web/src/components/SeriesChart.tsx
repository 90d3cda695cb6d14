// The overview's series as a hand-made SVG area chart (no chart library): one area per run of
// defined points (an undefined ratio — nothing happened in that bucket — leaves a gap), with the
// start and end time under it and the maximum at the top.

import { formatCompact, formatShortInstant, type Unit } from '../format.ts';
import type { Lang } from '../i18n.ts';

export interface SeriesPoint { ts: string; value: number | null }

const W = 800;
const H = 220;
const PAD = { left: 8, right: 8, top: 24, bottom: 28 };

export function SeriesChart({ points, unit, lang, label, maxLabel, emptyLabel }: {
  points: SeriesPoint[]; unit: Unit; lang: Lang; label: string; maxLabel: string; emptyLabel: string;
}) {
  const values = points.map((p) => p.value).filter((v): v is number => v !== null && Number.isFinite(v));
  const max = values.length ? Math.max(...values) : 0;
  // Ratios are charted on 0–100 %; anything else from 0 to its maximum.
  const top = unit === 'ratio' ? 1 : max > 0 ? max : 1;
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x = (i: number) => PAD.left + (points.length <= 1 ? innerW / 2 : (i / (points.length - 1)) * innerW);
  const y = (v: number) => PAD.top + innerH - (v / top) * innerH;
  const baseline = PAD.top + innerH;

  // Runs of consecutive defined points.
  const runs: Array<Array<{ i: number; v: number }>> = [];
  let run: Array<{ i: number; v: number }> = [];
  points.forEach((p, i) => {
    if (p.value === null || !Number.isFinite(p.value)) {
      if (run.length) runs.push(run);
      run = [];
    } else run.push({ i, v: p.value });
  });
  if (run.length) runs.push(run);

  const fmt = (n: number) => n.toFixed(1);
  const line = (r: typeof run) => r.map((p, k) => `${k ? 'L' : 'M'}${fmt(x(p.i))},${fmt(y(p.v))}`).join(' ');
  const area = (r: typeof run) => `${line(r)} L${fmt(x(r[r.length - 1].i))},${baseline} L${fmt(x(r[0].i))},${baseline} Z`;

  return (
    <figure data-chart="series" className="w-full">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={label} className="h-auto w-full">
        <line x1={PAD.left} x2={W - PAD.right} y1={baseline} y2={baseline} className="stroke-slate-300 dark:stroke-slate-600" strokeWidth={1} />
        <line x1={PAD.left} x2={W - PAD.right} y1={PAD.top} y2={PAD.top} className="stroke-slate-200 dark:stroke-slate-700" strokeWidth={1} strokeDasharray="4 4" />
        {runs.map((r, k) => r.length === 1 ? (
          <circle key={k} cx={x(r[0].i)} cy={y(r[0].v)} r={3} className="fill-indigo-600" />
        ) : (
          <g key={k}>
            <path d={area(r)} className="fill-indigo-100 dark:fill-indigo-500/25" />
            <path d={line(r)} className="fill-none stroke-indigo-600 dark:stroke-indigo-400" strokeWidth={2} strokeLinejoin="round" />
          </g>
        ))}
        <text data-field="chart-max" x={PAD.left} y={PAD.top - 8} className="fill-slate-500 text-[12px]">
          {maxLabel} {values.length ? formatCompact(max, unit, lang) : '—'}
        </text>
        {points.length > 0 && (
          <>
            <text data-field="chart-start" x={PAD.left} y={H - 8} className="fill-slate-500 text-[12px]">{formatShortInstant(points[0].ts, lang)}</text>
            <text data-field="chart-end" x={W - PAD.right} y={H - 8} textAnchor="end" className="fill-slate-500 text-[12px]">
              {formatShortInstant(points[points.length - 1].ts, lang)}
            </text>
          </>
        )}
        {values.length === 0 && (
          <text x={W / 2} y={PAD.top + innerH / 2} textAnchor="middle" className="fill-slate-400 text-[14px]">{emptyLabel}</text>
        )}
      </svg>
    </figure>
  );
}
