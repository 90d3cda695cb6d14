// A DDSketch-style quantile sketch (Masson, Rim, Lee, VLDB 2019; DataDog's sketches-go/-js) kept
// as rows `(bin, count)`, so that merging the sketches of many buckets is a plain
// `GROUP BY bin → sum(count)` in any SQL engine (DuckDB, ClickHouse 18.16, PostgreSQL alike).
//
// The mapping is logarithmic with relative accuracy α = 0.01: γ = (1+α)/(1−α), a positive value
// x falls in key k = ⌈log_γ x⌉, i.e. the interval (γ^(k−1), γ^k], whose representative
// γ^(k−1)·(1+α) is within α relative error of every value in it. Negative values are indexed by
// their magnitude, zero (and magnitudes too small to index) has its own bin. The three stores are
// folded into one signed integer `bin` that sorts like the values themselves:
//   x > 0:  bin =  (k + BIN_OFFSET)        always ≥ 1
//   x = 0:  bin =  0
//   x < 0:  bin = −(k + BIN_OFFSET)        k of |x|: a larger magnitude is a smaller bin
// so one `ORDER BY bin` walks the values in ascending order, whatever their sign.
//
// Rank convention (as sketches-go's "lower quantile"): quantile(q) of n values is the value at
// 0-based rank r = ⌊q·(n−1)⌋ in ascending order. Guarantee: the returned value v satisfies
// |v − x_r| ≤ α·|x_r| for the exact x_r of that same rank (0 exactly for x_r = 0) — for every q,
// every distribution and every merge, as long as no bin was collapsed (see collapseBins).

export const RELATIVE_ACCURACY = 0.01;
export const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const LN_GAMMA = Math.log(GAMMA);
/**
 * Keys of indexable doubles lie in [−35 417, 35 488] at α = 1%: the offset keeps every
 * non-zero bin away from 0 and keeps its sign. Changing it (or α) changes the stored rows.
 */
export const BIN_OFFSET = 40_000;
/** Magnitudes below this (subnormals) count as zero: their logarithm loses precision. */
export const MIN_INDEXABLE = 2.2250738585072014e-308 * GAMMA;

/** One row of a sketch: a bin and how many values fell in it. */
export interface SketchBin {
  bin: number;
  count: number;
}

/** A count as a SQL driver may hand it back (sum(count) is a bigint in DuckDB and ClickHouse). */
export interface SketchBinRow {
  bin: number | bigint;
  count: number | bigint;
}

/** The key k = ⌈log_γ m⌉ of a positive magnitude m ≥ MIN_INDEXABLE. */
function keyOf(m: number): number {
  return Math.ceil(Math.log(m) / LN_GAMMA);
}

/** The bin of a finite value. Throws on NaN or ±Infinity (the caller refuses those first). */
export function binOf(value: number): number {
  if (!Number.isFinite(value)) throw new RangeError(`a sketch takes finite numbers, not ${value}`);
  const m = Math.abs(value);
  if (m < MIN_INDEXABLE) return 0;
  const b = keyOf(m) + BIN_OFFSET;
  return value > 0 ? b : -b;
}

/** The value a bin stands for: γ^(k−1)·(1+α), within α of everything in (γ^(k−1), γ^k]. */
export function valueOfBin(bin: number): number {
  if (bin === 0) return 0;
  const k = Math.abs(bin) - BIN_OFFSET;
  const v = Math.exp((k - 1) * LN_GAMMA) * (1 + RELATIVE_ACCURACY);
  return bin > 0 ? v : -v;
}

/** An in-memory sketch: bin → count. What an ingest batch fills per (bucket, measure) before writing its rows. */
export class QuantileSketch {
  private readonly bins = new Map<number, number>();
  private n = 0;

  get count(): number {
    return this.n;
  }

  add(value: number, count = 1): void {
    const b = binOf(value);
    this.bins.set(b, (this.bins.get(b) ?? 0) + count);
    this.n += count;
  }

