// Retention of background exports' files (EXPORT_RETENTION_HOURS after they are ready), run by the
// retention part (src/app.ts) on each of its runs. An export is a copy of data the portal can
// produce again at any time; kept, it is only a copy of customers' data lying in storage.
//
// Two steps, each safe to run twice or from two processes at once: ready exports past the
// retention become `expired` (downloads answer 410 export_expired from then on), then the files of
// expired exports are removed from the file store and their file_key cleared. A file that cannot
// be removed now (the file store away) keeps its key, and the next run tries again: no file is
// forgotten by its row before it is gone.

import type { FileStore } from '../../files/file-store.ts';
import type { StateStore } from '../../state-store/state-store.ts';

const HOUR_MS = 3_600_000;
/** Files removed per run at most (the next run takes the rest). */
const MAX_REMOVED = 1000;

export interface ExportRetentionDeps {
  state: StateStore;
  files: () => Promise<FileStore>;
  /** EXPORT_RETENTION_HOURS. */
  retentionHours: number;
  now: () => number;
}

export interface ExportRetentionReport {
  /** Exports that became expired in this run. */
  expired: number;
  /** Files removed from the file store in this run. */
  removed: number;
}

export async function purgeExpiredExports(d: ExportRetentionDeps): Promise<ExportRetentionReport> {
  const now = d.now();
  const expired = await d.state.query<{ id: string }>(
    `UPDATE merchant_exports SET status = 'expired', updated_at = $2 WHERE status = 'ready' AND finished_at <= $1 RETURNING id`,
    [new Date(now - d.retentionHours * HOUR_MS), new Date(now)]);
  const unpurged = await d.state.query<{ id: string; file_key: string }>(
    `SELECT id, file_key FROM merchant_exports WHERE status = 'expired' AND file_key IS NOT NULL ORDER BY id LIMIT ${MAX_REMOVED}`);
  if (unpurged.length === 0) return { expired: expired.length, removed: 0 };
  const files = await d.files();
  let removed = 0;
  for (const { id, file_key: key } of unpurged) {
    await files.remove(key); // a missing file is not an error: another run removed it first
    await d.state.query(`UPDATE merchant_exports SET file_key = NULL WHERE id = $1 AND file_key = $2`, [id, key]);
    removed += 1;
  }
  return { expired: expired.length, removed };
}

/** What purgeExpiredExports would do now (the retention dry run): exports to expire, files to remove. */
export async function previewExpiredExports(d: Omit<ExportRetentionDeps, 'files'>): Promise<ExportRetentionReport> {
  const now = d.now();
  const [r] = await d.state.query<{ expiring: number; unpurged: number }>(
    `SELECT count(*) FILTER (WHERE status = 'ready' AND finished_at <= $1)::int AS expiring,
            count(*) FILTER (WHERE status = 'expired' AND file_key IS NOT NULL OR status = 'ready' AND finished_at <= $1 AND file_key IS NOT NULL)::int AS unpurged
       FROM merchant_exports`,
    [new Date(now - d.retentionHours * HOUR_MS)]);
  return { expired: r.expiring, removed: Math.min(r.unpurged, MAX_REMOVED) };
}
