// Framing: a body of bytes → one JSON text per event, before anything is decoded. Each event's
// text is its own bytes as sent, so a rejected event is dead-lettered exactly as it came and a
// bad event costs only itself: one malformed element of an array, one line of NDJSON, one CSV
// row. Only a body whose outer shape cannot be read at all is refused as a whole.

import { isUtf8 } from 'node:buffer';
import { parse as parseCsv } from 'csv-parse/sync';
import { AppError } from '../errors.ts';
import { JSON_CHAR } from '../events/event-text.ts';
import type { Refusal } from './parsed-batch.ts';

export interface Framed {
  /** One event's JSON text each. */
  items: string[];
  /** Items refused while framing (their text is still in `items`, for the dead letter). */
  refused: Refusal[];
}

const LF = 10;
const CR = 13;
const { quote: QUOTE, comma: COMMA, backslash: BACKSLASH, openBracket: OPEN_BRACKET, closeBracket: CLOSE_BRACKET,
  openBrace: OPEN_BRACE, closeBrace: CLOSE_BRACE } = JSON_CHAR;

const isSpace = (c: number) => c === 32 || c === 9 || c === LF || c === CR;

/** Adds buf[start, end) as one event's text; bytes that are not UTF-8 refuse it. */
function add(out: Framed, buf: Buffer, start: number, end: number): void {
  const bytes = buf.subarray(start, end);
  const index = out.items.length;
  out.items.push(bytes.toString('utf8'));
  if (!isUtf8(bytes)) {
    out.refused.push({
      index, code: 'invalid_encoding',
      message: 'The event is not UTF-8 text (invalid bytes are shown as U+FFFD in the dead letter).',
    });
  }
}

/** Index just past a UTF-8 byte-order mark and whitespace from `i`. */
function skipSpace(buf: Buffer, i: number): number {
  if (i === 0 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
  while (i < buf.length && isSpace(buf[i])) i++;
  return i;
}

/** Index of the quote closing the string opened at `i`, or buf.length if it never closes. */
function stringEnd(buf: Buffer, i: number): number {
  for (i++; i < buf.length; i++) {
    const c = buf[i];
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i;
  }
  return buf.length;
}

/**
 * `application/json`: one event (an object) or a JSON array of events. Array elements are cut at
 * the commas of the outer level without decoding them; each is then decoded on its own, within
 * the contract's bounds (event-text.ts).
 */
export function frameJson(buf: Buffer): Framed {
  const out: Framed = { items: [], refused: [] };
  let i = skipSpace(buf, 0);
  if (i === buf.length) return out;
  if (buf[i] === OPEN_BRACE) {
    let end = buf.length;
    while (end > i && isSpace(buf[end - 1])) end--;
    add(out, buf, i, end);
    return out;
  }
  if (buf[i] !== OPEN_BRACKET) {
    throw new AppError('bad_request', 'expected a JSON object or a JSON array of events (NDJSON is sent as application/x-ndjson)');
  }
  let depth = 0;
  let start = -1; // start of the current element, -1 before its first byte
  let last = -1; // its last non-space byte
  let closed = false;
  for (i++; i < buf.length; i++) {
    const c = buf[i];
    if (depth === 0 && (c === COMMA || c === CLOSE_BRACKET)) {
      if (start >= 0) add(out, buf, start, last + 1);
      else if (c === COMMA || out.items.length > 0) add(out, buf, i, i); // an empty element
      start = -1;
      if (c === CLOSE_BRACKET) {
        closed = true;
        break;
      }
      continue;
    }
    if (isSpace(c)) continue;
    if (start < 0) start = i;
    if (c === QUOTE) i = stringEnd(buf, i);
    else if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    last = Math.min(i, buf.length - 1);
  }
  if (!closed) {
    // A cut-off body: the events before the cut stand; the broken one is refused as invalid JSON.
    if (start >= 0) add(out, buf, start, buf.length);
  } else if (skipSpace(buf, i + 1) !== buf.length) {
    throw new AppError('invalid_json', 'content follows the JSON array (NDJSON is sent as application/x-ndjson)');
  }
  return out;
}

/** `application/x-ndjson` (and NDJSON files): one event per line; blank lines are skipped. */
export function frameNdjson(buf: Buffer): Framed {
  const out: Framed = { items: [], refused: [] };
  let start = buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf ? 3 : 0;
  while (start < buf.length) {
    let nl = buf.indexOf(LF, start);
    if (nl < 0) nl = buf.length;
    let end = nl;
    if (end > start && buf[end - 1] === CR) end--;
    let first = start;
    while (first < end && isSpace(buf[first])) first++;
    if (first < end) add(out, buf, start, end);
    start = nl + 1;
  }
  return out;
}

/**
 * `text/csv`: a header row of contract field names, one event per row, an empty cell = absent,
 * `metadata` as JSON text. Each row becomes the JSON text a JSON producer would have sent; a
 * row the CSV reader cannot read is refused as invalid_csv with its raw text.
 */
export function frameCsv(buf: Buffer): Framed {
  if (!isUtf8(buf)) throw new AppError('invalid_encoding', 'the CSV body is not UTF-8 text');
  const out: Framed = { items: [], refused: [] };
  try {
    parseCsv(buf.toString('utf8'), {
      columns: true, bom: true, skip_empty_lines: true, relax_column_count: true,
      skip_records_with_error: true, raw: true,
      on_record: ({ record }: { record: Record<string, string> }) => {
        out.items.push(csvRecordToJson(record));
        return null;
      },
      on_skip: (err, raw) => {
        out.refused.push({ index: out.items.length, code: 'invalid_csv', message: `The row cannot be read as CSV: ${err?.message ?? 'unknown error'}.` });
        out.items.push(raw ?? '');
        return undefined;
      },
    });
  } catch (err) {
    throw new AppError('invalid_csv', `the body cannot be read as CSV: ${(err as Error).message}`);
  }
  return out;
}

/**
 * One CSV record as an event's JSON text. `metadata` that is JSON is placed as it was written
 * (decoded later within the contract's bounds, like any event); otherwise as a string, which the
 * parser refuses with its reason.
 */
export function csvRecordToJson(rec: Record<string, string>): string {
  const parts: string[] = [];
  for (const key of Object.keys(rec)) {
    const v = rec[key];
    if (v === '' || v === undefined) continue;
    parts.push(`${JSON.stringify(key)}:${key === 'metadata' && isJson(v) ? v : JSON.stringify(v)}`);
  }
  return `{${parts.join(',')}}`;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
