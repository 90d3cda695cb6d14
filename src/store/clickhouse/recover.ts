// The commit protocol, recovery side: removes every row of a batch that has no commit marker,
// so that the next batch, which reuses its id, starts from a clean slate. Run at open (a
// crash, a kill) and after a failed commit, before anything else is written.
//
// Why this is sound with a single writer:
// 1. No write of an earlier attempt may land after the cleanup: a commit write whose client gave
//    up (a timeout, a killed process) can still be running on the server. Recovery first waits
//    until system.processes shows no query carrying this database's commit prefix.
// 2. `ALTER TABLE t DELETE WHERE batch_id > N` is a mutation: it applies to every part that
//    exists when it is issued (a partial multi-partition insert included) and never to a part
//    inserted after it. Recovery waits until it is done (system.mutations), so no row above N
//    is left when the next batch writes its own rows with id N + 1.
// 3. Readers meanwhile see nothing of those rows: they count batch_id <= N only (committed.ts).
//
// Cost: on 18.16 a mutation reads the predicate's column of every part and rewrites only the
// parts holding a matching row; the others are hard-linked under a new name
// (docs/clickhouse.md, "The ClickHouse backend"). Tables without leftovers are not touched.

import type { ChConnection } from './connection.ts';
import { BATCH_TABLES, commitQueryPrefix } from './commit-batch.ts';
import { chString } from './clickhouse-literal.ts';

export interface RecoveryReport {
  lastBatchId: number;
  /** Rows removed per table (only tables that held any). */
  removed: Record<string, number>;
  ms: number;
}

export interface RecoveryOptions {
  /** How long to wait for running commit writes and for the mutations (default 10 min). */
  timeoutMs?: number;
  pollMs?: number;
}

async function waitUntil(what: string, done: () => Promise<boolean>, deadline: number, pollMs: number): Promise<void> {
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`ClickHouse recovery: gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

async function count(ch: ChConnection, sql: string): Promise<number> {
  return Number((await ch.select(sql)).columns[0][0]);
}

/** Rows above the last committed batch, per batch table. */
async function leftovers(ch: ChConnection, last: number): Promise<Record<string, number>> {
  const parts = BATCH_TABLES.map((t) => `(SELECT count() FROM ${t} WHERE batch_id > ${last}) AS ${t}`);
  const answer = await ch.select(`SELECT ${parts.join(', ')}`);
  const out: Record<string, number> = {};
  answer.names.forEach((name, i) => { if (Number(answer.columns[i][0]) > 0) out[name] = Number(answer.columns[i][0]); });
  return out;
}

/** Waits until no mutation is pending on these tables (18.16 does not say which mutation an ALTER created). */
export async function waitForMutations(ch: ChConnection, tables: readonly string[], timeoutMs = 600_000, pollMs = 50): Promise<void> {
  if (tables.length === 0) return;
  const pending = `SELECT count() FROM system.mutations
    WHERE database = ${chString(ch.database)} AND table IN (${tables.map(chString).join(', ')}) AND is_done = 0`;
  await waitUntil('mutations', async () => (await count(ch, pending)) === 0, Date.now() + timeoutMs, pollMs);
}

/**
 * Waits until the server runs no write carrying this database's commit prefix: one whose client
 * gave up (a timeout, a killed process) may still be running, and land later.
 */
export async function waitForCommitWrites(ch: ChConnection, timeoutMs = 600_000, pollMs = 50): Promise<void> {
  await waitUntil('commit writes still running', async () =>
    (await count(ch, `SELECT count() FROM system.processes WHERE startsWith(query_id, ${chString(commitQueryPrefix(ch.database))})`)) === 0,
  Date.now() + timeoutMs, pollMs);
}

export async function removeUncommitted(ch: ChConnection, opts: RecoveryOptions = {}): Promise<RecoveryReport> {
  const t0 = Date.now();
  const deadline = t0 + (opts.timeoutMs ?? 600_000);
  const pollMs = opts.pollMs ?? 50;
  const db = chString(ch.database);

  await waitForCommitWrites(ch, deadline - Date.now(), pollMs);

  const last = await count(ch, 'SELECT max(batch_id) FROM ingest_batches');
  const removed = await leftovers(ch, last);
  const touched = Object.keys(removed);
  if (touched.length > 0) {
    const pendingMutations = `SELECT count() FROM system.mutations
      WHERE database = ${db} AND table IN (${touched.map(chString).join(', ')}) AND is_done = 0`;
    for (const t of touched) await ch.command(`ALTER TABLE ${t} DELETE WHERE batch_id > ${last}`);
    // 18.16 does not say which mutation an ALTER created; a table's mutations complete in
    // order, so once none is pending on these tables, ours are done (and a cleanup cut short
    // earlier, whose mutation is still running, is simply issued again).
    await waitUntil('the cleanup mutations', async () => (await count(ch, pendingMutations)) === 0, deadline, pollMs);
    const left = await leftovers(ch, last);
    if (Object.keys(left).length > 0) throw new Error(`ClickHouse recovery: rows above batch ${last} remain: ${JSON.stringify(left)}`);
  }
  return { lastBatchId: last, removed, ms: Date.now() - t0 };
}
