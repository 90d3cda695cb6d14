// The ClickHouse analytics store backend: a database on a ClickHouse server (18.16 and later),
// opened by configuration instead of the embedded DuckDB file. Batches are committed by the
// protocol of commit-batch.ts (marker last) and recover.ts (leftovers removed before the next
// batch); every read of batch rows applies COMMITTED (committed.ts). Writes (commits, exec)
// run one at a time, in call order.

import type { Logger } from 'pino';
import type { Append, ColumnAnswer, Row, StoreBackend } from '../backend.ts';
import type { PreparedBatch, StoreMeta } from '../analytics-store.ts';
import { connect } from './connection.ts';
import { MIGRATIONS, WRITER_LEASE_MIGRATION, migrate, syncCurrencies } from './migrations.ts';
import { writeBatch, type CommitFaults } from './commit-batch.ts';
import { isTransientFailure, retryDelay, type CommitRetryOptions } from './commit-retry.ts';
import { removeUncommitted, waitForMutations, type RecoveryOptions } from './recover.ts';
import { scanState } from './scan-state.ts';
import { takeWriterLease, type WriterLease } from './writer-lease.ts';
import { compactRollups } from './compact-rollups.ts';
import { mendByCurrency } from './mend-by-currency.ts';
import { byCurrencyOf } from './by-currency.ts';
import { autoCompaction, type AutoCompactOptions } from './auto-compact.ts';
import { COMMITTED, LAST_COMMITTED_BATCH } from './committed.ts';
import { chString } from './clickhouse-literal.ts';
import { rowsOf, tsvString } from './tsv.ts';
import { newQueryId } from './connection.ts';
import { AppError } from '../../errors.ts';

export interface ClickHouseBackendOptions {
  /** The server's HTTP interface, e.g. `http://127.0.0.1:8123`. */
  url: string;
  /** Created when missing. */
  database: string;
  user?: string;
  password?: string;
  log?: Logger;
  faults?: CommitFaults;
  recovery?: RecoveryOptions;
  /** How often, and after what waits, a commit failing on a transient error is tried again. */
  commitRetry?: CommitRetryOptions;
  /** How long an unrenewed writer lease holds (tests shorten it). */
  leaseMs?: number;
  /**
   * Opens for reading only (a cluster's api and evaluator replicas): no migration, no writer
   * lease, no recovery; every write is refused. Readers see committed batches only, whoever writes.
   */
  reader?: boolean;
  /** When the months that batches wrote rollup rows to are folded while ingesting (auto-compact.ts). */
  compaction?: AutoCompactOptions;
}

/** A write on a reading process: 503 `read_only_replica`, nothing written. */
export class ReadOnlyStoreError extends AppError {
  constructor(database: string) {
    super('read_only_replica', `the ClickHouse database ${database} is open for reading only in this process (ROLE=api or evaluator); writes go to the consumer role`);
  }
}

const num = (v: unknown) => (v === null ? null : Number(v));

