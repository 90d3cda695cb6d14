// Headers for serving a stored file back (dispute evidence): always as an attachment, never
// inline, so a browser saves it rather than renders it — whatever the bytes turn out to be, no
// script in them runs in our origin. Belt and braces: nosniff (the type we say is the type),
// CSP sandbox (were it rendered anyway, it gets an opaque origin and no script), no caching
// outside the user's browser, and no embedding by other sites.
//
// The file name is the user's own, so it is cleaned before it goes into a header and onto a
// disk: only its last path component; no control, bidirectional-override or invisible
// characters (CR/LF cannot split the header; `invoice\u202Efdp.exe` cannot pose as a PDF); none
// of the characters Windows forbids in names (quotes included); no leading dots, no trailing
// dots or spaces, no device names (CON, NUL…); at most 120 characters, keeping the extension;
// and the extension of the type we serve — `report.html` served as a PDF downloads as
// `report.html.pdf`, so the saved file never opens as HTML from the disk.
// Content-Disposition carries it twice (RFC 6266): `filename*` in UTF-8 for today's browsers,
// and an ASCII `filename` (accents dropped, the rest `_`) for older clients.

import { FILE_TYPES } from './sniff.ts';

const SERVED_TYPES = new Map(Object.values(FILE_TYPES).map((t) => [t.contentType, t.extensions]));
const MAX_NAME_CHARS = 120;
// C0 and C1 controls, DEL, zero-width and bidirectional marks and overrides, line and paragraph separators, BOM.
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]/g;
const WINDOWS_FORBIDDEN = /[<>:"/\\|?*]/g;
const DEVICE_NAME = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\.|$)/i;

export interface DownloadFile {
  /** The name the user gave the file (any text): cleaned here. */
  filename: string;
  /** The stored type; anything but PDF, PNG or JPEG is served as application/octet-stream. */
  contentType: string;
  size?: number;
}

export function downloadHeaders(file: DownloadFile): Record<string, string> {
  const contentType = SERVED_TYPES.has(file.contentType) ? file.contentType : 'application/octet-stream';
  const name = safeFilename(file.filename, contentType);
  const headers: Record<string, string> = {
    'content-type': contentType,
    'content-disposition': `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeRfc5987(name)}`,
    'x-content-type-options': 'nosniff',
    'content-security-policy': "sandbox; default-src 'none'",
    'cache-control': 'private, no-store',
    'cross-origin-resource-policy': 'same-origin',
  };
  if (file.size !== undefined) headers['content-length'] = String(file.size);
  return headers;
}

/** The user's file name, made safe to put in a header and to save on any disk (see the header). */
export function safeFilename(filename: string, contentType: string): string {
  const extensions = SERVED_TYPES.get(contentType);
  let name = String(filename).normalize('NFC').replace(INVISIBLE, '');
  name = name.split(/[/\\]/).filter((part) => part.trim() !== '').at(-1) ?? '';
  name = name.replace(WINDOWS_FORBIDDEN, '_').replace(/\s+/g, ' ').replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (DEVICE_NAME.test(name)) name = `_${name}`;
  const dot = name.lastIndexOf('.');
  const extension = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
  let stem = dot > 0 ? name.slice(0, dot) : name;
  let suffix = dot > 0 ? name.slice(dot) : '';
  if (extensions && !extensions.includes(extension)) {
    stem = name;
    suffix = `.${extensions[0]}`;
  }
  if (stem === '') stem = 'file';
  const room = MAX_NAME_CHARS - [...suffix].length;
  if (room < 1) return `${[...stem].slice(0, MAX_NAME_CHARS - 4).join('')}.${extensions?.[0] ?? 'bin'}`;
  return [...stem].slice(0, room).join('').replace(/[.\s]+$/, '') + suffix;
}

/** The name in printable ASCII without `"`, `\` or `%`: accents dropped, anything else `_`. */
function asciiFallback(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').replace(/[^\x20-\x7e]|["\\%]/gu, '_');
}

/** RFC 5987 value-chars: percent-encoded UTF-8, `'`, `(`, `)` and `*` included. */
function encodeRfc5987(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
