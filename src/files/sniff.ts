// What an uploaded file is, from its bytes alone: PDF, PNG or JPEG, or refused. The name, the
// extension and the declared Content-Type are never asked: a file is what its bytes say, and the
// caller stores and serves it as that type.
//
// The rule (docs/files.md, "What is checked"), for a file to be accepted:
// 1. its first bytes are the type's signature, at byte 0: `%PDF-1.x`/`%PDF-2.0`, the 8-byte PNG
//    signature then an IHDR chunk, or JPEG's SOI followed by a marker (`unknown_type`; nothing,
//    `empty`);
// 2. it ends where its format ends, whole: a PNG at its IEND chunk, a JPEG at its EOI (the
//    images of a Multi-Picture JPEG one after another, zero padding allowed), a PDF at its last
//    `%%EOF` (whitespace allowed). Ending sooner is `truncated`; bytes beyond are `trailing_data`
//    (a ZIP, JAR or script appended to an image is the classic polyglot); framing that breaks
//    the format on the way is `malformed`;
// 3. no ZIP end-of-central-directory record in its last 64 KiB (+22 bytes) — where every ZIP/JAR
//    reader looks for one, so an archive hidden inside an image chunk or a PDF stream is found
//    too (`embedded_archive`);
// 4. no HTML or script anywhere, case-insensitively: `<script`, `<html`, `<body`, `<iframe`,
//    `<svg`, `<object`, `<embed`, `<!doctype html`, `<?php`, `javascript:` (`embedded_markup`): what
//    a browser or a server could be talked into running, had the file been served inline;
// 5. for a PDF, no active content: the names /JavaScript, /JS, /Launch, /EmbeddedFile(s),
//    /RichMedia, /XFA, /GoToE, also when spelt with #xx escapes (`active_content`).
// Limits, said plainly: the bytes are scanned as they are — what sits in a PDF's compressed
// streams (object streams included) is not inflated and not seen. Downloads are the defence
// that holds whatever the bytes: always an attachment, nosniff, CSP sandbox (download-headers.ts).
//
// Streaming, in constant memory (the first 1 KiB, the last 64 KiB, walker state): feed chunks to
// createContentInspector() as they arrive; update() answers a refusal as soon as one is certain
// (stop reading then), finish() the verdict.

import { AppError } from '../errors.ts';
import { jpegWalker, PNG_SIGNATURE, pngWalker, type Walker } from './format-walkers.ts';

export type FileType = 'pdf' | 'png' | 'jpeg';

export const FILE_TYPES: Record<FileType, { contentType: string; extensions: readonly string[] }> = {
  pdf: { contentType: 'application/pdf', extensions: ['pdf'] },
  png: { contentType: 'image/png', extensions: ['png'] },
  jpeg: { contentType: 'image/jpeg', extensions: ['jpg', 'jpeg'] },
};

export const REFUSAL_REASONS = [
  'empty', 'unknown_type', 'malformed', 'truncated', 'trailing_data', 'embedded_archive', 'embedded_markup', 'active_content',
] as const;
export type RefusalReason = typeof REFUSAL_REASONS[number];

export type Refusal = { ok: false; reason: RefusalReason; detail: string };
export type Verdict = { ok: true; type: FileType; contentType: string; extension: string; size: number } | (Refusal & { size: number });

export interface ContentInspector {
  /** Takes the next chunk; answers a refusal once one is certain (and from then on), else null. */
  update(chunk: Uint8Array): Refusal | null;
  /** The verdict on all the bytes given. */
  finish(): Verdict;
}

const HEAD_BYTES = 1024;
/** ZIP readers look for the end-of-central-directory record this far from the end: 22 bytes + a 64 KiB comment. */
const ZIP_SEARCH_BYTES = 22 + 0xffff;
const TAIL_BYTES = ZIP_SEARCH_BYTES + 4;
const ZIP_EOCD = Buffer.from('PK\x05\x06', 'latin1');
const MARKUP = /<(?:script|html|body|iframe|svg|object|embed|!doctype\s+html)(?=[\s/>])|<\?php|javascript:/i;
const ACTIVE_NAMES = new Set(['JavaScript', 'JS', 'Launch', 'EmbeddedFile', 'EmbeddedFiles', 'RichMedia', 'XFA', 'GoToE']);
/** A PDF name: '/', then regular characters (anything but white space and delimiters). */
const PDF_NAME = /\/([^\s/<>[\]()%{}]+)(?=[\s/<>[\]()%{}])/g;
/** Scanned again with the next chunk, so a marker cut across two chunks is found: the longest marker and its lookahead. */
const CARRY_CHARS = 64;

