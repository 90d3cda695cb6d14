// Background exports (state table merchant_exports, migration 9): an export over
// EXPORT_SYNC_MAX_ROWS rows is a job — queued, run in this process (EXPORT_CONCURRENCY at a time),
// its bytes streamed into the file store (src/files) under exports/<id>, then `ready` with a
// signed download link, or `failed`. A running job writes a heartbeat; a job whose process died or
// stalled (no heartbeat for STALE_MS) reads as failed (`interrupted`) at once, and is marked so by
// the next sweep (markStalledExports, run by the retention part); once marked, its runner, if it
// comes back, neither beats nor finishes it (its file is removed). Another merchant's job is missing,
// byte for byte like an unknown id. EXPORT_RETENTION_HOURS after it is ready its file is deleted
// and it is `expired` (export-retention.ts). Each download by signed link is audited.

import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { AppError } from '../../errors.ts';
import type { FileStore } from '../../files/file-store.ts';
import type { Queryable, SqlParam, StateStore } from '../../state-store/state-store.ts';
import { writeAudit } from '../merchant-audit.ts';
import type { RequestOrigin } from '../merchant-scope.ts';
import { getMerchantSettings } from '../merchant-settings.ts';
import { counted, exportChunks, FORMAT_TYPES } from './export-body.ts';
import type { ExportDeps, ExportFormat, ExportLang } from './export-kind.ts';
import { EXPORT_KINDS } from './registry.ts';
import type { UrlSigner } from './signed-url.ts';

export const STALE_MS = 10 * 60_000;
const HEARTBEAT_MS = 15_000;
/** Queued or running exports one merchant may have at once. */
export const MAX_ACTIVE_PER_MERCHANT = 3;

export interface ExportJobSpec {
  kind: string;
  format: ExportFormat;
  lang: ExportLang;
  from: number;
  to: number;
}

export interface ExportJobView {
  id: string;
  kind: string;
  format: ExportFormat;
  lang: ExportLang;
  from: string;
  to: string;
  status: 'queued' | 'running' | 'ready' | 'failed' | 'expired';
  rows: number | null;
  bytes: number | null;
  error: string | null;
  requested_by: string;
  requested_at: string;
  finished_at: string | null;
  /** ready only: a signed link, valid until download_expires_at. */
  download_url: string | null;
  download_expires_at: string | null;
}

interface JobRow {
  id: string; merchant_id: string; kind: string; format: ExportFormat; lang: ExportLang; range_from: Date; range_to: Date;
  status: ExportJobView['status']; rows: number | string | null; bytes: number | string | null; file_key: string | null; error: string | null;
  requested_by: string; requested_at: Date; updated_at: Date; finished_at: Date | null;
}

const JOB_COLUMNS = 'id, merchant_id, kind, format, lang, range_from, range_to, status, rows, bytes, file_key, error, requested_by, requested_at, updated_at, finished_at';

const isStale = (r: JobRow, now: number) => (r.status === 'queued' || r.status === 'running') && now - r.updated_at.getTime() > STALE_MS;

/** The advisory lock (with the merchant's hash) serialising one merchant's export requests. */
const EXPORT_CAP_LOCK = 7231014;

/**
 * Inserts a queued job (refused past MAX_ACTIVE_PER_MERCHANT active ones); its id. `q` is a
 * transaction: the merchant's lock, held until it ends, makes the count and the insert one step,
 * so concurrent requests (on any replica) never pass the cap together.
 */
export async function insertExportJob(q: Queryable, merchantId: string, actor: string, spec: ExportJobSpec, now: number): Promise<string> {
  await q.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [EXPORT_CAP_LOCK, merchantId]);
  const [{ active }] = await q.query<{ active: number | string }>(
    `SELECT count(*) AS active FROM merchant_exports WHERE merchant_id = $1 AND status IN ('queued', 'running') AND updated_at > $2`,
    [merchantId, new Date(now - STALE_MS)]);
  if (Number(active) >= MAX_ACTIVE_PER_MERCHANT) {
    throw new AppError('too_many_exports', `at most ${MAX_ACTIVE_PER_MERCHANT} exports of a merchant run at once; wait for one to finish`);
  }
  const id = `ex_${randomUUID().replace(/-/g, '')}`;
  await q.query(
    `INSERT INTO merchant_exports (id, merchant_id, kind, format, lang, range_from, range_to, status, requested_by, requested_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, $9, $9)`,
    [id, merchantId, spec.kind, spec.format, spec.lang, new Date(spec.from), new Date(spec.to), actor, new Date(now)]);
  return id;
}

