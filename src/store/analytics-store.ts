// The port between the engine and a columnar store. The embedded DuckDB adapter implements it
// today; a ClickHouse adapter can implement it later without touching the pipeline, metrics or
// planner. Everything crossing it is plain data: column arrays in, row objects out.

/** The six dimension keys every raw and rollup row carries. */
export interface DimensionKeyColumns {
  merchantKey: Int32Array;
  countryKey: Int32Array;
  cityKey: Int32Array;
  currencyKey: Int32Array;
  methodKey: Int32Array;
  providerKey: Int32Array;
}

/**
 * Raw events of one batch, column by column; the first `count` entries are valid. Numeric
 * columns are typed arrays (appended to the store without per-value conversion).
 */
export interface RawColumns extends DimensionKeyColumns {
  count: number;
  eventId: string[];
  type: Uint8Array;
  occurredAt: BigInt64Array;
  offsetMinutes: Int16Array;
  entityId: string[];
  txnId: Array<string | null>;
  status: Uint8Array;
  amountMinor: BigInt64Array;
  feeMinor: BigInt64Array;
  failureReason: Array<string | null>;
  customerId: Array<string | null>;
  reason: Array<string | null>;
  metadata: Array<string | null>;
}

/** Rollup delta rows for one table, with dimension keys resolved. */
export interface RollupColumns extends DimensionKeyColumns {
  minute: Int32Array;
  kind: Uint8Array;
  cnt: Int32Array;
  amountMinor: BigInt64Array;
  feeMinor: BigInt64Array;
}

export type { RollupTable } from '../query/plan-ranges.ts';
import type { RollupTable } from '../query/plan-ranges.ts';

export interface DeadLetter {
  id: number;
  receivedAt: number;
  source: string;
  batchIndex: number;
  code: string;
  message: string;
  eventId: string | null;
  payload: string;
  payloadTruncated: boolean;
}

/** Everything one batch writes, committed in a single transaction. */
export interface PreparedBatch {
  batchId: number;
  committedAt: number;
  source: string;
  /** The source's position after this batch (file offset, Kafka offsets…), if it has one. */
  position: string | null;
  raw: RawColumns;
  rollups: Record<RollupTable, RollupColumns>;
  dictionary: Array<{ dim: number; key: number; value: string }>;
  deadLetters: DeadLetter[];
  replayed: Array<{ id: number; result: string }>;
  accepted: number;
  duplicates: number;
  rejected: number;
  maxOccurredAt: number | null;
}

/** One raw event row: what rebuilding the in-memory indexes needs (its content, for the fingerprint). */
export interface StateRow {
  eventId: string;
  type: number;
  occurredAt: number;
  entityId: string;
  txnId: string | null;
  status: number;
  amountMinor: bigint;
  feeMinor: bigint;
  failureReason: string | null;
  customerId: string | null;
  reason: string | null;
  metadata: string | null;
  merchantKey: number;
  countryKey: number;
  cityKey: number;
  currencyKey: number;
  methodKey: number;
  providerKey: number;
}

export interface StoreMeta {
  /** Random id given to the store at creation. */
  storeId: string;
  lastBatchId: number;
  lastDeadLetterId: number;
  maxOccurredAt: number | null;
  lastCommittedAt: number | null;
  /** Raw events held (sizes the in-memory indexes before a rebuild). */
  rawEvents: number;
}

export type Row = Record<string, unknown>;

export interface AnalyticsStore {
  readonly dialect: 'duckdb' | 'clickhouse';
  commitBatch(batch: PreparedBatch): Promise<void>;
  /** Streams the raw event rows of batches after `afterBatchId` to `visit`, in no particular order. */
  scanState(visit: (row: StateRow) => void, afterBatchId?: number): Promise<number>;
  loadDictionary(): Promise<Array<{ dim: number; key: number; value: string }>>;
  loadMeta(): Promise<StoreMeta>;
  sourcePosition(source: string): Promise<string | null>;
  /** Runs a read-only query built by the planner or an ops function. */
  query(sql: string): Promise<Row[]>;
  /** The same, column by column (several times cheaper for large answers). */
  queryColumns(sql: string): Promise<{ names: string[]; columns: unknown[][]; rowCount: number }>;
  /** Runs a maintenance statement list in one transaction. */
  execute(statements: string[]): Promise<void>;
  diskBytes(): Promise<number>;
  close(): Promise<void>;
}
