// A dispute's evidence: upload, delete, download, and the submission that locks it.
//
// An upload is streamed, never held whole: its bytes go through the content inspector
// (src/files/sniff.ts: PDF, PNG or JPEG judged from the bytes, polyglots refused) on their way
// into the file store, which keeps all of them or nothing. The file store's key is the server's
// own (`dispute-evidence/<uuid>`); the client's file name is kept only as a cleaned display name.
// The type is known only once the bytes are judged, after put() has begun: the file store holds
// the bytes as application/octet-stream, the record the judged type, which downloads are served as.
// Limits: DISPUTE_EVIDENCE_MAX_FILE_BYTES per file, and per dispute
// DISPUTE_EVIDENCE_MAX_TOTAL_BYTES and DISPUTE_EVIDENCE_MAX_FILES. They are checked before the
// bytes are read (a quick refusal, and the store stops reading at what is left), and again when
// the record is written, under the lock of the dispute's response row: two uploads at once cannot
// both fit into the room of one. A file stored but then refused (over the total, submitted
// meanwhile) is removed again.
//
// Evidence is a draft until the dispute is submitted; from then on uploads, deletions and a
// second submission are 409 dispute_submitted. Every change is audited in its own transaction.

import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '../errors.ts';
import type { FileStore } from '../files/file-store.ts';
import { createContentInspector, refusedFileError, type Verdict } from '../files/sniff.ts';
import { downloadHeaders, safeFilename } from '../files/download-headers.ts';
import type { Queryable } from '../state-store/state-store.ts';
import { writeAudit } from './merchant-audit.ts';
import type { MerchantScope, RequestOrigin } from './merchant-scope.ts';
import { dueBy, evidenceItem, findDispute, type DisputeDeps, type EvidenceItem } from './disputes.ts';

export interface EvidenceDeps extends DisputeDeps {
  /** The file store, opened on first use. */
  files: () => Promise<FileStore>;
  maxFileBytes: number;
  maxTotalBytes: number;
  maxFiles: number;
}

export const MAX_DESCRIPTION = 1000;
const EVIDENCE_ID = /^ev_[0-9a-f]{32}$/;

/** A file stored in the file store, not yet recorded. */
export interface ReceivedFile {
  key: string;
  size: number;
  sha256: string;
  contentType: string;
  displayName: string;
}

/** Locks the dispute's response row (creating it) and answers what it holds. */
async function lockResponse(q: Queryable, merchantId: string, disputeId: string) {
  await q.query('INSERT INTO dispute_responses (merchant_id, dispute_id) VALUES ($1, $2) ON CONFLICT DO NOTHING', [merchantId, disputeId]);
  const [row] = await q.query<{ submitted_at: Date | null }>(
    'SELECT submitted_at FROM dispute_responses WHERE merchant_id = $1 AND dispute_id = $2 FOR UPDATE', [merchantId, disputeId]);
  const [sums] = await q.query<{ files: number | string; bytes: number | string | null }>(
    'SELECT count(*) AS files, sum(size) AS bytes FROM dispute_evidence WHERE merchant_id = $1 AND dispute_id = $2', [merchantId, disputeId]);
  return { submitted: row.submitted_at !== null, files: Number(sums.files), bytes: Number(sums.bytes ?? 0) };
}

async function readResponse(q: Queryable, merchantId: string, disputeId: string) {
  const [row] = await q.query<{ submitted_at: Date | null; files: number | string; bytes: number | string | null }>(
    `SELECT r.submitted_at, count(e.id) AS files, sum(e.size) AS bytes
     FROM dispute_responses r LEFT JOIN dispute_evidence e ON e.merchant_id = r.merchant_id AND e.dispute_id = r.dispute_id
     WHERE r.merchant_id = $1 AND r.dispute_id = $2 GROUP BY r.submitted_at`, [merchantId, disputeId]);
  return row ? { submitted: row.submitted_at !== null, files: Number(row.files), bytes: Number(row.bytes ?? 0) } : { submitted: false, files: 0, bytes: 0 };
}

function submittedError(): AppError {
  return new AppError('dispute_submitted', 'this dispute\'s response was submitted: its evidence is locked');
}

