// The commit protocol, writing side. ClickHouse has no transaction across tables (nor across the
// partitions of one insert), so a batch is written as one insert per table, each row tagged with
// the batch id, and the `ingest_batches` row LAST: that row is the commit marker.
// A failure or a kill between any two writes leaves rows of a batch without a marker; readers
// ignore them (committed.ts) and recover.ts removes them before the next batch, which reuses
// the id.

import type { PreparedBatch, RollupColumns } from '../analytics-store.ts';
import type { ChConnection } from './connection.ts';
import { newQueryId } from './connection.ts';
import { tsvNullable, tsvString } from './tsv.ts';

/** The writes of one batch; the last one commits it, after all the others went through. */
export const COMMIT_STEPS = [
  'raw_events', 'rollup_minute', 'rollup_hour', 'rollup_day', 'dim_values', 'dead_letters', 'dead_letter_replays',
  'source_positions', 'ingest_batches',
] as const;
export type CommitStep = (typeof COMMIT_STEPS)[number];

/** The tables that hold rows of uncommitted batches after a failure: all but the marker's. */
export const BATCH_TABLES = COMMIT_STEPS.filter((s) => s !== 'ingest_batches');

/** Fault injection for tests; a throw fails the commit there. */
export interface CommitFaults {
  /** Called before each write is sent: a throw is a write the server refused (nothing of it written). */
  beforeWrite?(step: CommitStep): void;
  /** Called after each write that went through: a throw is a write whose answer was lost. */
  afterWrite?(step: CommitStep): void;
}

/** The query id prefix of every commit write to `database` (recovery waits for those still running). */
export function commitQueryPrefix(database: string): string {
  return `molam-commit-${database}-`;
}

const RAW_COLUMNS = [
  'event_id', 'type', 'occurred_at', 'offset_minutes', 'entity_id', 'txn_id', 'merchant_key', 'country_key',
  'city_key', 'currency_key', 'method_key', 'provider_key', 'status', 'amount_minor', 'fee_minor',
  'failure_reason', 'customer_id', 'reason', 'metadata', 'batch_id',
];
const ROLLUP_COLUMNS = [
  'minute', 'merchant_key', 'country_key', 'city_key', 'currency_key', 'method_key', 'provider_key', 'kind',
  'cnt', 'amount_minor', 'fee_minor', 'batch_id',
];

interface Write {
  step: CommitStep;
  columns: readonly string[];
  lines: string[];
}

function rawLines(b: PreparedBatch): string[] {
  const r = b.raw;
  const lines = new Array<string>(r.count);
  for (let i = 0; i < r.count; i++) {
    lines[i] = `${tsvString(r.eventId[i])}\t${r.type[i]}\t${r.occurredAt[i]}\t${r.offsetMinutes[i]}\t${tsvString(r.entityId[i])}\t`
      + `${tsvNullable(r.txnId[i])}\t${r.merchantKey[i]}\t${r.countryKey[i]}\t${r.cityKey[i]}\t${r.currencyKey[i]}\t`
      + `${r.methodKey[i]}\t${r.providerKey[i]}\t${r.status[i]}\t${r.amountMinor[i]}\t${r.feeMinor[i]}\t`
      + `${tsvNullable(r.failureReason[i])}\t${tsvNullable(r.customerId[i])}\t${tsvNullable(r.reason[i])}\t`
      + `${tsvNullable(r.metadata[i])}\t${b.batchId}`;
  }
  return lines;
}

function rollupLines(r: RollupColumns, batchId: number): string[] {
  const lines = new Array<string>(r.minute.length);
  for (let i = 0; i < r.minute.length; i++) {
    lines[i] = `${r.minute[i]}\t${r.merchantKey[i]}\t${r.countryKey[i]}\t${r.cityKey[i]}\t${r.currencyKey[i]}\t`
      + `${r.methodKey[i]}\t${r.providerKey[i]}\t${r.kind[i]}\t${r.cnt[i]}\t${r.amountMinor[i]}\t${r.feeMinor[i]}\t${batchId}`;
  }
  return lines;
}

/** Every write of the batch, in commit order (empty ones included, and skipped when written). */
function writesOf(b: PreparedBatch): Write[] {
  const id = b.batchId;
  const int = (n: number | null) => (n === null ? '\\N' : String(Math.trunc(n)));
  return [
    { step: 'raw_events', columns: RAW_COLUMNS, lines: rawLines(b) },
    { step: 'rollup_minute', columns: ROLLUP_COLUMNS, lines: rollupLines(b.rollups.minute, id) },
    { step: 'rollup_hour', columns: ROLLUP_COLUMNS, lines: rollupLines(b.rollups.hour, id) },
    { step: 'rollup_day', columns: ROLLUP_COLUMNS, lines: rollupLines(b.rollups.day, id) },
    {
      step: 'dim_values', columns: ['dim', 'key', 'value', 'batch_id'],
      lines: b.dictionary.map((d) => `${d.dim}\t${d.key}\t${tsvString(d.value)}\t${id}`),
    },
    {
      step: 'dead_letters',
      columns: ['id', 'received_at', 'source', 'batch_index', 'code', 'message', 'event_id', 'payload', 'payload_truncated', 'batch_id'],
      lines: b.deadLetters.map((d) => `${d.id}\t${int(d.receivedAt)}\t${tsvString(d.source)}\t${d.batchIndex}\t${tsvString(d.code)}\t`
        + `${tsvString(d.message)}\t${tsvNullable(d.eventId)}\t${tsvString(d.payload)}\t${d.payloadTruncated ? 1 : 0}\t${id}`),
    },
    {
      step: 'dead_letter_replays', columns: ['id', 'replayed_at', 'replay_result', 'batch_id'],
      lines: b.replayed.map((r) => `${r.id}\t${int(b.committedAt)}\t${tsvString(r.result)}\t${id}`),
    },
    {
      step: 'source_positions', columns: ['source', 'position', 'batch_id'],
      lines: b.positions.map((p) => `${tsvString(p.source)}\t${tsvString(p.position)}\t${id}`),
    },
    {
      step: 'ingest_batches',
      columns: ['batch_id', 'committed_at', 'source', 'accepted', 'duplicates', 'rejected', 'max_occurred_at', 'position'],
      lines: [`${id}\t${int(b.committedAt)}\t${tsvString(b.source)}\t${b.accepted}\t${b.duplicates}\t${b.rejected}\t`
        + `${int(b.maxOccurredAt)}\t\\N`], // positions: the source_positions rows (migration 3)
    },
  ];
}

/**
 * Writes the batch: the data inserts side by side (they are independent, and a commit then
 * takes one round trip of the slowest instead of the sum), then, once all went through, the
 * marker. Any failure leaves only rows that recover.ts removes; it is reported once every
 * insert has settled, so none is still running when recovery starts.
 */
export async function writeBatch(ch: ChConnection, b: PreparedBatch, faults?: CommitFaults): Promise<void> {
  const prefix = commitQueryPrefix(ch.database);
  const write = async (w: Write) => {
    faults?.beforeWrite?.(w.step);
    await ch.insertTsv(w.step, w.columns, w.lines.join('\n') + '\n', newQueryId(`${prefix}${b.batchId}-${w.step}`));
    faults?.afterWrite?.(w.step);
  };
  const writes = writesOf(b).filter((w) => w.lines.length > 0);
  const marker = writes.pop()!;
  const settled = await Promise.allSettled(writes.map(write));
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
  await write(marker);
}
