// A map from a pair of 32-bit integers to a row number, in typed arrays (open addressing, linear
// probing, doubled when half full). The batch aggregation looks one up per event, grain and
// measure; a Map keyed by a composite number beyond 2^31 boxes each key as a heap number to
// allocate, hash and collect, which cost most of the preparation's time and its garbage.

const EMPTY = -1;

export class PairIndex {
  private a: Int32Array;
  private b: Int32Array;
  private rows: Int32Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.a = new Int32Array(size);
    this.b = new Int32Array(size);
    this.rows = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
  }

  get size(): number {
    return this.count;
  }

  private slot(a: number, b: number): number {
    // Multiplicative hashing of both halves (Math.imul keeps it in 32 bits).
    let h = Math.imul(a, 0x9e3779b1) ^ Math.imul(b ^ (b >>> 16), 0x85ebca6b);
    h ^= h >>> 15;
    let i = h & this.mask;
    while (this.rows[i] !== EMPTY && (this.a[i] !== a || this.b[i] !== b)) i = (i + 1) & this.mask;
    return i;
  }

  /** The row of (a, b), or -1. */
  get(a: number, b: number): number {
    return this.rows[this.slot(a, b)];
  }

  /** Sets the row of (a, b) (a row number ≥ 0). */
  set(a: number, b: number, row: number): void {
    let i = this.slot(a, b);
    if (this.rows[i] === EMPTY) {
      if ((this.count + 1) * 2 > this.rows.length) {
        this.grow();
        i = this.slot(a, b);
      }
      this.count++;
      this.a[i] = a;
      this.b[i] = b;
    }
    this.rows[i] = row;
  }

  private grow(): void {
    const { a, b, rows } = this;
    const size = rows.length * 2;
    this.a = new Int32Array(size);
    this.b = new Int32Array(size);
    this.rows = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    for (let i = 0; i < rows.length; i++) {
      if (rows[i] === EMPTY) continue;
      const j = this.slot(a[i], b[i]);
      this.a[j] = a[i];
      this.b[j] = b[i];
      this.rows[j] = rows[i];
    }
  }
}
