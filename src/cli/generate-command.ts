// `generate`: writes a synthetic event stream as NDJSON or CSV to a stream or a file. Streams in
// 64 KB chunks and waits for 'drain' whenever the destination is full, so 10M events never sit in
// memory; resolves once the last byte has been handed to the destination.

import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { generateEvents } from '../generator/generate.ts';
import { CSV_HEADER, eventToCsvRow } from '../generator/csv.ts';

export const GENERATE_USAGE =
  'usage: generate [--count N] [--seed S] [--days D] [--end ISO] [--merchants M] [--format ndjson|csv] [--out FILE]';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const CHUNK_CHARS = 64 * 1024;

export interface GenerateSummary {
  events: number;
  /** The event-time window [start, end), epoch ms. */
  start: number;
  end: number;
  format: 'ndjson' | 'csv';
  out: string | null;
  /** Bytes written (UTF-8). */
  bytes: number;
}

/** One line for stderr: how many events, where, how big, over which event-time window. */
export function formatSummary(s: GenerateSummary): string {
  const size = s.bytes >= 1e6 ? `${(s.bytes / 1e6).toFixed(1)} MB` : `${s.bytes.toLocaleString('en-US')} bytes`;
  const day = (ms: number) => new Date(ms).toISOString().replace(':00.000Z', 'Z');
  return `generated ${s.events.toLocaleString('en-US')} events (${s.format}) to ${s.out ?? 'stdout'}, ${size}, occurred_at in [${day(s.start)}, ${day(s.end)})`;
}

function usageError(message: string): Error {
  return new Error(`${message}\n${GENERATE_USAGE}`);
}

function integer(text: string | undefined, name: string, fallback: number, min: number): number {
  if (text === undefined) return fallback;
  const v = Number(text.replaceAll('_', ''));
  if (!Number.isSafeInteger(v) || v < min) throw usageError(`--${name} must be an integer ≥ ${min}, got ${text}`);
  return v;
}

function parse(args: string[], now: number) {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        count: { type: 'string' }, seed: { type: 'string' }, days: { type: 'string' }, end: { type: 'string' },
        merchants: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' },
      },
    }));
  } catch (err) {
    throw usageError(err instanceof Error ? err.message : String(err));
  }
  const format = values.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') throw usageError(`--format must be ndjson or csv, got ${format}`);
  const days = values.days === undefined ? 30 : Number(values.days);
  if (!(days > 0 && days <= 3660)) throw usageError(`--days must be a positive number of days, got ${values.days}`);
  const end = values.end === undefined ? Math.floor(now / HOUR) * HOUR : Date.parse(values.end);
  if (!Number.isFinite(end)) throw usageError(`--end must be an ISO 8601 date-time, got ${values.end}`);
  return {
    count: integer(values.count, 'count', 100_000, 0),
    merchants: integer(values.merchants, 'merchants', 10_000, 1),
    seed: values.seed ?? '1',
    start: end - Math.round(days * DAY),
    end,
    format: format as 'ndjson' | 'csv',
    out: values.out ?? null,
  };
}

/** Writes a chunk, waiting for 'drain' when the destination's buffer is full. */
async function write(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  if (!out.write(chunk)) await once(out, 'drain');
}

/** Writes the last chunk and resolves when it has been handed over (callers may exit next). */
function writeLast(out: NodeJS.WritableStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) => out.write(chunk, (err) => (err ? reject(err) : resolve())));
}

/**
 * Runs `generate` with CLI `args`, writing to `out` unless --out names a file. `now` (epoch ms)
 * sets the default --end: the start of its hour. Throws an Error carrying the usage on bad args.
 */
export async function runGenerate(args: string[], out: NodeJS.WritableStream, now = Date.now()): Promise<GenerateSummary> {
  const o = parse(args, now);
  const file = o.out === null ? null : createWriteStream(o.out);
  const dest: NodeJS.WritableStream = file ?? out;
  let failure: Error | null = null;
  const onError = (err: Error) => { failure = err; };
  dest.on('error', onError);
  try {
    const csv = o.format === 'csv';
    let chunk = csv ? `${CSV_HEADER}\n` : '';
    let events = 0;
    let bytes = 0;
    for (const event of generateEvents({ seed: o.seed, count: o.count, start: o.start, end: o.end, merchants: o.merchants })) {
      chunk += csv ? `${eventToCsvRow(event)}\n` : `${JSON.stringify(event)}\n`;
      events++;
      if (chunk.length >= CHUNK_CHARS) {
        if (failure !== null) throw failure;
        bytes += Buffer.byteLength(chunk);
        await write(dest, chunk);
        chunk = '';
      }
    }
    if (failure !== null) throw failure;
    bytes += Buffer.byteLength(chunk);
    await writeLast(dest, chunk);
    if (file !== null) {
      file.end();
      await once(file, 'close');
    }
    return { events, start: o.start, end: o.end, format: o.format, out: o.out, bytes };
  } finally {
    dest.off('error', onError);
    if (file !== null && !file.closed) file.destroy();
  }
}
