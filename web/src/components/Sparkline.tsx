// A small line of a series' shape (no axes): KPI cards and live rooms. Undefined values (a ratio
// with nothing to divide) break the line rather than drop to zero. A last value still being
// counted (`partialLast`: the bucket is running) is reached by a dotted segment, not the line.

export function Sparkline({ values, label, className = 'mt-3 h-10 w-full', partialLast = false }: {
  values: Array<number | null | undefined>; label: string; className?: string; partialLast?: boolean;
}) {
  const w = 240, h = 40;
  const defined = values.filter((v): v is number => v !== null && v !== undefined && Number.isFinite(v));
  const max = Math.max(...defined, 0);
  const min = Math.min(...defined, 0);
  const span = max - min || 1;
  const step = values.length > 1 ? w / (values.length - 1) : w;
  const ok = (v: number | null | undefined): v is number => v !== null && v !== undefined && Number.isFinite(v);
  const at = (v: number, i: number) => `${(i * step).toFixed(1)},${(h - ((v - min) / span) * (h - 2) - 1).toFixed(1)}`;
  const whole = partialLast && values.length > 1 ? values.length - 1 : values.length;
  let d = '';
  let pen = false;
  values.slice(0, whole).forEach((v, i) => {
    if (!ok(v)) { pen = false; return; }
    d += `${pen ? 'L' : 'M'}${at(v, i)} `;
    pen = true;
  });
  const n = values.length;
  const last = values[n - 1], before = values[n - 2];
  const tail = whole < n && ok(last) && ok(before) ? `M${at(before, n - 2)} L${at(last, n - 1)}` : '';
  return (
    <svg data-chart="sparkline" role="img" aria-label={label} viewBox={`0 0 ${w} ${h}`} className={className} preserveAspectRatio="none">
      {d && <path d={d} fill="none" stroke="currentColor" strokeWidth="1.5" className="text-indigo-600 dark:text-indigo-400" vectorEffect="non-scaling-stroke" />}
      {tail && <path data-field="partial" d={tail} fill="none" stroke="currentColor" strokeWidth="1.5" strokeDasharray="2 3" className="text-indigo-600 dark:text-indigo-400" vectorEffect="non-scaling-stroke" />}
    </svg>
  );
}
