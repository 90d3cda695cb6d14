// A small line of a series' shape (no axes): KPI cards and live rooms. Undefined values (a ratio
// with nothing to divide) break the line rather than drop to zero.

export function Sparkline({ values, label, className = 'mt-3 h-10 w-full' }: {
  values: Array<number | null | undefined>; label: string; className?: string;
}) {
  const w = 240, h = 40;
  const defined = values.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  const max = Math.max(...defined, 0);
  const min = Math.min(...defined, 0);
  const span = max - min || 1;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    if (v === null || v === undefined || !Number.isFinite(v)) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${(i * step).toFixed(1)},${(h - ((v - min) / span) * (h - 2) - 1).toFixed(1)} `;
    pen = true;
  });
  return (
    <svg data-chart="sparkline" role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`} className={className} preserveAspectRatio="none">
      {d && <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" className="text-indigo-600 dark:text-indigo-400" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}
