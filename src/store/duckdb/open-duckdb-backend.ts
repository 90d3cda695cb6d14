// The embedded analytics store: one DuckDB file under DATA_DIR. A single writer connection
// commits each batch (raw rows, rollup deltas, dictionary, dead letters, position) in one
// transaction; a small pool of connections serves reads concurrently.

import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import {
  BIGINT, BOOLEAN, DOUBLE, DuckDBInstance, INTEGER, SMALLINT, UTINYINT, VARCHAR,
  type DuckDBConnection, type DuckDBType,
} from '@duckdb/node-api';
import { appendColumns, type Column } from './append-columns.ts';
import { customAppends } from './custom-appends.ts';
import { foldCustomTotalsSql } from './custom-totals.ts';
import { sqlString } from '../sql-literal.ts';
import { MIGRATIONS } from './migrations.ts';
import { backupDuckDb } from './backup-duckdb.ts';
import { CURRENCY_CODES, currencyExponent, currencyKey } from '../../reference/currencies.ts';
import type { AnalyticsStore, CustomBatch, PreparedBatch, RollupColumns, StateRow, StoreMeta } from '../analytics-store.ts';
import type { Append, Row, StoreBackend } from '../backend.ts';

export interface DuckDbOptions {
  dataDir: string;
  memoryLimit: string;
  threads: number;
  checkpointThreshold?: string;
  readers?: number;
}

const RAW_TYPES: DuckDBType[] = [
  VARCHAR, UTINYINT, BIGINT, SMALLINT, VARCHAR, VARCHAR, INTEGER, INTEGER, INTEGER, INTEGER,
  INTEGER, INTEGER, UTINYINT, BIGINT, BIGINT, VARCHAR, VARCHAR, VARCHAR, VARCHAR, INTEGER,
];
const TXN_TYPES: DuckDBType[] = [
  INTEGER, BIGINT, VARCHAR, BIGINT, UTINYINT, BIGINT, BIGINT, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, UTINYINT, INTEGER,
];
const ROLLUP_TYPES: DuckDBType[] = [INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, INTEGER, UTINYINT, INTEGER, BIGINT, BIGINT];
const APPEND_TYPES = { int32: INTEGER, int64: BIGINT, float64: DOUBLE, text: VARCHAR } as const;
const DEAD_LETTER_TYPES: DuckDBType[] = [BIGINT, BIGINT, VARCHAR, INTEGER, VARCHAR, VARCHAR, VARCHAR, VARCHAR, BOOLEAN, BIGINT, VARCHAR];