function checkRoom(deps: EvidenceDeps, held: { files: number; bytes: number }, adding: number): void {
  if (held.files + (adding > 0 ? 1 : 0) > deps.maxFiles) {
    throw new AppError('evidence_limit_exceeded', `a dispute holds at most ${deps.maxFiles} evidence files`);
  }
  if (held.bytes + adding > deps.maxTotalBytes || held.bytes >= deps.maxTotalBytes) {
    throw new AppError('evidence_limit_exceeded', `a dispute holds at most ${deps.maxTotalBytes} bytes of evidence; it holds ${held.bytes}`);
  }
}

/** The open-for-answers checks: the dispute exists for this merchant, is not submitted, not past due_by. */
async function checkOpen(deps: EvidenceDeps, merchantId: string, disputeId: string) {
  const dispute = await findDispute(deps, merchantId, disputeId);
  const held = await readResponse(deps.state, merchantId, disputeId);
  if (held.submitted) throw submittedError();
  if (deps.now() >= dueBy(deps, dispute.createdAt)) {
    throw new AppError('dispute_expired', `this dispute was due by ${new Date(dueBy(deps, dispute.createdAt)).toISOString()}: it takes no more evidence`);
  }
  return held;
}

/**
 * Streams one file into the file store, its bytes inspected on the way. Stores nothing when the
 * dispute takes no more evidence, the bytes are refused or run past the room left.
 */
export async function receiveEvidenceFile(
  deps: EvidenceDeps, merchantId: string, disputeId: string, body: AsyncIterable<Uint8Array> | Readable, clientFilename: string,
): Promise<ReceivedFile> {
  const held = await checkOpen(deps, merchantId, disputeId);
  checkRoom(deps, held, 1);
  const room = Math.min(deps.maxFileBytes, deps.maxTotalBytes - held.bytes);
  let verdict: Verdict | null = null;
  async function* inspected(): AsyncGenerator<Uint8Array> {
    const inspector = createContentInspector();
    for await (const chunk of body as AsyncIterable<Uint8Array>) {
      const refusal = inspector.update(chunk);
      if (refusal) throw refusedFileError(refusal);
      yield chunk;
    }
    verdict = inspector.finish();
    if (!verdict.ok) throw refusedFileError(verdict);
  }
  const files = await deps.files();
  const key = `dispute-evidence/${randomUUID()}`;
  let stored;
  try {
    stored = await files.put(key, inspected(), { contentType: 'application/octet-stream', maxBytes: room });
  } catch (err) {
    if (err instanceof AppError && err.code === 'file_too_large' && room < deps.maxFileBytes) {
      throw new AppError('evidence_limit_exceeded', `this dispute has room for ${room} more bytes of evidence (${deps.maxTotalBytes} in all)`);
    }
    if (err instanceof AppError && err.code === 'file_too_large') throw new AppError('file_too_large', `an evidence file is at most ${deps.maxFileBytes} bytes`);
    throw err;
  }
  const ok = verdict as Verdict | null;
  if (!ok || !ok.ok) throw new AppError('internal', 'the stored file has no verdict'); // the generator ran to its end
  return { key, size: stored.size, sha256: stored.sha256, contentType: ok.contentType, displayName: safeFilename(clientFilename || 'evidence', ok.contentType) };
}

/** Records a received file as draft evidence (audited); on any refusal the file is removed. */
export async function recordEvidence(
  deps: EvidenceDeps, scope: MerchantScope, origin: RequestOrigin, disputeId: string, file: ReceivedFile, description: string | null,
): Promise<EvidenceItem> {
  try {
    return await deps.state.transaction(async (q) => {
      const held = await lockResponse(q, scope.merchantId, disputeId);
      if (held.submitted) throw submittedError();
      checkRoom(deps, held, file.size);
      const id = `ev_${randomUUID().replaceAll('-', '')}`;
      const at = deps.now();
      const [row] = await q.query<Parameters<typeof evidenceItem>[0]>(
        `INSERT INTO dispute_evidence (id, merchant_id, dispute_id, file_key, display_name, content_type, size, sha256, description, uploaded_at, uploaded_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
         RETURNING id, display_name, content_type, size, sha256, description, uploaded_at, uploaded_by, NULL::timestamptz AS submitted_at`,
        [id, scope.merchantId, disputeId, file.key, file.displayName, file.contentType, file.size, file.sha256, description, new Date(at), scope.actor]);
      await writeAudit(q, scope, origin, {
        action: 'dispute.evidence_uploaded', objectType: 'dispute', objectId: disputeId,
        detail: { evidence_id: id, filename: file.displayName, content_type: file.contentType, size: file.size, sha256: file.sha256 },
      }, at);
      return evidenceItem(row);
    });
  } catch (err) {
    await discard(deps, file.key);
    throw err;
  }
}