  /** Adds the rows of another sketch (the same as SQL's GROUP BY bin → sum(count)). */
  mergeRows(rows: Iterable<SketchBinRow>): void {
    for (const r of rows) {
      const b = Number(r.bin);
      const c = Number(r.count);
      this.bins.set(b, (this.bins.get(b) ?? 0) + c);
      this.n += c;
    }
  }

  /** The rows to store, ascending by bin. */
  rows(): SketchBin[] {
    return [...this.bins].map(([bin, count]) => ({ bin, count })).sort((a, b) => a.bin - b.bin);
  }

  quantile(q: number): number | null {
    return quantilesFromBins(this.rows(), [q])[0];
  }
}

/** Merges rows of many sketches: the TypeScript twin of `SELECT bin, sum(count) … GROUP BY bin ORDER BY bin`. */
export function mergeBins(...sketches: Iterable<SketchBinRow>[]): SketchBin[] {
  const s = new QuantileSketch();
  for (const rows of sketches) s.mergeRows(rows);
  return s.rows();
}

export interface QuantileOptions {
  /** The exact minimum and maximum, when the rollup keeps them: answers are clamped into [min, max] (never farther from the truth). */
  min?: number;
  max?: number;
}

/**
 * The quantiles qs (each in [0, 1]) of merged bins, in one pass: the value at rank ⌊q·(n−1)⌋,
 * within α relative error. Null for an empty sketch. The rows may come in any order.
 */
export function quantilesFromBins(rows: Iterable<SketchBinRow>, qs: readonly number[], o: QuantileOptions = {}): (number | null)[] {
  for (const q of qs) if (!(q >= 0 && q <= 1)) throw new RangeError(`a quantile is in [0, 1], not ${q}`);
  const bins: SketchBin[] = [];
  let n = 0;
  for (const r of rows) {
    const c = Number(r.count);
    if (c <= 0) continue;
    bins.push({ bin: Number(r.bin), count: c });
    n += c;
  }
  if (n === 0) return qs.map(() => null);
  bins.sort((a, b) => a.bin - b.bin);
  const order = qs.map((q, i) => ({ rank: Math.floor(q * (n - 1)), i })).sort((a, b) => a.rank - b.rank);
  const out: (number | null)[] = qs.map(() => null);
  let j = 0;
  let seen = 0;
  for (const { rank, i } of order) {
    // The bin holding rank r is the first whose cumulative count exceeds r.
    while (seen + bins[j].count <= rank) seen += bins[j++].count;
    let v = valueOfBin(bins[j].bin);
    if (o.min !== undefined && v < o.min) v = o.min;
    if (o.max !== undefined && v > o.max) v = o.max;
    out[i] = v;
  }
  return out;
}

/**
 * Bounds the rows of each sign to `maxBinsPerSign`, folding the bins of the smallest magnitudes
 * into the smallest one kept (DDSketch's "collapsing lowest" store). A quantile whose exact value
 * lies in a collapsed bin is then reported as the kept bin's value: larger in magnitude than the
 * truth, with no relative bound; every other quantile keeps the α guarantee. Zero is never folded.
 * At α = 1% a bin per sign covers a factor γ ≈ 1.0202, so 2 048 bins span a ratio of e^41 ≈ 6·10^17
 * between the smallest and largest magnitude before anything folds.
 */
export function collapseBins(rows: Iterable<SketchBinRow>, maxBinsPerSign: number): SketchBin[] {
  const merged = mergeBins(rows);
  const zero = merged.filter((r) => r.bin === 0);
  // By magnitude ascending: positive bins ascend, negative ones descend.
  const pos = merged.filter((r) => r.bin > 0);
  const neg = merged.filter((r) => r.bin < 0).reverse();
  const fold = (side: SketchBin[]): SketchBin[] => {
    if (side.length <= maxBinsPerSign) return side;
    const cut = side.length - maxBinsPerSign;
    let folded = 0;
    for (let i = 0; i <= cut; i++) folded += side[i].count;
    return [{ bin: side[cut].bin, count: folded }, ...side.slice(cut + 1)];
  };
  return [...fold(neg).reverse(), ...zero, ...fold(pos)];
}