export async function openDuckDbBackend(opts: DuckDbOptions): Promise<StoreBackend> {
  mkdirSync(opts.dataDir, { recursive: true });
  const path = join(opts.dataDir, 'analytics.duckdb');
  const instance = await DuckDBInstance.create(path, {
    memory_limit: opts.memoryLimit,
    threads: String(opts.threads),
    checkpoint_threshold: opts.checkpointThreshold ?? '256MB',
  });
  const writer = await instance.connect();
  await migrate(writer);
  await syncCurrencies(writer);
  const readers: DuckDBConnection[] = [];
  for (let i = 0; i < (opts.readers ?? 2); i++) readers.push(await instance.connect());
  let nextReader = 0;
  let writing: Promise<unknown> = Promise.resolve();

  // Statements on the writer connection run one at a time, in call order.
  function onWriter<T>(fn: () => Promise<T>): Promise<T> {
    const run = writing.then(fn, fn);
    writing = run.catch(() => undefined);
    return run;
  }

  async function transaction(fn: () => Promise<void>): Promise<void> {
    await writer.run('BEGIN TRANSACTION');
    try {
      await fn();
      await writer.run('COMMIT');
    } catch (err) {
      await writer.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  async function commitBatch(b: PreparedBatch): Promise<void> {
    await onWriter(() =>
      transaction(async () => {
        const r = b.raw;
        const n = r.count;
        if (n > 0) {
          await append('raw_events', RAW_TYPES, [
            r.eventId, r.type, r.occurredAt, r.offsetMinutes, r.entityId, r.txnId, r.merchantKey,
            r.countryKey, r.cityKey, r.currencyKey, r.methodKey, r.providerKey, r.status, r.amountMinor,
            r.feeMinor, r.failureReason, r.customerId, r.reason, r.metadata,
            new Int32Array(n).fill(b.batchId),
          ], n);
        }
        const t = b.txns;
        if (t.count > 0) {
          await append('merchant_transactions', TXN_TYPES, [
            t.merchantKey, t.createdAt, t.txnId, t.updatedAt, t.status, t.amountMinor, t.feeMinor, t.currencyKey,
            t.countryKey, t.cityKey, t.methodKey, t.providerKey, t.removed, new Int32Array(t.count).fill(b.batchId),
          ], t.count);
        }
        for (const table of ['minute', 'hour', 'day'] as const) {
          const rows = b.rollups[table];
          if (rows.minute.length > 0) await append(`rollup_${table}`, ROLLUP_TYPES, rollupColumns(rows), rows.minute.length);
        }
        if (b.dictionary.length > 0) {
          const d = b.dictionary;
          await append('dim_values', [UTINYINT, INTEGER, VARCHAR], [d.map((x) => x.dim), d.map((x) => x.key), d.map((x) => x.value)], d.length);
        }
        if (b.deadLetters.length > 0) {
          const d = b.deadLetters;
          await append('dead_letters', DEAD_LETTER_TYPES, [
            d.map((x) => BigInt(x.id)), d.map((x) => BigInt(x.receivedAt)), d.map((x) => x.source),
            d.map((x) => x.batchIndex), d.map((x) => x.code), d.map((x) => x.message), d.map((x) => x.eventId),
            d.map((x) => x.payload), d.map((x) => x.payloadTruncated), d.map(() => null), d.map(() => null),
          ], d.length);
        }
        if (b.custom) await appendCustom(b.custom, b.batchId);
        for (const rp of b.replayed) {
          await writer.run('UPDATE dead_letters SET replayed_at = $1, replay_result = $2 WHERE id = $3', [
            BigInt(b.committedAt), rp.result, BigInt(rp.id),
          ]);
        }
        await writer.run(
          'INSERT INTO ingest_batches VALUES ($1, $2, $3, $4, $5, $6, $7)',
          [b.batchId, BigInt(b.committedAt), b.source, b.accepted, b.duplicates, b.rejected,
            b.maxOccurredAt === null ? null : BigInt(b.maxOccurredAt)],
        );
        for (const p of b.positions) {
          await writer.run('INSERT OR REPLACE INTO source_positions VALUES ($1, $2, $3)', [p.source, p.position, BigInt(b.committedAt)]);
        }
      }),
    );
  }

  async function append(table: string, types: DuckDBType[], cols: Column[], n: number): Promise<void> {
    const appender = await writer.createAppender(table);
    try {
      appendColumns(appender, types, cols, n);
      appender.flushSync();
    } finally {
      appender.closeSync();
    }
  }

  /** A batch's custom events and their rollup rows (PreparedBatch.custom). */
  async function appendCustom(c: CustomBatch, batchId: number): Promise<void> {
    for (const [table, rows] of customAppends(c, batchId)) {
      if (rows.count > 0) await append(table, rows.types, rows.columns, rows.count);
    }
    if (c.keys.length > 0) for (const sql of foldCustomTotalsSql(batchId)) await writer.run(sql);
  }

  async function appendRows(a: Append): Promise<void> {
    const n = a.columns[0]?.values.length ?? 0;
    if (n === 0) return;
    await append(a.table, a.columns.map((c) => APPEND_TYPES[c.type]), a.columns.map((c) => c.values), n);
  }

  async function scanState(visit: (row: StateRow) => void, afterBatchId = 0): Promise<number> {
    // TRICKY: a streaming result dies quietly when its connection runs another statement, so the
    // scan gets a connection of its own, and its row count is checked against count(*).
    const conn = await instance.connect();
    try {
      await conn.run('BEGIN TRANSACTION'); // one snapshot for the count and the scan
      const expected = Number((await (await conn.runAndReadAll(
        `SELECT count(*) AS n FROM raw_events WHERE batch_id > ${Math.trunc(afterBatchId)}`)).getRowObjects())[0].n);
      const seen = await streamState(conn, visit, afterBatchId);
      if (seen !== expected) throw new Error(`state scan read ${seen} of ${expected} raw rows`);
      await conn.run('COMMIT');
      return seen;
    } finally {
      conn.closeSync();
    }
  }

  async function streamState(conn: DuckDBConnection, visit: (row: StateRow) => void, afterBatchId: number): Promise<number> {
    const result = await conn.stream(
      `SELECT event_id, type, occurred_at, entity_id, status, amount_minor, fee_minor, txn_id,
              merchant_key, country_key, city_key, currency_key, method_key, provider_key,
              failure_reason, customer_id, reason, metadata
       FROM raw_events WHERE batch_id > ${Math.trunc(afterBatchId)}`,
    );
    let count = 0;
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const cols = chunk.getColumns();
      for (let i = 0; i < chunk.rowCount; i++) {
        visit({
          eventId: cols[0][i] as string,
          type: cols[1][i] as number,
          occurredAt: Number(cols[2][i] as bigint),
          entityId: cols[3][i] as string,
          status: cols[4][i] as number,
          amountMinor: cols[5][i] as bigint,
          feeMinor: cols[6][i] as bigint,
          txnId: cols[7][i] as string | null,
          merchantKey: cols[8][i] as number,
          countryKey: cols[9][i] as number,
          cityKey: cols[10][i] as number,
          currencyKey: cols[11][i] as number,
          methodKey: cols[12][i] as number,
          providerKey: cols[13][i] as number,
          failureReason: cols[14][i] as string | null,
          customerId: cols[15][i] as string | null,
          reason: cols[16][i] as string | null,
          metadata: cols[17][i] as string | null,
        });
        count++;
      }
    }
    return count;
  }

  async function select(sql: string): Promise<Row[]> {
    const conn = readers[nextReader++ % readers.length];
    const reader = await conn.runAndReadAll(sql);
    return reader.getRowObjects() as Row[];
  }

  async function selectColumns(sql: string) {
    const conn = readers[nextReader++ % readers.length];
    const reader = await conn.runAndReadAll(sql);
    return { names: reader.columnNames(), columns: reader.getColumns() as unknown[][], rowCount: reader.currentRowCount };
  }

  async function loadMeta(): Promise<StoreMeta> {
    const [row] = await select(`SELECT
      (SELECT store_id FROM store_identity LIMIT 1) AS s,
      (SELECT coalesce(max(batch_id), 0) FROM ingest_batches) AS b,
      (SELECT coalesce(max(id), 0) FROM dead_letters) AS d,
      (SELECT max(max_occurred_at) FROM ingest_batches) AS m,
      (SELECT max(committed_at) FROM ingest_batches) AS c,
      (SELECT count(*) FROM raw_events) AS n`);
    return {
      storeId: String(row.s),
      lastBatchId: Number(row.b),
      lastDeadLetterId: Number(row.d),
      maxOccurredAt: row.m === null ? null : Number(row.m),
      lastCommittedAt: row.c === null ? null : Number(row.c),
      rawEvents: Number(row.n),
    };
  }

  return {
    kind: 'duckdb',
    latestSchemaVersion: Math.max(...MIGRATIONS.map((m) => m.version)),
    commitBatch,
    scanState,
    select,
    selectColumns,
    loadMeta,
    async loadDictionary() {
      const rows = await select('SELECT dim, key, value FROM dim_values');
      return rows.map((r) => ({ dim: Number(r.dim), key: Number(r.key), value: String(r.value) }));
    },
    async sourcePosition(source) {
      const rows = await select(`SELECT position FROM source_positions WHERE source = ${sqlString(source, 'duckdb')}`);
      return rows.length ? String(rows[0].position) : null;
    },
    async exec(statements) {
      await onWriter(() => transaction(async () => {
        for (const s of statements) await writer.run(s);
      }));
    },
    async write(steps) {
      await onWriter(() => transaction(async () => {
        for (const step of steps) {
          if (typeof step === 'string') await writer.run(step);
          else await appendRows(step);
        }
      }));
    },
    // Not yet on DuckDB: its rollup tables also hold rows per batch, summed at read time.
    async compactRollups() {
      return { partitions: 0, rowsBefore: 0, rowsAfter: 0 };
    },
    // DuckDB keeps no sums derived from the rollups.
    async summaryMend() {
      return null;
    },
    backupTo: (target) => backupDuckDb(instance, target),
    async diskBytes() {
      let total = 0;
      for (const f of [path, path + '.wal']) {
        try { total += statSync(f).size; } catch { /* absent */ }
      }
      return total;
    },
    async close() {
      await writing;
      await writer.run('CHECKPOINT').catch(() => undefined);
      for (const c of [writer, ...readers]) c.closeSync();
      instance.closeSync();
    },
  };
}

function rollupColumns(r: RollupColumns): Column[] {
  return [r.minute, r.merchantKey, r.countryKey, r.cityKey, r.currencyKey, r.methodKey, r.providerKey, r.kind, r.cnt, r.amountMinor, r.feeMinor];
}


async function migrate(conn: DuckDBConnection): Promise<void> {
  await conn.run('CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name VARCHAR, applied_at BIGINT)');
  const done = new Set(
    (await (await conn.runAndReadAll('SELECT version FROM schema_migrations')).getRowObjectsJS()).map((r) => Number(r.version)),
  );
  for (const m of MIGRATIONS) {
    if (done.has(m.version)) continue;
    await conn.run('BEGIN TRANSACTION');
    try {
      await conn.run(m.sql);
      await conn.run('INSERT INTO schema_migrations VALUES ($1, $2, $3)', [m.version, m.name, BigInt(Date.now())]);
      await conn.run('COMMIT');
    } catch (err) {
      await conn.run('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }
}

/** The currencies table mirrors the compiled ISO 4217 list (keys and exponents). */
async function syncCurrencies(conn: DuckDBConnection): Promise<void> {
  const values = CURRENCY_CODES.map((code) => `(${currencyKey(code)}, '${code}', ${currencyExponent(code) ?? 2})`).join(',');
  await conn.run(`BEGIN TRANSACTION; DELETE FROM currencies; INSERT INTO currencies VALUES ${values}; COMMIT;`);
}