export function createContentInspector(): ContentInspector {
  let size = 0;
  let head = Buffer.alloc(0);
  let tail = Buffer.alloc(0);
  let carry = '';
  let type: FileType | null | undefined; // undefined: not enough bytes yet; null: none of ours
  let walker: Walker | null = null;
  let refusal: Refusal | null = null;
  const refuse = (reason: RefusalReason, detail: string) => (refusal ??= { ok: false, reason, detail });

  /** Names the type from the head (and starts its walker on the head's bytes); false when it is none of ours. */
  function decideType(): boolean {
    type = typeOf(head);
    walker = type === 'png' ? pngWalker() : type === 'jpeg' ? jpegWalker() : null;
    walker?.feed(head, 0);
    return type !== null;
  }

  function scan(text: string): void {
    const markup = MARKUP.exec(text);
    if (markup) refuse('embedded_markup', `it contains ${JSON.stringify(markup[0])}`);
    if (type !== 'pdf') return;
    for (const m of text.matchAll(PDF_NAME)) {
      const name = m[1].includes('#') ? m[1].replace(/#([0-9A-Fa-f]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : m[1];
      if (ACTIVE_NAMES.has(name)) refuse('active_content', `the PDF has /${name}`);
    }
  }

  return {
    update(input) {
      if (refusal) return refusal;
      const chunk = Buffer.from(input.buffer, input.byteOffset, input.byteLength);
      if (chunk.length === 0) return null;
      const offset = size;
      size += chunk.length;
      if (head.length < HEAD_BYTES) head = Buffer.concat([head, chunk.subarray(0, HEAD_BYTES - head.length)]);
      tail = chunk.length >= TAIL_BYTES ? Buffer.from(chunk.subarray(chunk.length - TAIL_BYTES)) : Buffer.concat([tail, chunk]).subarray(-TAIL_BYTES);
      if (type === undefined && head.length >= 16) {
        if (!decideType()) return refuse('unknown_type', describe(head));
        // The walker has had the head; the rest of this chunk, if it goes past the head, follows.
        if (offset + chunk.length > head.length) walker?.feed(chunk.subarray(head.length - offset), head.length);
      } else {
        walker?.feed(chunk, offset);
      }
      if (walker?.malformed) return refuse('malformed', walker.malformed);
      const text = carry + chunk.toString('latin1');
      scan(text);
      carry = text.slice(-CARRY_CHARS);
      return refusal;
    },
    finish() {
      const verdict = judge();
      return verdict.ok ? verdict : { ...verdict, size };
    },
  };

  function judge(): Verdict | Refusal {
    if (refusal) return refusal;
    if (size === 0) return { ok: false, reason: 'empty', detail: 'the file is empty' };
    if (type === undefined) decideType();
    if (!type) {
      const cut = head.length < 16 && SIGNATURES.some((sig) => sig.subarray(0, head.length).equals(head));
      return cut ? { ok: false, reason: 'truncated', detail: `${size} bytes: the start of a signature, cut` } : { ok: false, reason: 'unknown_type', detail: describe(head) };
    }
    if (walker?.malformed) return { ok: false, reason: 'malformed', detail: walker.malformed };
    // The carry's last characters, at the very end, have no lookahead character: once more with one.
    scan(carry + ' ');
    if (refusal) return refusal;
    const eocd = tail.subarray(-ZIP_SEARCH_BYTES).indexOf(ZIP_EOCD);
    if (eocd >= 0) return { ok: false, reason: 'embedded_archive', detail: `a ZIP end-of-central-directory record ${Math.min(ZIP_SEARCH_BYTES, tail.length) - eocd} bytes from the end` };
    const end = type === 'pdf' ? pdfEnd(tail, size) : walker!.endsAt;
    if (end < 0) return { ok: false, reason: 'truncated', detail: `the ${type.toUpperCase()} ends before its ${type === 'pdf' ? '%%EOF' : type === 'png' ? 'IEND chunk' : 'EOI marker'}` };
    if (size > end) return { ok: false, reason: 'trailing_data', detail: `${size - end} bytes follow the ${type.toUpperCase()}'s end` };
    if (size < end) return { ok: false, reason: 'truncated', detail: `the ${type.toUpperCase()} is cut ${end - size} bytes short of its end` };
    const { contentType, extensions } = FILE_TYPES[type];
    return { ok: true, type, contentType, extension: extensions[0], size };
  }
}

/** The verdict on bytes in memory. */
export function inspectBytes(bytes: Uint8Array): Verdict {
  const inspector = createContentInspector();
  for (let i = 0; i < bytes.length; i += 64 * 1024) if (inspector.update(bytes.subarray(i, i + 64 * 1024))) break;
  return inspector.finish();
}

/** The coded error for a refused file (422 file_refused, the reason in details). */
export function refusedFileError(refusal: Refusal): AppError {
  return new AppError('file_refused', `file refused (${refusal.reason}): ${refusal.detail}`, { reason: refusal.reason });
}

const SIGNATURES = [Buffer.from('%PDF-', 'latin1'), Buffer.concat([PNG_SIGNATURE, Buffer.from([0, 0, 0, 13]), Buffer.from('IHDR')]), Buffer.from([0xff, 0xd8, 0xff])];

function typeOf(head: Buffer): FileType | null {
  if (/^%PDF-(?:1\.[0-7]|2\.0)[\s%]/.test(head.toString('latin1', 0, 9))) return 'pdf';
  if (head.length >= 16 && head.subarray(0, 8).equals(PNG_SIGNATURE) && head.toString('latin1', 12, 16) === 'IHDR') return 'png';
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff && head[3] >= 0xc0 && head[3] <= 0xfe) return 'jpeg';
  return null;
}

/** Offset just past the last %%EOF and the white space after it; -1 when the tail has none. */
function pdfEnd(tail: Buffer, size: number): number {
  const at = tail.lastIndexOf('%%EOF', undefined, 'latin1');
  if (at < 0) return -1;
  let end = at + 5;
  while (end < tail.length && [0x20, 0x0d, 0x0a, 0x09, 0x0c, 0x00].includes(tail[end])) end++;
  return size - tail.length + end;
}

function describe(head: Buffer): string {
  if (head.subarray(0, 2).toString('latin1') === 'MZ') return 'a Windows executable (MZ)';
  if (head.subarray(0, 4).equals(Buffer.from([0x7f, 0x45, 0x4c, 0x46]))) return 'an ELF executable';
  if (head.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'))) return 'a ZIP archive (or an Office document, a JAR)';
  return `its first bytes (${head.subarray(0, 8).toString('hex')}) are not a PDF, PNG or JPEG signature`;
}