/**
 * Marks failed (`interrupted`) every queued or running job with no heartbeat for STALE_MS — its
 * process died, or its worker stalled — as reads already show it; returns their ids. Safe to run
 * twice or from two processes at once.
 */
export async function markStalledExports(q: Queryable, now: number): Promise<string[]> {
  const rows = await q.query<{ id: string }>(
    `UPDATE merchant_exports SET status = 'failed', error = 'interrupted', finished_at = $1, updated_at = $1
      WHERE status IN ('queued', 'running') AND updated_at < $2 RETURNING id`,
    [new Date(now), new Date(now - STALE_MS)]);
  return rows.map((r) => r.id);
}

export async function getExportJob(state: Queryable, signer: UrlSigner, merchantId: string, id: string, now: number): Promise<ExportJobView> {
  const [row] = await state.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM merchant_exports WHERE id = $1 AND merchant_id = $2`, [id, merchantId]);
  if (!row) throw new AppError('not_found', 'no such export');
  const stale = isStale(row, now);
  const link = row.status === 'ready' ? signer.sign(row.id) : null;
  return {
    id: row.id, kind: row.kind, format: row.format, lang: row.lang, from: row.range_from.toISOString(), to: row.range_to.toISOString(),
    status: stale ? 'failed' : row.status, rows: row.rows === null ? null : Number(row.rows), bytes: row.bytes === null ? null : Number(row.bytes),
    error: stale ? 'interrupted' : row.error, requested_by: row.requested_by, requested_at: row.requested_at.toISOString(),
    finished_at: row.finished_at?.toISOString() ?? null,
    download_url: link?.url ?? null, download_expires_at: link ? new Date(link.expiresAt).toISOString() : null,
  };
}

/** The audit log's actor of a download by signed link: the link names no user. */
export const SIGNED_LINK_ACTOR = 'signed_link';

/**
 * The stored file of a ready job, by id alone (the signed link, valid until `linkExpiresAt`,
 * already proved the right to it), once the download is written to the merchant's audit log
 * (`export.downloaded`: by a signed link, from which address).
 */
export async function openExportFile(
  state: Queryable, files: () => Promise<FileStore>, id: string, via: { origin: RequestOrigin; linkExpiresAt: number; now: number },
) {
  const [row] = await state.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM merchant_exports WHERE id = $1`, [id]);
  if (!row) throw new AppError('not_found', 'no such export');
  if (row.status === 'expired') throw new AppError('export_expired', 'the file of this export was deleted (EXPORT_RETENTION_HOURS after it was ready): request the export again');
  if (row.status !== 'ready' || row.file_key === null) throw new AppError('export_not_ready', 'this export has no file (yet)');
  const file = await (await files()).open(row.file_key);
  if (!file) throw new AppError('file_store_unavailable', `the file of export ${id} is missing from the file store`);
  try {
    await writeAudit(state, { merchantId: row.merchant_id, actor: SIGNED_LINK_ACTOR, actorKind: 'link' }, via.origin, {
      action: 'export.downloaded', objectType: 'export', objectId: row.id,
      detail: { via: 'signed_link', export_id: row.id, link_expires_at: new Date(via.linkExpiresAt).toISOString(), bytes: file.size, requested_by: row.requested_by },
    }, via.now);
  } catch (err) {
    file.body.destroy(); // no file leaves unaudited
    throw err;
  }
  return { row, file };
}

export interface ExportRunnerDeps {
  exportDeps: ExportDeps;
  state: StateStore;
  files: () => Promise<FileStore>;
  log: Logger;
  concurrency: number;
  now: () => number;
  /** How often jobs write their heartbeat (HEARTBEAT_MS; tests shorten it). */
  heartbeatMs?: number;
}

export interface ExportRunner {
  /** Queues a job already inserted; it runs when a place is free. */
  enqueue(id: string): void;
  /** Resolves once every job handed over has ended (tests, benchmarks). */
  idle(): Promise<void>;
  /** Stops: running jobs are cut short and marked failed; queued ones too. */
  close(): Promise<void>;
}

