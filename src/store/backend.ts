// The inside of the analytics store: what one backend (embedded DuckDB, a ClickHouse server)
// provides to the named queries of src/store/queries/. Nothing outside src/store sees this
// interface: the rest of the platform holds an AnalyticsStore (analytics-store.ts), whose
// operations are named queries, each holding its SQL for every backend side by side.
//
// Two kinds of operation live here rather than in a query module:
// - the commit of a batch and the reads that depend on how commits are made durable (the state
//   scan, the dictionary, the store's counters, a source's position): on DuckDB one transaction
//   makes a batch visible; on ClickHouse, which writes each table separately, the commit
//   protocol of clickhouse/ decides which rows count;
// - plain execution: select, select by columns, statements run in order.

import type { PreparedBatch, StateRow, StoreMeta } from './analytics-store.ts';
import type { RollupTable } from './query-shapes.ts';

export type BackendKind = 'duckdb' | 'clickhouse';

/** One row of an answer. Integers wider than 32 bits arrive as bigint on every backend. */
export type Row = Record<string, unknown>;

export interface ColumnAnswer {
  names: string[];
  columns: unknown[][];
  rowCount: number;
  /** ClickHouse: the `WITH TOTALS` row (a value per column), when asked for and answered. */
  totals?: unknown[];
}

/** A column of rows to append: its name, its type, its values (typed arrays for numbers). */
export type AppendColumn =
  | { name: string; type: 'int32'; values: Int32Array }
  | { name: string; type: 'int64'; values: BigInt64Array }
  | { name: string; type: 'float64'; values: Float64Array }
  | { name: string; type: 'text'; values: readonly string[] };

/** Rows appended to a table, column by column (every column of the table, in its order). */
export interface Append {
  table: string;
  columns: AppendColumn[];
}

export interface StoreBackend {
  readonly kind: BackendKind;
  /** The version its migrations end at (readiness compares what the store reached). */
  readonly latestSchemaVersion: number;

  /** Runs one read-only statement. */
  select(sql: string): Promise<Row[]>;
  /**
   * The same, column by column (several times cheaper for large answers). `totals`: the
   * statement groups `WITH TOTALS` (ClickHouse only), whose row comes apart from the others.
   * ClickHouse reads it in Native format unless `totals`: integers, Decimal(P, 0), Float64,
   * String, Nullable of those and NULL only; cast any other column (docs/clickhouse.md).
   */
  selectColumns(sql: string, opts?: { totals?: boolean }): Promise<ColumnAnswer>;
  /**
   * Runs statements in order, through the writer. DuckDB runs them in one transaction; ClickHouse
   * runs each on its own, so a list there must be safe to rerun from the start after a failure.
   */
  exec(statements: string[]): Promise<void>;
  /**
   * The same, with bulk appends among the statements (far cheaper than VALUES text). DuckDB runs
   * the steps in one transaction; ClickHouse runs each on its own, an append as one insert.
   */
  write(steps: Array<string | Append>): Promise<void>;

  /** Makes every write of one batch durable and visible together (see each backend's protocol). */
  commitBatch(batch: PreparedBatch): Promise<void>;
  /** Streams the raw event rows of committed batches after `afterBatchId` to `visit`, in no particular order. */
  scanState(visit: (row: StateRow) => void, afterBatchId?: number): Promise<number>;
  loadDictionary(): Promise<Array<{ dim: number; key: number; value: string }>>;
  loadMeta(): Promise<StoreMeta>;
  /** The position recorded with the last committed batch of `source`, if any. */
  sourcePosition(source: string): Promise<string | null>;

  /**
   * Folds the committed rollup rows of each month into one row per key, where the backend keeps
   * rows per batch (ClickHouse); the totals do not change. Rows folded before and after.
   */
  compactRollups(): Promise<{ partitions: number; rowsBefore: number; rowsAfter: number }>;

  /**
   * Writes into the backend's sums of a rollup table (ClickHouse's sums per currency of the hour
   * and day rows) the gap between them and that table's committed rows, over buckets in
   * [fromMinute, toMinute), on the writer: the cells mended, or null where it keeps no such sums.
   */
  summaryMend(table: RollupTable, fromMinute: number, toMinute: number): Promise<number | null>;

  /** A consistent copy of the store into a new file (embedded DuckDB only). */
  backupTo?(path: string): Promise<import('./analytics-store.ts').StoreSnapshot>;

  diskBytes(): Promise<number>;
  close(): Promise<void>;
}
