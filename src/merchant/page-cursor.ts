// The portal's page cursors: the keyset position of a page's last row, as a JSON array of strings
// in URL-safe base64. Opaque to clients; decoded strictly, so that a cursor this API did not
// return is a 400 `invalid_parameter`, never a query.

import { AppError } from '../errors.ts';

export function encodeCursor(parts: string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64url');
}

/** The cursor's parts, if they are strings that `valid` accepts; else the 400. */
export function decodeCursor(cursor: string, valid: (parts: string[]) => boolean, message = 'cursor is not one this API returned'): string[] {
  let v: unknown = null;
  try {
    if (/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) v = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch { v = null; }
  if (Array.isArray(v) && v.every((p) => typeof p === 'string') && valid(v)) return v;
  throw new AppError('invalid_parameter', message);
}
