// The month partition expressions of the ClickHouse tables (UTC months, YYYYMM), said once for
// the migrations that create the tables and the compaction that replaces their partitions.

/** The UTC month of an epoch-millisecond column. */
export const msMonth = (col: string) => `toYYYYMM(toDateTime(intDiv(${col}, 1000), 'UTC'))`;
/** The UTC month of a payment rollup row's minute (epoch minutes). */
export const MINUTE_MONTH = `toYYYYMM(toDateTime(minute * 60, 'UTC'))`;
/** The UTC month of a custom rollup or totals row's bucket (epoch minutes); those tables are partitioned by (grain, month). */
export const CUSTOM_MONTH = `toYYYYMM(toDateTime(bucket * 60, 'UTC'))`;

/** A (grain, month) partition as system.parts names it, `(60, 202611)`; null if it is not one. */
export function grainMonth(partition: string): { grain: number; month: number } | null {
  const m = /^\((\d+),\s*(\d+)\)$/.exec(partition);
  return m ? { grain: Number(m[1]), month: Number(m[2]) } : null;
}
