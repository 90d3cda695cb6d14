// The totals of custom events, on both backends: the hour and day rollups summed over every
// dimension tuple, a few rows per (bucket, type, measure[, bin | register]) however many tuples.
// An answer neither filtered nor grouped by a dimension, at hour or day grain, reads them
// (queries/custom-event-stats.ts) instead of every tuple's rows: the 30-day p95 at 10M events
// with many tuples went from a scan of about as many rows as events to a few thousand.
//
// Each backend keeps them exact its own way: DuckDB folds a batch's rows into them in the
// batch's transaction (duckdb/custom-totals.ts); ClickHouse has each batch write its own totals
// rows (customTotalsOf, below) as more steps of the commit protocol, folded by compaction like
// the rollups (clickhouse/custom-totals.ts).

import type { CustomBatch } from './analytics-store.ts';

/** The grains kept as totals (minute answers read the rollup rows). */
export const TOTAL_GRAINS = [60, 1440] as const;
export type TotalGrain = (typeof TOTAL_GRAINS)[number];
export type TotalKind = 'stats' | 'bins' | 'users';

export const isTotalGrain = (grain: number): grain is TotalGrain => (TOTAL_GRAINS as readonly number[]).includes(grain);

export type CustomRollups = Omit<CustomBatch, 'raw'>;

const BIN_SPAN = 2 ** 19; // sketch bins are within ±(BIN_OFFSET + 35 488) (quantile-sketch.ts), far inside ±2^18
const REGISTERS = 16_384;

/**
 * A batch's totals: its hour and day rollup rows summed over their dimension tuples (the keys'
 * `dims` are ''). Stats rows add counts and sums and keep min and max, exactly as a read merges
 * the tuples' rows; a money sum that would leave a double's exact range starts another row for
 * the same key and measure (reads add the rows), so it stays exact. Bins add their counts;
 * registers keep the highest rank.
 */
export function customTotalsOf(c: CustomRollups): CustomRollups {
  const { keys, stats, bins, users } = c;
  const totalOf = new Int32Array(keys.length).fill(-1);
  const ids = new Map<string, number>();
  const grain: number[] = [];
  const bucket: number[] = [];
  const eventType: string[] = [];
  for (let k = 0; k < keys.length; k++) {
    if (!isTotalGrain(keys.grain[k])) continue;
    const text = `${keys.grain[k]}\u0000${keys.bucket[k]}\u0000${keys.eventType[k]}`;
    let id = ids.get(text);
    if (id === undefined) {
      ids.set(text, (id = grain.length));
      grain.push(keys.grain[k]);
      bucket.push(keys.bucket[k]);
      eventType.push(keys.eventType[k]);
    }
    totalOf[k] = id;
  }
  const measureIds = new Map<string, number>();
  for (const m of stats.measure) if (!measureIds.has(m)) measureIds.set(m, measureIds.size);
  const measures = Math.max(1, measureIds.size);
  if (grain.length * measures * BIN_SPAN > Number.MAX_SAFE_INTEGER) throw new RangeError('too many totals keys in one batch');

  const s = { key: [] as number[], measure: [] as string[], cnt: [] as number[], sumValue: [] as number[], minValue: [] as number[],
    maxValue: [] as number[], sumMinor: [] as number[], minMinor: [] as number[], maxMinor: [] as number[] };
  const statIds = new Map<number, number>();
  for (let i = 0; i < stats.length; i++) {
    const t = totalOf[stats.key[i]];
    if (t < 0) continue;
    const sk = t * measures + measureIds.get(stats.measure[i])!;
    const sumMinor = Number(stats.sumMinor[i]);
    const minMinor = Number(stats.minMinor[i]);
    const maxMinor = Number(stats.maxMinor[i]);
    const row = statIds.get(sk);
    if (row === undefined || !Number.isSafeInteger(s.sumMinor[row] + sumMinor)) {
      statIds.set(sk, s.key.length);
      s.key.push(t);
      s.measure.push(stats.measure[i]);
      s.cnt.push(stats.cnt[i]);
      s.sumValue.push(stats.sumValue[i]);
      s.minValue.push(stats.minValue[i]);
      s.maxValue.push(stats.maxValue[i]);
      s.sumMinor.push(sumMinor);
      s.minMinor.push(minMinor);
      s.maxMinor.push(maxMinor);
      continue;
    }
    s.cnt[row] += stats.cnt[i];
    s.sumValue[row] += stats.sumValue[i];
    s.minValue[row] = Math.min(s.minValue[row], stats.minValue[i]);
    s.maxValue[row] = Math.max(s.maxValue[row], stats.maxValue[i]);
    s.sumMinor[row] += sumMinor;
    s.minMinor[row] = Math.min(s.minMinor[row], minMinor);
    s.maxMinor[row] = Math.max(s.maxMinor[row], maxMinor);
  }

  const b = { key: [] as number[], measure: [] as string[], bin: [] as number[], cnt: [] as number[] };
  const binIds = new Map<number, number>();
  for (let i = 0; i < bins.length; i++) {
    const t = totalOf[bins.key[i]];
    if (t < 0) continue;
    if (Math.abs(bins.bin[i]) >= BIN_SPAN / 2) throw new RangeError(`sketch bin out of range: ${bins.bin[i]}`);
    const bk = (t * measures + measureIds.get(bins.measure[i])!) * BIN_SPAN + bins.bin[i] + BIN_SPAN / 2;
    const row = binIds.get(bk);
    if (row !== undefined) b.cnt[row] += bins.cnt[i];
    else {
      binIds.set(bk, b.key.length);
      b.key.push(t);
      b.measure.push(bins.measure[i]);
      b.bin.push(bins.bin[i]);
      b.cnt.push(bins.cnt[i]);
    }
  }

  const u = { key: [] as number[], register: [] as number[], rank: [] as number[] };
  const userIds = new Map<number, number>();
  for (let i = 0; i < users.length; i++) {
    const t = totalOf[users.key[i]];
    if (t < 0) continue;
    const uk = t * REGISTERS + users.register[i];
    const row = userIds.get(uk);
    if (row !== undefined) u.rank[row] = Math.max(u.rank[row], users.rank[i]);
    else {
      userIds.set(uk, u.key.length);
      u.key.push(t);
      u.register.push(users.register[i]);
      u.rank.push(users.rank[i]);
    }
  }

  return {
    keys: { length: grain.length, grain: Int16Array.from(grain), bucket: Int32Array.from(bucket), eventType, dims: eventType.map(() => '') },
    stats: {
      length: s.key.length, key: Int32Array.from(s.key), measure: s.measure, cnt: Int32Array.from(s.cnt),
      sumValue: Float64Array.from(s.sumValue), minValue: Float64Array.from(s.minValue), maxValue: Float64Array.from(s.maxValue),
      sumMinor: BigInt64Array.from(s.sumMinor, BigInt), minMinor: BigInt64Array.from(s.minMinor, BigInt), maxMinor: BigInt64Array.from(s.maxMinor, BigInt),
    },
    bins: { length: b.key.length, key: Int32Array.from(b.key), measure: b.measure, bin: Int32Array.from(b.bin), cnt: Int32Array.from(b.cnt) },
    users: { length: u.key.length, key: Int32Array.from(u.key), register: Int16Array.from(u.register), rank: Uint8Array.from(u.rank) },
  };
}
