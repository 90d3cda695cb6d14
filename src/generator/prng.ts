// Seeded pseudo-random numbers for the synthetic event generator: sfc32 (small, fast, passes
// PractRand) seeded from a hashed seed, plus the samplers the generator needs: weighted
// choice, normal deviates and a Zipf sampler. Not cryptographic: the point is speed and
// byte-identical replays from one seed.

export type Seed = number | string;

export interface Prng {
  /** Uniform 32-bit unsigned integer. */
  uint32(): number;
  /** Uniform in [0, 1). */
  float(): number;
  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** Index i with probability weights[i] / sum(weights). Linear: precompute a CdfSampler for hot loops. */
  weighted(weights: readonly number[]): number;
  /** Standard normal deviate (Box–Muller, the spare value cached). */
  normal(): number;
}

/** Murmur3's 32-bit finaliser: spreads every input bit over the output. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/**
 * A 32-bit hash of a seed and integer salts. Seeds are hashed as text, so 42 and "42"
 * (as the CLI passes it) are the same seed.
 */
export function hashSeed(seed: Seed, ...salts: number[]): number {
  const text = String(seed);
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  h = fmix32(h);
  for (const salt of salts) h = fmix32(Math.imul(h ^ (salt >>> 0), 0x9e3779b1) + 0x7f4a7c15);
  return h;
}

class Sfc32 implements Prng {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;
  private spare = NaN;

  constructor(seed: number) {
    this.a = seed ^ 0x9e3779b9;
    this.b = fmix32(seed + 0x6a09e667);
    this.c = fmix32(seed + 0xbb67ae85);
    for (let i = 0; i < 15; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  float(): number {
    return this.uint32() / 4294967296;
  }

  int(lo: number, hi: number): number {
    return lo + Math.floor(this.float() * (hi - lo + 1));
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.float() * items.length)];
  }

  weighted(weights: readonly number[]): number {
    let total = 0;
    for (const w of weights) total += w;
    let u = this.float() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i];
      if (u < 0) return i;
    }
    return weights.length - 1;
  }

  normal(): number {
    if (!Number.isNaN(this.spare)) {
      const z = this.spare;
      this.spare = NaN;
      return z;
    }
    const u = 1 - this.float(); // (0, 1]: log stays finite
    const r = Math.sqrt(-2 * Math.log(u));
    const theta = 2 * Math.PI * this.float();
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

/** A PRNG for `seed`; salts derive independent streams (per merchant, per currency…). */
export function createPrng(seed: Seed, ...salts: number[]): Prng {
  return new Sfc32(hashSeed(seed, ...salts));
}

/**
 * Samples an index from fixed weights in O(1) expected time: a normalised CDF, a guide
 * table that brackets each u, and a binary search inside the bracket.
 */
export class CdfSampler {
  readonly size: number;
  private readonly cdf: Float64Array;
  private readonly guide: Int32Array;

  constructor(weights: ArrayLike<number>) {
    const n = weights.length;
    if (n === 0) throw new Error('CdfSampler needs at least one weight');
    this.size = n;
    this.cdf = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    let acc = 0;
    for (let i = 0; i < n; i++) {
      acc += weights[i];
      this.cdf[i] = acc / total;
    }
    this.cdf[n - 1] = 1; // u < 1 always lands somewhere
    this.guide = new Int32Array(n + 1);
    let i = 0;
    for (let g = 0; g <= n; g++) {
      while (i < n - 1 && this.cdf[i] <= g / n) i++;
      this.guide[g] = i;
    }
  }

  /** Probability of index i. */
  probability(i: number): number {
    return i === 0 ? this.cdf[0] : this.cdf[i] - this.cdf[i - 1];
  }

  sample(rng: Prng): number {
    const u = rng.float();
    const g = Math.floor(u * this.size);
    let lo = this.guide[g];
    let hi = this.guide[g + 1];
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.cdf[mid] <= u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Running sums of `weights`, normalised to end at 1: the table `pickCumulative` reads. */
export function cumulative(weights: readonly number[]): number[] {
  let total = 0;
  for (const w of weights) total += w;
  let acc = 0;
  const cdf = weights.map((w) => (acc += w) / total);
  cdf[cdf.length - 1] = 1;
  return cdf;
}

/** An index drawn from a short cumulative table by linear scan: no typed arrays to allocate. */
export function pickCumulative(rng: Prng, cdf: readonly number[]): number {
  const u = rng.float();
  let i = 0;
  while (cdf[i] <= u) i++;
  return i;
}

/** Zipf over ranks 0..n-1: P(rank k) ∝ 1 / (k + 1)^exponent. */
export function createZipf(n: number, exponent: number): CdfSampler {
  const weights = new Float64Array(n);
  for (let k = 0; k < n; k++) weights[k] = 1 / Math.pow(k + 1, exponent);
  return new CdfSampler(weights);
}
