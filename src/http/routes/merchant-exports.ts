// Exports of the merchant's data (src/merchant/export/): GET /api/merchant/export (the file, or
// 202 and a background job past EXPORT_SYNC_MAX_ROWS rows), GET /api/merchant/exports/:id (the
// job, with a signed download link once ready) and the link itself, GET /downloads/exports/:id —
// public, and outside /api/ (where every route needs a token): the signature is the credential,
// so a browser can open the link as it is. Each download by link is audited (`export.downloaded`);
// an export past EXPORT_RETENTION_HOURS is 410 export_expired.

import type { FastifyInstance } from 'fastify';
import { EXPORT_FORMATS, EXPORT_LANGS, type ExportLang } from '../../merchant/export/export-kind.ts';
import { exportFilename } from '../../merchant/export/export-body.ts';
import { getExportJob, openExportFile } from '../../merchant/export/export-jobs.ts';
import { attachmentHeaders, requestExport, type ExportRequestDeps } from '../../merchant/export/request-export.ts';
import { EXPORT_KIND_NAMES } from '../../merchant/export/registry.ts';
import { DOWNLOAD_PATH } from '../../merchant/export/signed-url.ts';
import type { FileStore } from '../../files/file-store.ts';
import { parseInstant } from '../analytics-params.ts';
import { merchantHeaderSchema, merchantScopeOf, originOf } from '../merchant-scope.ts';
import { exportJobSchema } from '../merchant-schemas.ts';
import { problem } from '../openapi.ts';

export interface ExportRouteDeps extends ExportRequestDeps {
  files: () => Promise<FileStore>;
}

const permission = { permission: 'merchant:exports' as const };
const binary = { type: 'string', format: 'binary' };
const exportId = { type: 'string', minLength: 1, maxLength: 64, description: 'the export id (ex_…)' };
const instant = (what: string) => ({ type: 'string', maxLength: 64, description: `${what} (RFC 3339)` });

interface ExportQuery { kind: string; format: 'csv' | 'xlsx' | 'pdf'; from: string; to: string; lang?: ExportLang }

/** fr when the caller's Accept-Language prefers French, else en. */
function langOf(header: string | undefined): ExportLang {
  return /^\s*fr\b/i.test(header ?? '') ? 'fr' : 'en';
}

export function merchantExportRoutes(app: FastifyInstance, deps: ExportRouteDeps) {
  app.get<{ Querystring: ExportQuery }>('/api/merchant/export', {
    config: permission,
    schema: {
      tags: ['merchant'],
      summary: 'Export the merchant\'s transactions, refunds or disputes of a period: CSV, XLSX, or a PDF statement of its totals',
      description: 'Up to EXPORT_SYNC_MAX_ROWS rows the answer is the file (an attachment); past it, 202 and a background export to poll with GET /api/merchant/exports/{id}. Text cells starting with = + - @, a tab or CR are prefixed with \' (formula injection). Amounts are exact decimals from integer minor units with the currency\'s exponent.',
      headers: merchantHeaderSchema,
      querystring: {
        type: 'object', additionalProperties: false, required: ['kind', 'format', 'from', 'to'],
        properties: {
          kind: { type: 'string', enum: EXPORT_KIND_NAMES, description: 'what to export' },
          format: { type: 'string', enum: [...EXPORT_FORMATS] },
          from: instant('start of the period, included'),
          to: instant('end of the period, excluded'),
          lang: { type: 'string', enum: [...EXPORT_LANGS], description: 'language of the PDF statement and the sheet name; default from Accept-Language (fr, else en)' },
        },
      },
      response: {
        200: {
          description: 'the file, as an attachment',
          content: { 'text/csv': { schema: binary }, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: binary }, 'application/pdf': { schema: binary } },
        },
        202: exportJobSchema,
        400: problem('invalid_parameter', 'invalid_range', 'merchant_required'),
        429: problem('too_many_exports', 'too_many_queries'),
      },
    },
  }, async (req, reply) => {
    const q = req.query;
    const answer = await requestExport(deps, merchantScopeOf(req), originOf(req), {
      kind: q.kind, format: q.format, lang: q.lang ?? langOf(req.headers['accept-language']),
      from: parseInstant('from', q.from, 0), to: parseInstant('to', q.to, 0),
    });
    if (answer.mode === 'background') return reply.code(202).send(answer.job);
    return reply.headers(answer.headers).send(answer.body);
  });

  app.get<{ Params: { id: string } }>('/api/merchant/exports/:id', {
    config: permission,
    schema: {
      tags: ['merchant'],
      summary: 'A background export: its status, and once ready a signed download link (another merchant\'s is 404, like a missing one)',
      headers: merchantHeaderSchema,
      params: { type: 'object', required: ['id'], properties: { id: exportId } },
      querystring: { type: 'object', additionalProperties: false, properties: {} },
      response: { 200: exportJobSchema, 400: problem('invalid_parameter', 'merchant_required') },
    },
  }, async (req) => getExportJob(deps.state, deps.signer, merchantScopeOf(req).merchantId, req.params.id, deps.now()));

  app.get<{ Params: { id: string }; Querystring: { expires: string; signature: string } }>(`${DOWNLOAD_PATH}/:id`, {
    config: { public: true },
    schema: {
      tags: ['merchant'],
      summary: 'Download a background export by its signed link (no bearer token: the signature is the credential); always an attachment',
      description: 'signature = hex HMAC-SHA256(EXPORT_URL_SECRET, "<id>.<expires>"); links expire after EXPORT_URL_TTL_SECONDS. Each download is written to the merchant\'s audit log (export.downloaded, actor kind link, the requesting address). An export\'s file is deleted EXPORT_RETENTION_HOURS after it is ready: 410 export_expired.',
      params: { type: 'object', required: ['id'], properties: { id: exportId } },
      querystring: {
        type: 'object', additionalProperties: false, required: ['expires', 'signature'],
        properties: {
          expires: { type: 'string', maxLength: 12, description: 'Unix time (seconds) the link expires at' },
          signature: { type: 'string', maxLength: 64, description: 'the link\'s HMAC, hex' },
        },
      },
      response: {
        200: {
          description: 'the file, as an attachment',
          content: { 'text/csv': { schema: binary }, 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': { schema: binary }, 'application/pdf': { schema: binary } },
        },
        403: problem('download_link_invalid'),
        409: problem('export_not_ready'),
        410: problem('download_link_expired', 'export_expired'),
        503: problem('file_store_unavailable', 'file_store_denied', 'state_unavailable'),
      },
    },
  }, async (req, reply) => {
    deps.signer.verify(req.params.id, req.query.expires, req.query.signature);
    const { row, file } = await openExportFile(deps.state, deps.files, req.params.id, {
      origin: originOf(req), linkExpiresAt: Number(req.query.expires) * 1000, now: deps.now(),
    });
    const filename = exportFilename(row.kind, row.format, row.merchant_id, { from: row.range_from.getTime(), to: row.range_to.getTime() });
    return reply.headers(attachmentHeaders(filename, row.format, file.size)).send(file.body);
  });
}