/** Removes a stored file nobody records (best effort: an orphan file is harmless, never served). */
export async function discard(deps: EvidenceDeps, key: string): Promise<void> {
  try {
    await (await deps.files()).remove(key);
  } catch { /* left behind: no record names it */ }
}

export function checkDescription(v: string): string | null {
  if (v.length > MAX_DESCRIPTION) throw new AppError('invalid_parameter', `description is at most ${MAX_DESCRIPTION} characters`);
  if (v.includes('\0')) throw new AppError('invalid_parameter', 'text may not contain the NUL character');
  return v.trim() === '' ? null : v;
}

interface StoredEvidence { file_key: string; display_name: string; content_type: string; size: number | string; submitted_at: Date | null }

async function evidenceRow(q: Queryable, merchantId: string, disputeId: string, evidenceId: string, lock: boolean): Promise<StoredEvidence> {
  const [row] = EVIDENCE_ID.test(evidenceId) && disputeId.length <= 128 ? await q.query<StoredEvidence>(
    `SELECT e.file_key, e.display_name, e.content_type, e.size, r.submitted_at
     FROM dispute_evidence e JOIN dispute_responses r ON r.merchant_id = e.merchant_id AND r.dispute_id = e.dispute_id
     WHERE e.merchant_id = $1 AND e.dispute_id = $2 AND e.id = $3${lock ? ' FOR UPDATE OF r' : ''}`,
    [merchantId, disputeId, evidenceId]) : [];
  if (!row) throw new AppError('not_found', 'no such evidence');
  return row;
}

export async function deleteEvidence(deps: EvidenceDeps, scope: MerchantScope, origin: RequestOrigin, disputeId: string, evidenceId: string): Promise<void> {
  const key = await deps.state.transaction(async (q) => {
    const row = await evidenceRow(q, scope.merchantId, disputeId, evidenceId, true);
    if (row.submitted_at !== null) throw submittedError();
    await q.query('DELETE FROM dispute_evidence WHERE id = $1', [evidenceId]);
    await writeAudit(q, scope, origin, {
      action: 'dispute.evidence_deleted', objectType: 'dispute', objectId: disputeId,
      detail: { evidence_id: evidenceId, filename: row.display_name, size: Number(row.size) },
    }, deps.now());
    return row.file_key;
  });
  await discard(deps, key);
}

/** The file of one evidence item and the headers to serve it with: always an attachment. */
export async function openEvidence(deps: EvidenceDeps, merchantId: string, disputeId: string, evidenceId: string) {
  const row = await evidenceRow(deps.state, merchantId, disputeId, evidenceId, false);
  const file = await (await deps.files()).open(row.file_key);
  if (!file) throw new AppError('file_store_unavailable', `the file of evidence ${evidenceId} is missing from the file store`);
  return { body: file.body, headers: downloadHeaders({ filename: row.display_name, contentType: row.content_type, size: file.size }) };
}

/** Submits the response: its evidence is locked from then on. At least one file; not past due_by. */
export async function submitDispute(deps: EvidenceDeps, scope: MerchantScope, origin: RequestOrigin, disputeId: string): Promise<{ submitted_at: string }> {
  await checkOpen(deps, scope.merchantId, disputeId);
  return deps.state.transaction(async (q) => {
    const held = await lockResponse(q, scope.merchantId, disputeId);
    if (held.submitted) throw submittedError();
    if (held.files === 0) throw new AppError('evidence_required', 'upload at least one evidence file before submitting');
    const at = deps.now();
    await q.query('UPDATE dispute_responses SET submitted_at = $3, submitted_by = $4 WHERE merchant_id = $1 AND dispute_id = $2',
      [scope.merchantId, disputeId, new Date(at), scope.actor]);
    await writeAudit(q, scope, origin, {
      action: 'dispute.submitted', objectType: 'dispute', objectId: disputeId, detail: { evidence_files: held.files, evidence_bytes: held.bytes },
    }, at);
    return { submitted_at: new Date(at).toISOString() };
  });
}
