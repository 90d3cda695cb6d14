// GET /api/merchant/export: one export of the merchant's data. Up to EXPORT_SYNC_MAX_ROWS rows it
// is the answer itself (an attachment; the rows were read to count them, so at most that many
// are held); past it, a background job (export-jobs.ts) and a 202 with its id. Both are written
// to the merchant's audit log (`export.requested`).

import { AppError } from '../../errors.ts';
import { downloadHeaders } from '../../files/download-headers.ts';
import { writeAudit } from '../merchant-audit.ts';
import type { MerchantScope, RequestOrigin } from '../merchant-scope.ts';
import { getMerchantSettings } from '../merchant-settings.ts';
import { exportFilename, exportStream, FORMAT_TYPES, peekRows, replay, type BodyRequest } from './export-body.ts';
import { getExportJob, insertExportJob, type ExportJobSpec, type ExportJobView, type ExportRunner } from './export-jobs.ts';
import type { ExportDeps } from './export-kind.ts';
import { EXPORT_KINDS } from './registry.ts';
import type { UrlSigner } from './signed-url.ts';

export interface ExportRequestDeps extends ExportDeps {
  /** Largest export answered at once (EXPORT_SYNC_MAX_ROWS); larger ones run in the background. */
  syncMaxRows: number;
  runner: ExportRunner;
  signer: UrlSigner;
}

export type ExportAnswer =
  | { mode: 'direct'; body: NodeJS.ReadableStream; headers: Record<string, string> }
  | { mode: 'background'; job: ExportJobView };

export function attachmentHeaders(filename: string, format: ExportJobSpec['format'], size?: number): Record<string, string> {
  // Attachment, nosniff, sandbox, no-store (files/download-headers.ts); the type is the format's
  // own (that module serves only the evidence types, and anything else as octet-stream).
  const type = FORMAT_TYPES[format];
  return { ...downloadHeaders({ filename, contentType: type, size }), 'content-type': format === 'csv' ? `${type}; charset=utf-8` : type };
}

export async function requestExport(d: ExportRequestDeps, scope: MerchantScope, origin: RequestOrigin, spec: ExportJobSpec): Promise<ExportAnswer> {
  const kind = EXPORT_KINDS[spec.kind];
  if (!kind) throw new AppError('invalid_parameter', `unknown export kind ${JSON.stringify(spec.kind)}`);
  if (!(spec.from < spec.to)) throw new AppError('invalid_range', 'from must be before to');
  const range = { from: spec.from, to: spec.to };
  const { time_zone: timeZone } = await getMerchantSettings(d.state, scope.merchantId);
  const peek = await peekRows(kind.pages(d, scope.merchantId, range), d.syncMaxRows);
  const audit = (mode: string, extra: Record<string, unknown>) => ({
    action: 'export.requested', objectType: 'export', objectId: (extra.export_id as string | undefined) ?? null,
    detail: { kind: spec.kind, format: spec.format, lang: spec.lang, from: new Date(spec.from).toISOString(), to: new Date(spec.to).toISOString(), mode, ...extra },
  });
  if (peek.small) {
    await writeAudit(d.state, scope, origin, audit('direct', { rows: peek.pages.reduce((n, p) => n + p.length, 0) }), d.now());
    const req: BodyRequest = { kind, format: spec.format, lang: spec.lang, merchantId: scope.merchantId, range, timeZone, now: d.now };
    return { mode: 'direct', body: exportStream(req, replay(peek.pages)), headers: attachmentHeaders(exportFilename(kind.name, spec.format, scope.merchantId, range), spec.format) };
  }
  const id = await d.state.transaction(async (q) => {
    const id = await insertExportJob(q, scope.merchantId, scope.actor, spec, d.now());
    await writeAudit(q, scope, origin, audit('background', { export_id: id }), d.now());
    return id;
  });
  d.runner.enqueue(id);
  return { mode: 'background', job: await getExportJob(d.state, d.signer, scope.merchantId, id, d.now()) };
}