export async function openClickHouseBackend(opts: ClickHouseBackendOptions): Promise<StoreBackend> {
  const ch = await connect(opts);
  let writing: Promise<unknown> = Promise.resolve();
  // Rows of a failed commit may still be in the tables: removed before the next write.
  let dirty = true;

  function onWriter<T>(fn: () => Promise<T>): Promise<T> {
    if (opts.reader) {
      return Promise.reject(new ReadOnlyStoreError(opts.database));
    }
    const run = writing.then(fn, fn);
    writing = run.catch(() => undefined);
    return run;
  }

  /** Removes the rows of uncommitted batches; the last committed batch id. */
  async function recover(): Promise<number> {
    const report = await removeUncommitted(ch, opts.recovery);
    dirty = false;
    if (Object.keys(report.removed).length > 0) opts.log?.warn(report, 'removed the rows of an uncommitted batch');
    return report.lastBatchId;
  }

  /**
   * One batch, all or nothing. A transient failure (commit-retry.ts) is not reported: what the
   * attempt wrote is removed and the whole batch written again, after a wait, as long as
   * attempts are left. Exact, whatever the attempt had written: recovery leaves nothing above
   * the last commit, and a batch whose marker landed (its answer lost) is committed as it is.
   */
  async function commitWithRetries(batch: PreparedBatch): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await writeBatch(ch, batch, opts.faults);
        return;
      } catch (err) {
        dirty = true;
        const delay = isTransientFailure(err) ? retryDelay(attempt, opts.commitRetry) : undefined;
        // Logged before the recovery, which can take long (it waits for the attempt's writes
        // and its deletes). A failure that is reported is logged by the engine.
        if (delay !== undefined) {
          opts.log?.warn({ err, batchId: batch.batchId, attempt, retryInMs: delay },
            'batch commit failed on a transient error; removing its rows, then retrying');
        }
        let last: number;
        try {
          // Clean up now, while the engine rebuilds its state (or before the next attempt); if
          // this fails too, the next commit tries again before writing anything.
          last = await recover();
        } catch (e) {
          opts.log?.error({ err: e }, 'recovery after a failed commit failed; retried before the next commit');
          throw err;
        }
        if (delay === undefined) throw err;
        if (last >= batch.batchId) {
          opts.log?.warn({ batchId: batch.batchId, attempt }, 'the failed commit\'s marker had landed: the batch is committed');
          return;
        }
        await new Promise((r) => setTimeout(r, delay));
      }
    }
  }

  let lease: WriterLease | undefined;
  try {
    if (!opts.reader) {
      await migrate(ch, WRITER_LEASE_MIGRATION);
      // Before the later migrations (one rebuilds tables) and before recovery (it deletes what
      // another writer may be committing).
      lease = await takeWriterLease(ch, { leaseMs: opts.leaseMs });
      await migrate(ch);
      await syncCurrencies(ch);
      await recover();
    }
  } catch (err) {
    await lease?.release().catch(() => undefined);
    await ch.close();
    throw err;
  }

  const compaction = autoCompaction(opts.compaction ?? {}, (months) => onWriter(async () => {
    if (dirty) await recover();
    return compactRollups(ch, months);
  }), opts.log);

  async function select(sql: string): Promise<Row[]> {
    return rowsOf(await ch.select(sql));
  }

  /** An append as one TabSeparated insert: one block, one part per partition it touches. */
  async function append(a: Append): Promise<void> {
    const n = a.columns[0]?.values.length ?? 0;
    if (n === 0) return;
    const lines = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      lines[i] = a.columns.map((c) => {
        const v = c.values[i];
        if (c.type === 'text') return tsvString(v as string);
        if (c.type === 'float64') return Number.isFinite(v) ? String(v) : (() => { throw new TypeError(`not finite: ${String(v)}`); })();
        return String(v);
      }).join('\t');
    }
    await ch.insertTsv(a.table, a.columns.map((c) => c.name), lines.join('\n') + '\n', newQueryId('molam-write'));
  }

  /** Steps in order, through the writer; the tables an `ALTER TABLE t DELETE` (a mutation) was issued on. */
  async function run(steps: Array<string | Append>): Promise<string[]> {
    const mutated = new Set<string>();
    for (const step of steps) {
      if (typeof step !== 'string') {
        await append(step);
        continue;
      }
      await ch.command(step);
      const m = /^\s*ALTER\s+TABLE\s+(\w+)\s+DELETE\b/i.exec(step);
      if (m) mutated.add(m[1]);
    }
    return [...mutated];
  }

  /**
   * Mutations are asynchronous in ClickHouse: a list returns once those it issued are done, so
   * what a caller deleted is gone when it goes on. The wait holds the writer, as DuckDB's
   * transaction does: retention decides which raw events expire from the raw events present,
   * and a commit landing while its mutation runs could add a late event to a transaction the
   * mutation is deleting. (A retention run holds ingest for as long as its deletes take.)
   */
  async function runAndWait(steps: Array<string | Append>): Promise<void> {
    await onWriter(async () => waitForMutations(ch, await run(steps), opts.recovery?.timeoutMs));
  }

  return {
    kind: 'clickhouse',
    latestSchemaVersion: Math.max(...MIGRATIONS.map((m) => m.version)),
    select,
    async selectColumns(sql, opts): Promise<ColumnAnswer> {
      // Native unless a WITH TOTALS row is wanted, which 18.16 leaves out of Native answers.
      const { names, columns, rowCount, totals } = opts?.totals ? await ch.select(sql, true) : await ch.selectNative(sql);
      return { names, columns, rowCount, ...(totals ? { totals } : {}) };
    },
    exec: (statements) => runAndWait(statements),
    write: (steps) => runAndWait(steps),
    commitBatch(batch: PreparedBatch) {
      return onWriter(async () => {
        if (dirty) await recover();
        await commitWithRetries(batch);
        compaction.committed(batch);
      });
    },
    scanState: (visit, afterBatchId) => scanState(ch, visit, afterBatchId),
    async loadDictionary() {
      const rows = await select(`SELECT dim, key, value FROM dim_values WHERE ${COMMITTED}`);
      return rows.map((r) => ({ dim: Number(r.dim), key: Number(r.key), value: String(r.value) }));
    },
    async loadMeta(): Promise<StoreMeta> {
      const [row] = await select(`SELECT
        (SELECT any(store_id) FROM store_identity) AS s,
        ${LAST_COMMITTED_BATCH} AS b,
        (SELECT max(id) FROM dead_letters WHERE ${COMMITTED}) AS d,
        (SELECT max(max_occurred_at) FROM ingest_batches) AS m,
        (SELECT max(toNullable(committed_at)) FROM ingest_batches) AS c,
        (SELECT count() FROM raw_events WHERE ${COMMITTED}) AS n`);
      return {
        storeId: String(row.s),
        lastBatchId: Number(row.b),
        lastDeadLetterId: Number(row.d),
        maxOccurredAt: num(row.m),
        lastCommittedAt: num(row.c),
        rawEvents: Number(row.n),
      };
    },
    async sourcePosition(source) {
      const rows = await select(`SELECT position FROM source_positions
        WHERE source = ${chString(source)} AND batch_id <= ${LAST_COMMITTED_BATCH} ORDER BY batch_id DESC LIMIT 1`);
      return rows.length ? String(rows[0].position) : null;
    },
    compactRollups() {
      return onWriter(async () => {
        if (dirty) await recover();
        return compactRollups(ch);
      });
    },
    summaryMend(table, fromMinute, toMinute) {
      const summary = byCurrencyOf(table);
      if (!summary) return Promise.resolve(null);
      return onWriter(async () => {
        if (dirty) await recover();
        return mendByCurrency(ch, summary, fromMinute, toMinute);
      });
    },
    async diskBytes() {
      const rows = await select(`SELECT sum(bytes_on_disk) AS n FROM system.parts WHERE database = ${chString(ch.database)} AND active`);
      return Number(rows[0].n);
    },
    async close() {
      await writing;
      await lease?.release();
      await ch.close();
    },
  };
}

