// Fast non-cryptographic string hashing for the in-memory indexes. One pass yields three
// independent 32-bit lanes: 96 bits make an accidental collision between two ids negligible
// (about 10^-14 at 100M keys), so an index can hold hashes instead of the strings.

export interface Hash96 {
  h1: number;
  h2: number;
  h3: number;
}

// Callers on the hot path pass a scratch `out` to avoid an allocation per call.
export function hash96(s: string, out: Hash96 = { h1: 0, h2: 0, h3: 0 }): Hash96 {
  let a = 0x9e3779b9 ^ s.length;
  let b = 0x85ebca6b ^ s.length;
  let c = 0xc2b2ae35 ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x5bd1e995);
    b ^= b >>> 15;
    c = Math.imul((c << 5) | (c >>> 27), 0x27d4eb2d) ^ ch;
  }
  out.h1 = fmix(a) >>> 0;
  out.h2 = fmix(b ^ a) >>> 0;
  out.h3 = fmix(c ^ b) >>> 0;
  return out;
}

/** Murmur3's 32-bit finaliser: spreads every input bit over the output (signed result). */
export function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
