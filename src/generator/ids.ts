// Identifiers of generated entities: prefix + a tag of the seed + a scrambled counter, so ids
// look random, are unique within a stream (the scramble is a bijection on 32 bits) and rarely
// collide across seeds.

import { hashSeed, type Seed } from './prng.ts';

const TAG_SPACE = 36 ** 5;
const TWO_POW_32 = 4294967296;

/** Five base-36 characters derived from the seed. */
export function seedTag(seed: Seed): string {
  return (hashSeed(seed, 0x1d) % TAG_SPACE).toString(36).padStart(5, '0');
}

/** An invertible mix of a 32-bit integer (xor-shifts and odd multipliers). */
function scramble(n: number, salt: number): number {
  let x = (n ^ salt) >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

const DIGITS = '0123456789abcdefghijklmnopqrstuvwxyz';
const PAIRS = Array.from({ length: 1296 }, (_, i) => DIGITS[Math.floor(i / 36)] + DIGITS[i % 36]);

/** Seven base-36 digits of a 32-bit unsigned integer (2^32 < 36^7), faster than toString(36). */
function base36x7(x: number): string {
  const d = x % 1296;
  x = (x - d) / 1296;
  const c = x % 1296;
  x = (x - c) / 1296;
  const b = x % 1296;
  return DIGITS[(x - b) / 1296] + PAIRS[b] + PAIRS[c] + PAIRS[d];
}

/** The id of the n-th entity (n ≥ 0) of one kind; `salt` separates kinds. */
export function entityId(prefix: string, tag: string, n: number, salt: number): string {
  const lo = n % TWO_POW_32;
  const hi = (n - lo) / TWO_POW_32;
  const body = base36x7(scramble(lo, salt));
  return hi === 0 ? prefix + tag + body : `${prefix}${tag}${body}${hi.toString(36)}`;
}

/** Hands out ids of one kind in order. */
export class IdMint {
  private n = 0;
  private readonly salt: number;

  constructor(private readonly prefix: string, private readonly tag: string, seed: Seed) {
    this.salt = hashSeed(seed, prefix.length, prefix.charCodeAt(0), prefix.charCodeAt(1));
  }

  next(): string {
    return entityId(this.prefix, this.tag, this.n++, this.salt);
  }
}
