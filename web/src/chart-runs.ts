// What the series chart draws: runs of consecutive defined points (an undefined value — a ratio
// with nothing to divide — breaks the line), reduced to each column's min and max when there are
// more than two points per unit of width, so a year of hours (8,784 points) draws at most two points per unit of width.

export interface SeriesPoint { ts: string; value: number | null }

export type Run = Array<{ i: number; v: number }>;

/** Runs of consecutive defined points; above 2 per unit of `width`, each column keeps its min and max (in order). */
export function chartRuns(points: SeriesPoint[], width: number): Run[] {
  const columns = Math.max(1, Math.floor(width));
  const perColumn = points.length / columns;
  const runs: Run[] = [];
  let run: Run = [];
  const flush = () => { if (run.length) runs.push(run); run = []; };
  if (perColumn <= 2) {
    points.forEach((p, i) => (p.value === null || !Number.isFinite(p.value) ? flush() : run.push({ i, v: p.value })));
    flush();
    return runs;
  }
  for (let c = 0; c < columns; c++) {
    const start = Math.floor(c * perColumn);
    const end = Math.min(points.length, Math.floor((c + 1) * perColumn));
    let lo: { i: number; v: number } | null = null;
    let hi: { i: number; v: number } | null = null;
    let gap = false;
    for (let i = start; i < end; i++) {
      const v = points[i].value;
      if (v === null || !Number.isFinite(v)) { gap = true; continue; }
      if (!lo || v < lo.v) lo = { i, v };
      if (!hi || v > hi.v) hi = { i, v };
    }
    if (gap && !lo) { flush(); continue; }
    if (lo && hi) run.push(...(lo.i <= hi.i ? [lo, hi] : [hi, lo]).filter((p, k, a) => k === 0 || p.i !== a[0].i));
  }
  flush();
  return runs;
}