export function createExportRunner(d: ExportRunnerDeps): ExportRunner {
  const heartbeatMs = d.heartbeatMs ?? HEARTBEAT_MS;
  const queue: string[] = [];
  const running = new Map<string, { abort: AbortController; done: Promise<void> }>();
  let closed = false;
  let waiters: Array<() => void> = [];

  const settle = () => {
    if (queue.length === 0 && running.size === 0) {
      for (const w of waiters) w();
      waiters = [];
    }
  };
  const next = () => {
    while (!closed && running.size < d.concurrency && queue.length > 0) {
      const id = queue.shift()!;
      const abort = new AbortController();
      const done = run(id, abort.signal).finally(() => {
        running.delete(id);
        next();
        settle();
      });
      running.set(id, { abort, done });
    }
  };

  async function run(id: string, signal: AbortSignal): Promise<void> {
    // Every write after the start holds only while the job is still `running`: a sweep that
    // marked it interrupted meanwhile has the last word.
    const touch = async (q: Queryable, set: string, params: SqlParam[]) =>
      (await q.query(`UPDATE merchant_exports SET ${set}, updated_at = $2 WHERE id = $1 AND status = 'running' RETURNING id`,
        [id, new Date(d.now()), ...params])).length > 0;
    let marked = false;
    try {
      const [row] = await d.state.query<JobRow>(`SELECT ${JOB_COLUMNS} FROM merchant_exports WHERE id = $1`, [id]);
      if (!row || row.status !== 'queued') return;
      await d.state.query(`UPDATE merchant_exports SET status = 'running', updated_at = $2 WHERE id = $1 AND status = 'queued'`, [id, new Date(d.now())]);
      const kind = EXPORT_KINDS[row.kind];
      const range = { from: row.range_from.getTime(), to: row.range_to.getTime() };
      const { time_zone: timeZone } = await getMerchantSettings(d.state, row.merchant_id);
      let rows = 0;
      let beat = d.now();
      const pages = counted(kind.pages(d.exportDeps, row.merchant_id, range), (page) => {
        if (signal.aborted) throw new Error('the server is stopping');
        if (marked) throw new Error('marked interrupted (no heartbeat for STALE_MS)');
        rows += page.length;
        if (d.now() - beat > heartbeatMs) {
          beat = d.now();
          touch(d.state, 'rows = $3', [rows]).then((held) => { if (!held) marked = true; },
            (err) => d.log.warn({ err, id }, 'export heartbeat failed'));
        }
      });
      const chunks = exportChunks({ kind, format: row.format, lang: row.lang, merchantId: row.merchant_id, range, timeZone, now: d.now }, pages);
      const key = `exports/${id}`;
      const files = await d.files();
      const stored = await files.put(key, Readable.from(chunks, { objectMode: false }), { contentType: FORMAT_TYPES[row.format] });
      if (!(await touch(d.state, `status = 'ready', rows = $3, bytes = $4, file_key = $5, finished_at = $2`, [rows, stored.size, key]))) {
        d.log.warn({ id }, 'export finished after it was marked interrupted; its file is removed');
        await files.remove(key);
      }
    } catch (err) {
      d.log.error({ err, id }, 'export failed');
      const reason = signal.aborted || marked ? 'interrupted' : err instanceof AppError ? err.code : 'internal';
      await touch(d.state, `status = 'failed', error = $3, finished_at = $2`, [reason]).catch(() => {});
    }
  }

  // Queued jobs wait in memory: their heartbeat says this process still means to run them. The
  // timer runs only while jobs wait (building the app starts nothing: start-parts.test.ts).
  let queuedBeat: NodeJS.Timeout | null = null;
  const stopBeat = () => {
    if (queuedBeat) clearInterval(queuedBeat);
    queuedBeat = null;
  };
  const beatWhileQueued = () => {
    if (queuedBeat || queue.length === 0) return;
    queuedBeat = setInterval(() => {
      if (queue.length === 0) return stopBeat();
      d.state.query('UPDATE merchant_exports SET updated_at = $2 WHERE id = ANY($1)', [queue, new Date(d.now())])
        .catch((err) => d.log.warn({ err }, 'export queue heartbeat failed'));
    }, heartbeatMs);
    queuedBeat.unref();
  };

  return {
    enqueue(id) {
      if (closed) throw new AppError('starting', 'the server is stopping');
      queue.push(id);
      next();
      beatWhileQueued();
    },
    idle() {
      if (queue.length === 0 && running.size === 0) return Promise.resolve();
      return new Promise((resolve) => waiters.push(resolve));
    },
    async close() {
      closed = true;
      stopBeat();
      const dropped = queue.splice(0);
      for (const r of running.values()) r.abort.abort();
      await Promise.all([...running.values()].map((r) => r.done));
      if (dropped.length) {
        await d.state.query(`UPDATE merchant_exports SET status = 'failed', error = 'interrupted', finished_at = $2, updated_at = $2 WHERE id = ANY($1)`, [dropped, new Date(d.now())]).catch(() => {});
      }
      settle();
    },
  };
}
